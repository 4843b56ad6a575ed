package org.dino4j.augment.transform;

import java.util.Arrays;

/**
 * Per-channel normalisation {@code (x − mean[c]) / std[c]} applied last to every view. Arrays of length 1
 * are broadcast to all channels; otherwise the length must equal the image's channel count.
 *
 * @param mean per-channel mean (of [0,1] pixel values)
 * @param std  per-channel standard deviation, each &gt; 0
 */
public record Normalization(float[] mean, float[] std) {
    /** mean 0.5, std 0.5 for every channel: maps [0,1] to [−1,1]. The default of the 28×28 preset. */
    public static final Normalization HALF = new Normalization(new float[]{0.5f}, new float[]{0.5f});
    /** The ImageNet RGB statistics used by DINO's 224 recipe. */
    public static final Normalization IMAGENET = new Normalization(
            new float[]{0.485f, 0.456f, 0.406f}, new float[]{0.229f, 0.224f, 0.225f});
    /** The identity (mean 0, std 1): un-normalised [0,1] values. */
    public static final Normalization NONE = new Normalization(new float[]{0f}, new float[]{1f});

    /** Validates lengths and values; copies the arrays. */
    public Normalization {
        if (mean == null || mean.length == 0) throw new IllegalArgumentException("mean must have length >= 1, got " + Arrays.toString(mean));
        if (std == null || std.length != mean.length)
            throw new IllegalArgumentException("std must have the length of mean (" + mean.length + "), got " + Arrays.toString(std));
        for (float m : mean) if (!Float.isFinite(m)) throw new IllegalArgumentException("mean must be finite, got " + Arrays.toString(mean));
        for (float s : std) if (!(s > 0 && Float.isFinite(s))) throw new IllegalArgumentException("std must be finite and > 0, got " + Arrays.toString(std));
        mean = mean.clone();
        std = std.clone();
    }

    /** @return a copy of the mean. */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** @return a copy of the std. */
    @Override
    public float[] std() {
        return std.clone();
    }

    /** @return the mean expanded to {@code channels} entries; throws if the lengths disagree. */
    public float[] meanFor(int channels) {
        return expand("mean", mean, channels);
    }

    /** @return the std expanded to {@code channels} entries; throws if the lengths disagree. */
    public float[] stdFor(int channels) {
        return expand("std", std, channels);
    }

    private static float[] expand(String field, float[] a, int channels) {
        if (a.length == channels) return a.clone();
        if (a.length == 1) {
            float[] r = new float[channels];
            Arrays.fill(r, a[0]);
            return r;
        }
        throw new IllegalArgumentException("normalization." + field + " has " + a.length + " entries but the images have " + channels + " channels");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}

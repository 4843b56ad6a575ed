package org.dino4j.train.run;

import org.dino4j.augment.data.ImageDataset;

/** A view of some images of another dataset, in the given index order. */
public final class SubsetDataset implements ImageDataset {
    private final ImageDataset base;
    private final int[] indices;

    /** @param indices indices into {@code base} (copied). */
    public SubsetDataset(ImageDataset base, int[] indices) {
        for (int i : indices) ImageDataset.checkIndex(i, base.size());
        this.base = base;
        this.indices = indices.clone();
    }

    /** The first {@code n} images of {@code base} (all of them when n ≥ size). */
    public static ImageDataset head(ImageDataset base, int n) {
        if (n >= base.size()) return base;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return new SubsetDataset(base, idx);
    }

    /** {@code n} images spread evenly over {@code base} (every size/n-th), so every class region is sampled. */
    public static ImageDataset spread(ImageDataset base, int n) {
        if (n >= base.size()) return base;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = (int) ((long) i * base.size() / n);
        return new SubsetDataset(base, idx);
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public int channels() {
        return base.channels();
    }

    @Override
    public int height() {
        return base.height();
    }

    @Override
    public int width() {
        return base.width();
    }

    @Override
    public int numClasses() {
        return base.numClasses();
    }

    @Override
    public String className(int c) {
        return base.className(c);
    }

    @Override
    public int label(int i) {
        ImageDataset.checkIndex(i, indices.length);
        return base.label(indices[i]);
    }

    @Override
    public void imageInto(int i, float[] dst) {
        ImageDataset.checkIndex(i, indices.length);
        base.imageInto(indices[i], dst);
    }
}

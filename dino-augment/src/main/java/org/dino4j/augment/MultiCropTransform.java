package org.dino4j.augment;

import org.dino4j.augment.data.ImageDataset;
import org.dino4j.augment.transform.CropBox;
import org.dino4j.augment.transform.ViewOps;
import org.dino4j.augment.transform.ViewSpec;

import java.util.Random;

/**
 * Applies a {@link MultiCropConfig} to images of a fixed shape {@code [C, H, W]} (values in [0, 1]): for
 * each image, global view 1, global view 2, then the N local views, each drawn with the one
 * {@link Random} passed in, in that fixed order (so one seed gives one result). Per view the draws are: crop box,
 * rotation angle (only when {@link MultiCropConfig#rotationDegrees()} &gt; 0), flip, jitter, grayscale, blur,
 * solarization.
 *
 * <p>Thread-safe: every thread gets its own scratch buffers (a {@link ThreadLocal}: image, view, the blur's
 * kernel and plane, and the batch staging arrays), nothing else is mutable. Per batch, only the returned
 * off-heap arrays (and one {@link Random} per image) are allocated.
 */
public final class MultiCropTransform {
    private final MultiCropConfig cfg;
    private final int channels, height, width;
    private final float[] mean, std;
    private final ThreadLocal<Scratch> scratch;

    /**
     * @param cfg      the recipe
     * @param channels C of the input images (1 or 3)
     * @param height   H of the input images
     * @param width    W of the input images
     * @throws IllegalArgumentException on a bad shape or a normalisation with the wrong channel count
     */
    public MultiCropTransform(MultiCropConfig cfg, int channels, int height, int width) {
        if (cfg == null) throw new IllegalArgumentException("cfg must not be null");
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        if (height < 1) throw new IllegalArgumentException("height must be >= 1, got " + height);
        if (width < 1) throw new IllegalArgumentException("width must be >= 1, got " + width);
        this.cfg = cfg;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.mean = cfg.normalization().meanFor(channels);
        this.std = cfg.normalization().stdFor(channels);
        int maxSide = Math.max(Math.max(height, width), Math.max(cfg.globalSize(), cfg.localSize()));
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(channels * height * width, maxSide, cfg.blurSigmaMax()));
    }

    /** A transform for the shape of {@code ds}'s images. */
    public static MultiCropTransform forDataset(MultiCropConfig cfg, ImageDataset ds) {
        return new MultiCropTransform(cfg, ds.channels(), ds.height(), ds.width());
    }

    /** @return the recipe. */
    public MultiCropConfig config() {
        return cfg;
    }

    /** @return C. */
    public int channels() {
        return channels;
    }

    /** @return floats per global view, C·Hg·Wg. */
    public int globalViewLength() {
        return channels * cfg.globalSize() * cfg.globalSize();
    }

    /** @return floats per local view, C·Hl·Wl. */
    public int localViewLength() {
        return channels * cfg.localSize() * cfg.localSize();
    }

    /**
     * Augments one image into batch buffers in view-major order: global view g (0 or 1) of image b goes to
     * row {@code g·B + b} of {@code globals} ({@code float[2B·C·Hg·Wg]}), local view j of image b to row
     * {@code j·B + b} of {@code locals} ({@code float[N·B·C·Hl·Wl]}, may be null when N = 0).
     *
     * @param image     {@code float[C·H·W]} in [0, 1]; not modified
     * @param rng       the image's generator (e.g. {@code new Random(Seeds.derive(seed, epoch, index))})
     * @param b         row of the image in the batch
     * @param batchSize B
     */
    public void applyInto(float[] image, Random rng, int b, int batchSize, float[] globals, float[] locals) {
        int gl = globalViewLength(), ll = localViewLength();
        view(image, rng, cfg.global1(), globals, b * gl);
        view(image, rng, cfg.global2(), globals, (batchSize + b) * gl);
        for (int j = 0; j < cfg.numLocal(); j++) view(image, rng, cfg.local(), locals, (j * batchSize + b) * ll);
    }

    /**
     * All 2 + N views of one image, each a new normalised {@code float[C·S·S]} (S = global or local size),
     * in the order global 1, global 2, locals. Same draws as {@link #applyInto}.
     */
    public float[][] views(float[] image, Random rng) {
        float[][] out = new float[2 + cfg.numLocal()][];
        for (int v = 0; v < out.length; v++) {
            ViewSpec spec = v == 0 ? cfg.global1() : v == 1 ? cfg.global2() : cfg.local();
            out[v] = new float[channels * spec.size() * spec.size()];
            view(image, rng, spec, out[v], 0);
        }
        return out;
    }

    /**
     * Builds one batch from dataset images: image {@code indices[b]} is augmented with the values of
     * {@code new Random(Seeds.derive(seed, epoch, indices[b]))} (drawn from a {@link LocalRandom}: the same
     * sequence without the locking), so the result depends only on (seed, epoch, indices).
     */
    public MultiCropBatch batch(ImageDataset ds, int[] indices, long seed, long epoch) {
        if (ds.channels() != channels || ds.height() != height || ds.width() != width)
            throw new IllegalArgumentException("dataset images are [" + ds.channels() + "," + ds.height() + "," + ds.width()
                    + "] but the transform expects [" + channels + "," + height + "," + width + "]");
        int bsz = indices.length;
        Scratch s = scratch.get();
        // per-thread staging arrays, reused across batches: OffHeap.floats copies them off-heap below
        if (s.globals == null || s.globals.length != 2 * bsz * globalViewLength()) s.globals = new float[2 * bsz * globalViewLength()];
        if (cfg.numLocal() > 0 && (s.locals == null || s.locals.length != cfg.numLocal() * bsz * localViewLength()))
            s.locals = new float[cfg.numLocal() * bsz * localViewLength()];
        float[] g = s.globals;
        float[] l = cfg.numLocal() == 0 ? null : s.locals;
        int[] labels = new int[bsz];
        float[] img = s.image;
        for (int b = 0; b < bsz; b++) {
            int idx = indices[b];
            ds.imageInto(idx, img);
            labels[b] = ds.label(idx);
            applyInto(img, new LocalRandom(Seeds.derive(seed, epoch, idx)), b, bsz, g, l);
        }
        int gs = cfg.globalSize(), ls = cfg.localSize();
        return new MultiCropBatch(
                OffHeap.floats(g, new long[]{2L * bsz, channels, gs, gs}),
                l == null ? null : OffHeap.floats(l, new long[]{(long) cfg.numLocal() * bsz, channels, ls, ls}),
                labels, indices.clone());
    }

    private void view(float[] image, Random rng, ViewSpec spec, float[] out, int offset) {
        Scratch s = scratch.get();
        int size = spec.size(), plane = size * size, n = channels * plane;
        float[] v = s.view;
        CropBox box = ViewOps.sampleCrop(rng, height, width, spec.scaleMin(), spec.scaleMax(), cfg.ratioMin(), cfg.ratioMax());
        double rot = cfg.rotationDegrees();
        if (rot > 0) { // one extra draw, only when rotation is on: rot = 0 keeps the recipe's draws unchanged
            double theta = -rot + 2 * rot * rng.nextDouble();
            ViewOps.resizeBilinearRotated(image, channels, height, width, box, theta, v, size, size);
        } else {
            ViewOps.resizeBilinear(image, channels, height, width, box, v, size, size);
        }
        if (rng.nextDouble() < cfg.flipP()) ViewOps.flipHorizontal(v, channels, size, size);
        if (rng.nextDouble() < cfg.jitter().p()) ViewOps.colorJitter(v, channels, plane, cfg.jitter(), rng);
        if (channels == 3 && rng.nextDouble() < cfg.grayscaleP()) ViewOps.toGrayscale(v, plane);
        if (rng.nextDouble() < spec.blurP()) {
            double sigma = cfg.blurSigmaMin() + (cfg.blurSigmaMax() - cfg.blurSigmaMin()) * rng.nextDouble();
            ViewOps.gaussianBlur(v, channels, size, size, sigma, s.blur);
        }
        if (rng.nextDouble() < spec.solarizeP()) ViewOps.solarize(v, n);
        ViewOps.normalize(v, channels, plane, mean, std);
        System.arraycopy(v, 0, out, offset, n);
    }

    private static final class Scratch {
        final float[] image, view;
        final ViewOps.BlurScratch blur;
        float[] globals, locals;

        Scratch(int imageLen, int maxSide, double maxSigma) {
            image = new float[imageLen];
            view = new float[3 * maxSide * maxSide];
            blur = new ViewOps.BlurScratch(maxSide, maxSigma);
        }
    }
}

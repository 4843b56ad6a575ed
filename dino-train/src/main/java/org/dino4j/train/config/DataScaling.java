package org.dino4j.train.config;

import org.dino4j.augment.data.ImageDataset;
import org.dino4j.core.model.SmallResNet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What {@code run.adaptToData} derives from the training set when a new run starts (the {@code images} preset, the
 * default for {@code images:DIR} and {@code idx:DIR} data): the settings whose right value depends on how many steps
 * the run has, {@code T = epochs · ⌊N / batch⌋} for N training images. A key the user set (config file or override)
 * is never changed.
 * <ul>
 *   <li>{@code data.batchSize}: at most N / {@value #MIN_BATCHES_PER_EPOCH} (so that a tiny set still gets several
 *       steps per epoch) and at most epochs · N / {@value #MIN_STEPS} (so that a short run on a small set still has
 *       about {@value #MIN_STEPS} steps: DINO's teacher improves by following the student step after step, and on
 *       1,000–2,000 images the images preset's 60 epochs of 64 are only 900–1,860 steps), rounded down to a power of two,
 *       at least {@value #MIN_BATCH} (and at least {@value #MIN_STEPS_BATCH} for the second bound);</li>
 *   <li>{@code optim.lr} (per 256 images), when the batch was lowered from B to b: multiplied by B / b, so the step
 *       keeps the learning rate the preset gives batch B. The linear scaling rule would divide the per-step rate by
 *       B / b, and the extra steps would then teach the student no more than the fewer steps did (measured,
 *       docs/training.md "Your own images");</li>
 *   <li>{@code teacher.momentumTeacher} λ₀ (the start of the cosine λ₀ → 1): the teacher averages the student over
 *       about 1/(1 − λ) steps, and that horizon must stay short against the run, or the teacher barely leaves its
 *       initial weights and its outputs stay near uniform (measured, docs/training.md "Your own images"):
 *       λ₀ = 1 − 1/h with h = T / {@value #HORIZON_DIVISOR}, clamped to [{@value #MIN_MOMENTUM},
 *       {@value #MAX_MOMENTUM}] (the official 0.996 is the upper end);</li>
 *   <li>{@code optim.warmupEpochs}: {@value #WARMUP_FRACTION} of the epochs, at most 10 (the official 10 of 100);</li>
 *   <li>{@code run.knnEveryEpochs}: about {@value #KNN_POINTS} online k-NN measurements over the run, so its end can
 *       be compared with its best epoch;</li>
 *   <li>{@code model.small-resnet.poolGrid} 1 → {@value #ALIGNED_POOL_GRID} when the images are aligned
 *       ({@link #alignment} ≥ {@value #MIN_ALIGNMENT}: where a pixel is tells much of its value, as in centred digits,
 *       garments or faces): a 2×2 grid of average-pooled cells keeps the layout that separates the classes of such
 *       sets, where global pooling forgets it; on objects drawn anywhere in the frame the grid makes the features
 *       depend on the position and global pooling is kept (measured, docs/training.md "Your own images").</li>
 * </ul>
 * The temperatures (τ_s 0.1, τ_t 0.04 without warm-up) do not depend on N in the measurements and are not changed.
 */
public final class DataScaling {
    private DataScaling() {}

    /** Fewest steps per epoch the batch size is lowered for. */
    public static final int MIN_BATCHES_PER_EPOCH = 8;
    /** Smallest batch chosen. */
    public static final int MIN_BATCH = 8;
    /** Fewest steps a run is given by lowering its batch size (down to {@link #MIN_STEPS_BATCH}). */
    public static final int MIN_STEPS = 3000;
    /** Smallest batch the {@link #MIN_STEPS} rule lowers to (its batch-norm head sees 2 · b teacher rows). */
    public static final int MIN_STEPS_BATCH = 16;
    /** λ₀ = 1 − {@value}/T: the teacher's averaging horizon is T / {@value}. */
    public static final double HORIZON_DIVISOR = 100;
    /** Lower bound of λ₀ (a teacher averaging over ~10 steps). */
    public static final double MIN_MOMENTUM = 0.9;
    /** Upper bound of λ₀ (the official value). */
    public static final double MAX_MOMENTUM = 0.996;
    /** Fraction of the epochs spent in the learning-rate warm-up. */
    public static final double WARMUP_FRACTION = 0.1;
    /** Online k-NN measurements over a run. */
    public static final int KNN_POINTS = 10;
    /** Smallest {@link #alignment} for which global pooling becomes a grid. */
    public static final double MIN_ALIGNMENT = 0.15;
    /** The grid of an aligned set. */
    public static final int ALIGNED_POOL_GRID = 2;
    /** Images {@link #alignment} reads at most (spread evenly over the set). */
    public static final int ALIGNMENT_SAMPLE = 512;

    /**
     * The adapted config and a line per changed key ({@code key: old → new (why)}).
     *
     * @param config  the config to train with.
     * @param changes what was changed, for the log.
     */
    public record Result(DinoConfig config, List<String> changes) {}

    /**
     * Adapts {@code c} to {@code trainImages} training images, leaving {@code fixed} keys alone and the pooling as it
     * is; a config without {@code run.adaptToData} is returned unchanged.
     */
    public static Result adapt(DinoConfig c, int trainImages, Set<String> fixed) {
        return adapt(c, trainImages, Double.NaN, fixed);
    }

    /**
     * Adapts {@code c} to {@code trainImages} training images whose {@link #alignment} is {@code alignment} (NaN:
     * unknown, the pooling is left as it is), leaving {@code fixed} keys alone; a config without
     * {@code run.adaptToData} is returned unchanged.
     */
    public static Result adapt(DinoConfig c, int trainImages, double alignment, Set<String> fixed) {
        if (!c.run().adaptToData()) return new Result(c, List.of());
        if (trainImages < 1) throw new IllegalArgumentException("trainImages must be >= 1, got " + trainImages);
        Map<String, String> o = new LinkedHashMap<>();
        List<String> why = new ArrayList<>();
        int batch = c.data().batchSize();
        int epochs = c.run().epochs();
        if (!fixed.contains("data.batchSize")) {
            int b = Math.min(batch, batchFor(trainImages, epochs));
            if (b != batch) {
                o.put("data.batchSize", Integer.toString(b));
                why.add(String.format(Locale.ROOT, "data.batchSize: %d → %d (%d images × %d epochs: at least %d steps per epoch, aiming at %,d steps in all)",
                        batch, b, trainImages, epochs, MIN_BATCHES_PER_EPOCH, MIN_STEPS));
                if (!fixed.contains("optim.lr")) {
                    double lr = c.optim().lr() * batch / b;
                    o.put("optim.lr", Double.toString(lr));
                    why.add(String.format(Locale.ROOT, "optim.lr: %s → %s per 256 images (a step keeps batch %d's learning rate, %.3g)",
                            c.optim().lr(), lr, batch, c.optim().lr() * batch / 256));
                }
                batch = b;
            }
        }
        long steps = (long) epochs * Math.max(1, trainImages / batch);
        if (!fixed.contains("teacher.momentumTeacher")) {
            double m = momentumFor(steps);
            if (m != c.teacher().momentumTeacher()) {
                o.put("teacher.momentumTeacher", Double.toString(m));
                why.add(String.format(Locale.ROOT, "teacher.momentumTeacher: %s → %s (%,d steps: the teacher averages ~%.0f steps)",
                        c.teacher().momentumTeacher(), m, steps, 1 / (1 - m)));
            }
        }
        if (!fixed.contains("optim.warmupEpochs")) {
            double w = Math.min(10, round2(WARMUP_FRACTION * epochs));
            if (w != c.optim().warmupEpochs()) {
                o.put("optim.warmupEpochs", Double.toString(w));
                why.add(String.format(Locale.ROOT, "optim.warmupEpochs: %s → %s (%.0f%% of %d epochs)", c.optim().warmupEpochs(), w,
                        100 * WARMUP_FRACTION, epochs));
            }
        }
        if (!fixed.contains("run.knnEveryEpochs") && c.run().knnEveryEpochs() > 0) {
            int k = Math.max(1, Math.round(epochs / (float) KNN_POINTS));
            if (k != c.run().knnEveryEpochs()) {
                o.put("run.knnEveryEpochs", Integer.toString(k));
                why.add(String.format(Locale.ROOT, "run.knnEveryEpochs: %d → %d (about %d measurements)", c.run().knnEveryEpochs(), k,
                        KNN_POINTS));
            }
        }
        String gridKey = "model." + c.model().backbone() + ".poolGrid";
        if (!fixed.contains(gridKey) && alignment >= MIN_ALIGNMENT && c.model().backboneOptions() instanceof SmallResNet.Options r
                && r.poolGrid() == 1) {
            o.put(gridKey, Integer.toString(ALIGNED_POOL_GRID));
            why.add(String.format(Locale.ROOT, "%s: 1 → %d (aligned images: position explains %.0f%% of the pixel variance, at least %.0f%%)",
                    gridKey, ALIGNED_POOL_GRID, 100 * alignment, 100 * MIN_ALIGNMENT));
        }
        return new Result(o.isEmpty() ? c : ConfigLoader.override(c, o), List.copyOf(why));
    }

    /**
     * How aligned the images are: the share of the pixel variance explained by the pixel's position,
     * {@code A = B / (B + W)} with, per channel c and position p over the images read, μ_cp the mean value,
     * {@code B} the variance of μ_cp over the positions and {@code W} the variance over the images at a position,
     * both averaged over channels (and positions). 0 when every position has the same mean (objects anywhere in
     * the frame: a mean image of one flat grey) and 1 when every image is the mean image. Measured (docs/training.md):
     * centred digits and garments 0.21–0.56, shapes drawn at random places 0.07–0.09. Reads at most
     * {@value #ALIGNMENT_SAMPLE} images spread evenly over the set (a float64 pass, no other state).
     *
     * @return A in [0, 1]; 0 for an empty set or one whose pixels do not vary at all.
     */
    public static double alignment(ImageDataset ds) {
        int n = ds.size();
        if (n == 0) return 0;
        int take = Math.min(n, ALIGNMENT_SAMPLE);
        int len = ds.channels() * ds.height() * ds.width(), plane = ds.height() * ds.width();
        double[] sum = new double[len], sq = new double[len];
        float[] img = new float[len];
        for (int k = 0; k < take; k++) {
            ds.imageInto((int) ((long) k * n / take), img);
            for (int i = 0; i < len; i++) {
                sum[i] += img[i];
                sq[i] += (double) img[i] * img[i];
            }
        }
        double between = 0, within = 0;
        for (int ch = 0; ch < ds.channels(); ch++) {
            double m = 0, m2 = 0;
            for (int p = 0; p < plane; p++) {
                int i = ch * plane + p;
                double mu = sum[i] / take;
                m += mu;
                m2 += mu * mu;
                within += Math.max(0, sq[i] / take - mu * mu);
            }
            m /= plane;
            between += Math.max(0, m2 / plane - m * m);
        }
        between /= ds.channels();
        within /= len;
        return between + within > 0 ? between / (between + within) : 0;
    }

    /**
     * The largest batch the two bounds allow (before the preset's own batch caps it): a power of two ≤ N / {@value
     * #MIN_BATCHES_PER_EPOCH} and ≤ epochs · N / {@value #MIN_STEPS}, at least {@value #MIN_BATCH} (the first bound)
     * and {@value #MIN_STEPS_BATCH} (the second), at most N.
     */
    static int batchFor(int trainImages, int epochs) {
        int perEpoch = Math.max(MIN_BATCH, Integer.highestOneBit(Math.max(1, trainImages / MIN_BATCHES_PER_EPOCH)));
        long forSteps = (long) epochs * trainImages / MIN_STEPS;
        int steps = (int) Math.max(MIN_STEPS_BATCH, Long.highestOneBit(Math.max(1, Math.min(forSteps, Integer.MAX_VALUE))));
        return Math.min(trainImages, Math.min(perEpoch, steps));
    }

    /** λ₀ for a run of {@code steps} steps: 1 − {@value #HORIZON_DIVISOR}/steps, clamped, rounded to 4 decimals. */
    public static double momentumFor(long steps) {
        double m = 1 - HORIZON_DIVISOR / Math.max(1, steps);
        m = Math.max(MIN_MOMENTUM, Math.min(MAX_MOMENTUM, m));
        return Math.round(m * 1e4) / 1e4;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}

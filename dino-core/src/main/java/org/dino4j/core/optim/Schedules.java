package org.dino4j.core.optim;

import java.util.Arrays;

/**
 * Per-iteration schedules as in facebookresearch/dino's {@code utils.cosine_scheduler} and {@code DINOLoss}: arrays with
 * one value per training iteration.
 */
public final class Schedules {
    private Schedules() {
    }

    /**
     * A linear warm-up from 0 to {@code base} over {@code warmupIters} iterations (numpy {@code linspace}: both ends
     * included; a single warm-up iteration holds 0), then a half cosine {@code final + ½(base − final)(1 + cos(π·i/n))}
     * over the remaining n iterations (i = 0..n−1, so the last value is just above {@code final}). DINO: the learning
     * rate (warm-up 10 epochs), the weight decay 0.04 → 0.4 and the teacher momentum 0.996 → 1 (no warm-up).
     *
     * @param base        value after the warm-up
     * @param finalValue  value the cosine approaches
     * @param iters       total iterations, &gt; 0
     * @param warmupIters warm-up iterations in [0, iters]
     * @return {@code iters} values
     */
    public static double[] cosine(double base, double finalValue, int iters, int warmupIters) {
        if (iters <= 0) throw new IllegalArgumentException("iters must be > 0, got " + iters);
        if (warmupIters < 0 || warmupIters > iters) {
            throw new IllegalArgumentException("warmupIters must be in [0, " + iters + "], got " + warmupIters);
        }
        double startWarmup = 0;
        double[] s = new double[iters];
        int warm = warmupIters;
        for (int i = 0; i < warm; i++) {
            s[i] = warm == 1 ? startWarmup : startWarmup + (base - startWarmup) * i / (warm - 1);
        }
        int n = iters - warm;
        for (int i = 0; i < n; i++) {
            s[warm + i] = finalValue + 0.5 * (base - finalValue) * (1 + Math.cos(Math.PI * i / n));
        }
        return s;
    }

    /**
     * The teacher temperature of {@code DINOLoss}: per epoch {@code linspace(warmup, value, warmupEpochs)}, then
     * constant {@code value}; one value per iteration (constant inside an epoch). DINO: 0.04 → 0.07 over 30 epochs.
     *
     * @param warmup        τ_t of the first epoch
     * @param value         τ_t after the warm-up
     * @param warmupEpochs  warm-up epochs in [0, epochs]
     * @param epochs        epochs, &gt; 0
     * @param itersPerEpoch iterations per epoch, &gt; 0
     * @return {@code epochs · itersPerEpoch} values
     */
    public static double[] teacherTemperature(double warmup, double value, int warmupEpochs, int epochs, int itersPerEpoch) {
        if (epochs <= 0) throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
        if (itersPerEpoch <= 0) throw new IllegalArgumentException("itersPerEpoch must be > 0, got " + itersPerEpoch);
        if (warmupEpochs < 0 || warmupEpochs > epochs) {
            throw new IllegalArgumentException("warmupEpochs must be in [0, " + epochs + "], got " + warmupEpochs);
        }
        double[] s = new double[Math.multiplyExact(epochs, itersPerEpoch)];
        for (int e = 0; e < epochs; e++) {
            double v;
            if (e >= warmupEpochs) v = value;
            else v = warmupEpochs == 1 ? warmup : warmup + (value - warmup) * e / (warmupEpochs - 1);
            Arrays.fill(s, e * itersPerEpoch, (e + 1) * itersPerEpoch, v);
        }
        return s;
    }
}

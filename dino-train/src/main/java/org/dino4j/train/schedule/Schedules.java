package org.dino4j.train.schedule;

/**
 * Per-iteration schedules as in facebookresearch/dino {@code utils.cosine_scheduler}: an optional linear warm-up
 * from {@code startWarmup} to {@code base} over {@code round(warmupEpochs · itersPerEpoch)} iterations (numpy {@code linspace}: both ends
 * included, a single warm-up iteration holds {@code startWarmup}), then a half cosine {@code final + ½(base − final)(1 + cos(π·i/n))} over the remaining {@code n}
 * iterations (i = 0..n−1, so the last value is just above {@code final}).
 */
public final class Schedules {
    private Schedules() {}

    /**
     * A warm-up + cosine schedule.
     *
     * @return an array of exactly {@code epochs · itersPerEpoch} values.
     * @throws IllegalArgumentException if a count is not positive or the warm-up is longer than the run.
     */
    public static double[] cosine(double base, double finalValue, int epochs, int itersPerEpoch, double warmupEpochs,
                                  double startWarmup) {
        if (epochs <= 0) throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
        if (itersPerEpoch <= 0) throw new IllegalArgumentException("itersPerEpoch must be > 0, got " + itersPerEpoch);
        if (!(warmupEpochs >= 0 && warmupEpochs <= epochs)) {
            throw new IllegalArgumentException("warmupEpochs must be in [0, " + epochs + "], got " + warmupEpochs);
        }
        int total = Math.multiplyExact(epochs, itersPerEpoch);
        int warm = (int) Math.round(warmupEpochs * itersPerEpoch); // a fraction of an epoch is allowed
        double[] s = new double[total];
        for (int i = 0; i < warm; i++) {
            s[i] = warm == 1 ? startWarmup : startWarmup + (base - startWarmup) * i / (warm - 1);
        }
        int n = total - warm;
        for (int i = 0; i < n; i++) {
            s[warm + i] = finalValue + 0.5 * (base - finalValue) * (1 + Math.cos(Math.PI * i / n));
        }
        return s;
    }

    /**
     * The teacher-temperature schedule of main_dino.py's DINOLoss: per epoch, {@code linspace(warmup, value,
     * warmupEpochs)} then constant {@code value}; expanded here to one value per iteration (constant inside an epoch).
     *
     * @return an array of exactly {@code epochs · itersPerEpoch} values.
     */
    public static double[] linearWarmupPerEpoch(double warmup, double value, int warmupEpochs, int epochs, int itersPerEpoch) {
        if (epochs <= 0) throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
        if (itersPerEpoch <= 0) throw new IllegalArgumentException("itersPerEpoch must be > 0, got " + itersPerEpoch);
        if (warmupEpochs < 0 || warmupEpochs > epochs) {
            throw new IllegalArgumentException("warmupTeacherTempEpochs must be in [0, " + epochs + "], got " + warmupEpochs);
        }
        double[] s = new double[Math.multiplyExact(epochs, itersPerEpoch)];
        for (int e = 0; e < epochs; e++) {
            double v;
            if (e >= warmupEpochs) v = value;
            else v = warmupEpochs == 1 ? warmup : warmup + (value - warmup) * e / (warmupEpochs - 1);
            java.util.Arrays.fill(s, e * itersPerEpoch, (e + 1) * itersPerEpoch, v);
        }
        return s;
    }
}

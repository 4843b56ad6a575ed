package org.dino4j.train.config;

/**
 * AdamW and its schedules (official {@code main_dino.py} defaults; Loshchilov &amp; Hutter 2019 for the decoupled decay).
 *
 * @param lr              base learning rate at batch 256; the peak rate is {@code lr · batchSize / 256} (linear
 *                        scaling rule, official 5e-4).
 * @param minLr           final learning rate of the cosine decay (official 1e-6).
 * @param warmupEpochs    epochs of linear warm-up from 0 to the peak rate (official 10); a fraction is allowed (0.25 =
 *                        a quarter of an epoch's iterations, rounded), e.g. for a run of one long epoch.
 * @param weightDecay     weight decay at the start of the cosine schedule (official 0.04).
 * @param weightDecayEnd  weight decay at the end (official 0.4).
 * @param clipGrad        per-parameter-tensor gradient norm limit; 0 disables clipping (official 3.0).
 * @param freezeLastLayer epochs during which the head's last layer gets no update (official 1).
 * @param beta1           AdamW β₁ (PyTorch default 0.9).
 * @param beta2           AdamW β₂ (PyTorch default 0.999).
 * @param eps             AdamW ε (PyTorch default 1e-8).
 */
public record OptimConfig(double lr, double minLr, double warmupEpochs, double weightDecay, double weightDecayEnd,
                          double clipGrad, int freezeLastLayer, double beta1, double beta2, double eps) {

    /** Validates every field. */
    public OptimConfig {
        Checks.positive("optim.lr", lr);
        Checks.nonNegative("optim.minLr", minLr);
        Checks.nonNegative("optim.warmupEpochs", warmupEpochs);
        Checks.nonNegative("optim.weightDecay", weightDecay);
        Checks.nonNegative("optim.weightDecayEnd", weightDecayEnd);
        Checks.nonNegative("optim.clipGrad", clipGrad);
        Checks.nonNegative("optim.freezeLastLayer", freezeLastLayer);
        Checks.halfOpen("optim.beta1", beta1, 0, 1);
        Checks.halfOpen("optim.beta2", beta2, 0, 1);
        Checks.positive("optim.eps", eps);
    }

    /** The official defaults. */
    public static OptimConfig official() {
        return builder().build();
    }

    /** @return a builder starting from the official defaults ({@link #official()}) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this record's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A {@link OptimConfig} under construction: starts from the defaults or from a record, validated by {@link #build()}. */
    public static final class Builder {
        private double lr = 5e-4;
        private double minLr = 1e-6;
        private double warmupEpochs = 10;
        private double weightDecay = 0.04;
        private double weightDecayEnd = 0.4;
        private double clipGrad = 3.0;
        private int freezeLastLayer = 1;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;

        private Builder() {
        }

        private Builder(OptimConfig r) {
            lr = r.lr;
            minLr = r.minLr;
            warmupEpochs = r.warmupEpochs;
            weightDecay = r.weightDecay;
            weightDecayEnd = r.weightDecayEnd;
            clipGrad = r.clipGrad;
            freezeLastLayer = r.freezeLastLayer;
            beta1 = r.beta1;
            beta2 = r.beta2;
            eps = r.eps;
        }

        /** Sets {@link OptimConfig#lr()}; returns this builder. */
        public Builder lr(double v) {
            lr = v;
            return this;
        }

        /** Sets {@link OptimConfig#minLr()}; returns this builder. */
        public Builder minLr(double v) {
            minLr = v;
            return this;
        }

        /** Sets {@link OptimConfig#warmupEpochs()}; returns this builder. */
        public Builder warmupEpochs(double v) {
            warmupEpochs = v;
            return this;
        }

        /** Sets {@link OptimConfig#weightDecay()}; returns this builder. */
        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        /** Sets {@link OptimConfig#weightDecayEnd()}; returns this builder. */
        public Builder weightDecayEnd(double v) {
            weightDecayEnd = v;
            return this;
        }

        /** Sets {@link OptimConfig#clipGrad()}; returns this builder. */
        public Builder clipGrad(double v) {
            clipGrad = v;
            return this;
        }

        /** Sets {@link OptimConfig#freezeLastLayer()}; returns this builder. */
        public Builder freezeLastLayer(int v) {
            freezeLastLayer = v;
            return this;
        }

        /** Sets {@link OptimConfig#beta1()}; returns this builder. */
        public Builder beta1(double v) {
            beta1 = v;
            return this;
        }

        /** Sets {@link OptimConfig#beta2()}; returns this builder. */
        public Builder beta2(double v) {
            beta2 = v;
            return this;
        }

        /** Sets {@link OptimConfig#eps()}; returns this builder. */
        public Builder eps(double v) {
            eps = v;
            return this;
        }

        /** Builds and validates the record (the record's constructor throws on a bad value, naming the field). */
        public OptimConfig build() {
            return new OptimConfig(lr, minLr, warmupEpochs, weightDecay, weightDecayEnd, clipGrad, freezeLastLayer, beta1, beta2, eps);
        }
    }
}

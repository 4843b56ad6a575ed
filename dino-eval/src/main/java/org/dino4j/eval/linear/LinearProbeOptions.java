package org.dino4j.eval.linear;

/**
 * Options of the linear probe: multinomial logistic regression trained by mini-batch SGD with momentum and a
 * cosine learning-rate schedule, as the DINO reference linear evaluation ({@code eval_linear.py}: SGD, momentum
 * 0.9, cosine schedule to 0, weight decay 0, 100 epochs), but on fixed pre-extracted features.
 *
 * @param epochs       passes over the training features; default 100; ≥ 1
 * @param batchSize    samples per step; default 256; ≥ 1
 * @param learningRate peak learning rate (cosine-annealed to 0 over all steps); default 1.0, which suits
 *                     L2-normalised features (‖x‖ = 1); finite, &gt; 0
 * @param momentum     SGD momentum (PyTorch form: v ← μv + g, w ← w − ηv); default 0.9; in [0, 1)
 * @param weightDecay  L2 regularisation λ on the weights (not the bias), loss + λ/2‖W‖²; default 0 as in the
 *                     reference; finite, ≥ 0
 * @param seed         seed of the per-epoch shuffles; same seed → same weights
 */
public record LinearProbeOptions(int epochs, int batchSize, double learningRate, double momentum,
                                 double weightDecay, long seed) {
    /** Validates every field; see the parameter docs. */
    public LinearProbeOptions {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay must be finite and >= 0, got " + weightDecay);
        }
    }

    /** Defaults: 100 epochs, batch 256, lr 1.0 (cosine), momentum 0.9, weight decay 0. */
    public static LinearProbeOptions defaults(long seed) {
        return builder().seed(seed).build();
    }

    /** @return a builder starting from the defaults ({@link #defaults}, seed 0) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this record's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A {@link LinearProbeOptions} under construction: starts from the defaults or from a record, validated by {@link #build()}. */
    public static final class Builder {
        private int epochs = 100;
        private int batchSize = 256;
        private double learningRate = 1.0;
        private double momentum = 0.9;
        private double weightDecay;
        private long seed;

        private Builder() {
        }

        private Builder(LinearProbeOptions r) {
            epochs = r.epochs;
            batchSize = r.batchSize;
            learningRate = r.learningRate;
            momentum = r.momentum;
            weightDecay = r.weightDecay;
            seed = r.seed;
        }

        /** Sets {@link LinearProbeOptions#epochs()}; returns this builder. */
        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        /** Sets {@link LinearProbeOptions#batchSize()}; returns this builder. */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /** Sets {@link LinearProbeOptions#learningRate()}; returns this builder. */
        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        /** Sets {@link LinearProbeOptions#momentum()}; returns this builder. */
        public Builder momentum(double v) {
            momentum = v;
            return this;
        }

        /** Sets {@link LinearProbeOptions#weightDecay()}; returns this builder. */
        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        /** Sets {@link LinearProbeOptions#seed()}; returns this builder. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** Builds and validates the record (the record's constructor throws on a bad value, naming the field). */
        public LinearProbeOptions build() {
            return new LinearProbeOptions(epochs, batchSize, learningRate, momentum, weightDecay, seed);
        }
    }
}

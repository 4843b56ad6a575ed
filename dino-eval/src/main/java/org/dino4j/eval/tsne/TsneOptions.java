package org.dino4j.eval.tsne;

/**
 * t-SNE options (van der Maaten &amp; Hinton 2008; Barnes-Hut: van der Maaten 2014, "Accelerating t-SNE using
 * tree-based algorithms"). The output is always 2-D.
 *
 * @param perplexity            effective number of neighbours of the input affinities (2008, Sec. 2); default 30;
 *                              finite, ≥ 1, and 3·perplexity ≤ N − 1 (checked when run)
 * @param pcaDims               PCA to this many dimensions before t-SNE; default 50; ≥ 1 (no reduction when the
 *                              input has ≤ pcaDims dimensions)
 * @param iterations            gradient-descent iterations; default 1000; ≥ 1
 * @param earlyExaggeration     factor α multiplying P in the first {@code exaggerationIterations}; default 12
 *                              (2014, Sec. 5); finite, ≥ 1
 * @param exaggerationIterations iterations with exaggeration and momentum {@code initialMomentum}; default 250; ≥ 0
 * @param learningRate          step size η; default 200; finite, &gt; 0
 * @param initialMomentum       momentum during the first {@code exaggerationIterations}; default 0.5; in [0, 1)
 * @param finalMomentum         momentum afterwards; default 0.8; in [0, 1)
 * @param theta                 Barnes-Hut accuracy θ (a cell is summarised when width / distance &lt; θ); default 0.5;
 *                              finite, &gt; 0; ignored when {@code exact}
 * @param exact                 use the exact O(N²) gradient and dense affinities instead of Barnes-Hut (small N
 *                              and cross-checks); default false
 * @param seed                  seed of the initial embedding y ~ N(0, 1e-4·I); same seed → same result
 */
public record TsneOptions(double perplexity, int pcaDims, int iterations, double earlyExaggeration,
                          int exaggerationIterations, double learningRate, double initialMomentum,
                          double finalMomentum, double theta, boolean exact, long seed) {
    /** Validates every field; see the parameter docs. */
    public TsneOptions {
        if (!(perplexity >= 1) || !Double.isFinite(perplexity)) {
            throw new IllegalArgumentException("perplexity must be finite and >= 1, got " + perplexity);
        }
        if (pcaDims < 1) {
            throw new IllegalArgumentException("pcaDims must be >= 1, got " + pcaDims);
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
        }
        if (!(earlyExaggeration >= 1) || !Double.isFinite(earlyExaggeration)) {
            throw new IllegalArgumentException("earlyExaggeration must be finite and >= 1, got " + earlyExaggeration);
        }
        if (exaggerationIterations < 0) {
            throw new IllegalArgumentException("exaggerationIterations must be >= 0, got " + exaggerationIterations);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
        }
        if (!(initialMomentum >= 0 && initialMomentum < 1)) {
            throw new IllegalArgumentException("initialMomentum must be in [0, 1), got " + initialMomentum);
        }
        if (!(finalMomentum >= 0 && finalMomentum < 1)) {
            throw new IllegalArgumentException("finalMomentum must be in [0, 1), got " + finalMomentum);
        }
        if (!(theta > 0) || !Double.isFinite(theta)) {
            throw new IllegalArgumentException("theta must be finite and > 0, got " + theta);
        }
    }

    /** Defaults: perplexity 30, PCA 50, 1000 iterations, exaggeration 12 for 250, η 200, momentum 0.5→0.8, θ 0.5, Barnes-Hut. */
    public static TsneOptions defaults(long seed) {
        return builder().seed(seed).build();
    }

    /** A copy with another iteration count. */
    public TsneOptions withIterations(int it) {
        return toBuilder().iterations(it).build();
    }

    /** A copy with another perplexity. */
    public TsneOptions withPerplexity(double p) {
        return toBuilder().perplexity(p).build();
    }

    /** A copy with exact (true) or Barnes-Hut (false) gradients. */
    public TsneOptions withExact(boolean e) {
        return toBuilder().exact(e).build();
    }

    /** A copy with another θ. */
    public TsneOptions withTheta(double t) {
        return toBuilder().theta(t).build();
    }

    /** @return a builder starting from the defaults ({@link #defaults}, seed 0) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this record's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A {@link TsneOptions} under construction: starts from the defaults or from a record, validated by {@link #build()}. */
    public static final class Builder {
        private double perplexity = 30;
        private int pcaDims = 50;
        private int iterations = 1000;
        private double earlyExaggeration = 12;
        private int exaggerationIterations = 250;
        private double learningRate = 200;
        private double initialMomentum = 0.5;
        private double finalMomentum = 0.8;
        private double theta = 0.5;
        private boolean exact;
        private long seed;

        private Builder() {
        }

        private Builder(TsneOptions r) {
            perplexity = r.perplexity;
            pcaDims = r.pcaDims;
            iterations = r.iterations;
            earlyExaggeration = r.earlyExaggeration;
            exaggerationIterations = r.exaggerationIterations;
            learningRate = r.learningRate;
            initialMomentum = r.initialMomentum;
            finalMomentum = r.finalMomentum;
            theta = r.theta;
            exact = r.exact;
            seed = r.seed;
        }

        /** Sets {@link TsneOptions#perplexity()}; returns this builder. */
        public Builder perplexity(double v) {
            perplexity = v;
            return this;
        }

        /** Sets {@link TsneOptions#pcaDims()}; returns this builder. */
        public Builder pcaDims(int v) {
            pcaDims = v;
            return this;
        }

        /** Sets {@link TsneOptions#iterations()}; returns this builder. */
        public Builder iterations(int v) {
            iterations = v;
            return this;
        }

        /** Sets {@link TsneOptions#earlyExaggeration()}; returns this builder. */
        public Builder earlyExaggeration(double v) {
            earlyExaggeration = v;
            return this;
        }

        /** Sets {@link TsneOptions#exaggerationIterations()}; returns this builder. */
        public Builder exaggerationIterations(int v) {
            exaggerationIterations = v;
            return this;
        }

        /** Sets {@link TsneOptions#learningRate()}; returns this builder. */
        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        /** Sets {@link TsneOptions#initialMomentum()}; returns this builder. */
        public Builder initialMomentum(double v) {
            initialMomentum = v;
            return this;
        }

        /** Sets {@link TsneOptions#finalMomentum()}; returns this builder. */
        public Builder finalMomentum(double v) {
            finalMomentum = v;
            return this;
        }

        /** Sets {@link TsneOptions#theta()}; returns this builder. */
        public Builder theta(double v) {
            theta = v;
            return this;
        }

        /** Sets {@link TsneOptions#exact()}; returns this builder. */
        public Builder exact(boolean v) {
            exact = v;
            return this;
        }

        /** Sets {@link TsneOptions#seed()}; returns this builder. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** Builds and validates the record (the record's constructor throws on a bad value, naming the field). */
        public TsneOptions build() {
            return new TsneOptions(perplexity, pcaDims, iterations, earlyExaggeration, exaggerationIterations, learningRate, initialMomentum, finalMomentum, theta, exact, seed);
        }
    }
}

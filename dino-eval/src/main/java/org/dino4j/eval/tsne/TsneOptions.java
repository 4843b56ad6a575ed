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
        return new TsneOptions(30, 50, 1000, 12, 250, 200, 0.5, 0.8, 0.5, false, seed);
    }

    /** A copy with another iteration count. */
    public TsneOptions withIterations(int it) {
        return new TsneOptions(perplexity, pcaDims, it, earlyExaggeration, exaggerationIterations, learningRate,
                initialMomentum, finalMomentum, theta, exact, seed);
    }

    /** A copy with another perplexity. */
    public TsneOptions withPerplexity(double p) {
        return new TsneOptions(p, pcaDims, iterations, earlyExaggeration, exaggerationIterations, learningRate,
                initialMomentum, finalMomentum, theta, exact, seed);
    }

    /** A copy with exact (true) or Barnes-Hut (false) gradients. */
    public TsneOptions withExact(boolean e) {
        return new TsneOptions(perplexity, pcaDims, iterations, earlyExaggeration, exaggerationIterations,
                learningRate, initialMomentum, finalMomentum, theta, e, seed);
    }

    /** A copy with another θ. */
    public TsneOptions withTheta(double t) {
        return new TsneOptions(perplexity, pcaDims, iterations, earlyExaggeration, exaggerationIterations,
                learningRate, initialMomentum, finalMomentum, t, exact, seed);
    }
}

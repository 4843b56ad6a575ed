package org.dino4j.eval.knn;

import java.util.Arrays;

/**
 * Options of the weighted k-NN classifier (Caron et al. 2021, Sec. 4.1 and Appendix: "weighted nearest neighbor
 * classifier", following Wu et al. 2018).
 *
 * @param ks          neighbour counts evaluated in one pass; default {@code {10, 20, 100, 200}} (the reference
 *                    code's {@code --nb_knn}); each ≥ 1, distinct; copied defensively
 * @param temperature T in the vote weight {@code exp(sim / T)}; default 0.07 (the paper's value); finite, > 0
 * @param chunkSize   number of queries whose similarities to the whole memory set are computed at once; memory
 *                    use is {@code chunkSize × N × 4} bytes (default 256: 61 MB for N = 60 000); ≥ 1
 */
public record KnnOptions(int[] ks, double temperature, int chunkSize) {
    /** The paper's k values. */
    public static final int[] DEFAULT_KS = {10, 20, 100, 200};
    /** The paper's temperature. */
    public static final double DEFAULT_TEMPERATURE = 0.07;
    /** Default query chunk size. */
    public static final int DEFAULT_CHUNK_SIZE = 256;

    /** Validates every field; see the parameter docs. */
    public KnnOptions {
        if (ks == null || ks.length == 0) {
            throw new IllegalArgumentException("ks must list at least one k, got " + Arrays.toString(ks));
        }
        ks = ks.clone();
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] < 1) {
                throw new IllegalArgumentException("ks must all be >= 1, got " + ks[i] + " in " + Arrays.toString(ks));
            }
            for (int j = 0; j < i; j++) {
                if (ks[j] == ks[i]) {
                    throw new IllegalArgumentException("ks must be distinct, got " + ks[i] + " twice in "
                            + Arrays.toString(ks));
                }
            }
        }
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be >= 1, got " + chunkSize);
        }
    }

    /** The paper's defaults: k ∈ {10, 20, 100, 200}, T = 0.07, chunk 256. */
    public static KnnOptions defaults() {
        return new KnnOptions(DEFAULT_KS, DEFAULT_TEMPERATURE, DEFAULT_CHUNK_SIZE);
    }

    /** The k values (a copy). */
    @Override
    public int[] ks() {
        return ks.clone();
    }

    /** Largest k. */
    public int maxK() {
        return Arrays.stream(ks).max().orElseThrow();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KnnOptions other && Arrays.equals(ks, other.ks)
                && Double.compare(temperature, other.temperature) == 0 && chunkSize == other.chunkSize;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(ks) + Double.hashCode(temperature)) + chunkSize;
    }

    @Override
    public String toString() {
        return "KnnOptions[ks=" + Arrays.toString(ks) + ", temperature=" + temperature + ", chunkSize=" + chunkSize + "]";
    }
}

package org.dino4j.eval.features;

import org.dino4j.eval.Checks;

/**
 * Extracted embeddings with their labels.
 *
 * @param features row-major float32 features {@code [N][D]}, one row per image (L2-normalised when produced by
 *                 {@link Features} with normalisation on)
 * @param labels   class label of each row, {@code int[N]}, each ≥ 0
 */
public record Embeddings(float[][] features, int[] labels) {
    /** Validates: non-empty rectangular finite features, one non-negative label per row. */
    public Embeddings {
        Checks.matrix("features", features);
        Checks.labels("labels", labels, features.length, 0);
    }

    /** Number of rows N. */
    public int size() {
        return features.length;
    }

    /** Feature dimension D. */
    public int dim() {
        return features[0].length;
    }

    /** Number of classes: max label + 1. */
    public int numClasses() {
        return Checks.numClasses(labels);
    }
}

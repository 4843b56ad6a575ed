package org.dino4j.eval.tsne;

/**
 * Result of a t-SNE run.
 *
 * @param embedding     2-D coordinates {@code [N][2]}, zero-mean
 * @param klDivergence  final KL(P‖Q) (exact in exact mode; in Barnes-Hut mode with the tree estimate of the
 *                      normaliser Z and the sparse P)
 * @param iterations    iterations run
 * @param millis        wall time of the whole run (PCA included), in milliseconds
 */
public record TsneResult(double[][] embedding, double klDivergence, int iterations, long millis) {
}

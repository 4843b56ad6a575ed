/**
 * dino-eval: evaluation of frozen DINO features (Caron et al. 2021) — feature extraction and export, weighted
 * k-NN, linear probe, Barnes-Hut t-SNE with trustworthiness and silhouette, scatter plots and HTML run reports.
 * {@link org.dino4j.eval.Evaluation} is the entry point used by the {@code dino eval} CLI. See docs/eval.md.
 */
package org.dino4j.eval;

/**
 * The DINO loss (Caron et al. 2021, eq. 1–3; {@code DINOLoss} in the official {@code main_dino.py}) and the
 * teacher center.
 *
 * <p>Layout (view-major, see docs/CONTRACTS.md): student logits {@code z_s [(2+N)·B, K]}, rows
 * {@code [v·B, (v+1)·B)} hold view v (0, 1 global; 2..N+1 local); teacher logits {@code z_t [2B, K]}; center
 * {@code c [1, K]}. With {@code p_t = softmax((z_t − c)/τ_t)} (stop-gradient) and
 * {@code log p_s = log_softmax(z_s/τ_s)}:
 * <pre>
 *   L = (1/P) Σ_{i ∈ {0,1}} Σ_{j ≠ i} (1/B) Σ_b −Σ_k p_t[i,b,k] · log p_s[j,b,k],   P = 2(N+1) pairs.
 * </pre>
 * <ul>
 *   <li>{@link org.dino4j.core.loss.DinoLoss}: the loss training uses — owns τ_s, the current τ_t and the center;
 *       {@code lossAndGradient(teacherLogits, studentLogits, gradOut)} runs the teacher half (centering, sharpening,
 *       targets regrouped by student view) and the student half (cross-entropy and dL/dz_s) as multi-threaded Java
 *       kernels; {@code updateCenter} is the EMA of the center.</li>
 *   <li>{@link org.dino4j.core.loss.DinoLossGraph}: the same loss as a readable SameDiff graph (pair loop,
 *       explicit stop-gradient): the reference to read and to experiment with.</li>
 * </ul>
 */
package org.dino4j.core.loss;

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
 *   <li>{@link org.dino4j.core.loss.DinoLossGraph}: the readable SameDiff reference (pair loop).</li>
 *   <li>{@link org.dino4j.core.loss.FusedDinoLoss}: the multi-threaded CPU kernel, loss and dL/dz_s.</li>
 *   <li>{@link org.dino4j.core.loss.TeacherTargets}: the teacher half (targets for a SameDiff CE), with
 *       entropy monitors.</li>
 *   <li>{@link org.dino4j.core.loss.Center}: the EMA center of the teacher logits.</li>
 * </ul>
 */
package org.dino4j.core.loss;

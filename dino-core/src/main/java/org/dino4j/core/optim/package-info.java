/**
 * The optimisation side of a DINO step (Caron et al. 2021; {@code main_dino.py}), for a model's flat parameter and
 * gradient buffers ({@link org.dino4j.core.model.DinoModel#params()}, {@link org.dino4j.core.model.DinoModel#gradients()},
 * described by {@link org.dino4j.core.model.DinoModel#parameters()}):
 * <ul>
 *   <li>{@link org.dino4j.core.optim.AdamW}: AdamW with decoupled weight decay on the parameters that take it and
 *       last-layer freezing;</li>
 *   <li>{@link org.dino4j.core.optim.GradientClipping}: per-tensor clipping and the last layer's gradient
 *       cancelling;</li>
 *   <li>{@link org.dino4j.core.optim.Schedules}: the per-iteration schedules (learning rate and weight decay with a
 *       warm-up and a cosine, teacher momentum, teacher temperature).</li>
 * </ul>
 * The teacher's EMA is {@link org.dino4j.core.ema.Ema}; the loss and the center are
 * {@link org.dino4j.core.loss.DinoLoss}.
 */
package org.dino4j.core.optim;

package org.dino4j.core.exec;

/**
 * How a model's SameDiff graphs are executed.
 *
 * <ul>
 *   <li>{@link #SESSION}: SameDiff's own session, op by op with its bookkeeping and fresh arrays (the reference);</li>
 *   <li>{@link #PLAN}: an {@link ExecutionPlan} recorded from the session once per input shape: the same ops on
 *       arrays allocated once, bit for bit the session's results;</li>
 *   <li>{@link #FUSED} (default): a plan in which the regions the backbone declared ({@link FusedOp}, e.g.
 *       GroupNorm + ReLU) run as Java kernels; same function, float rounding differs from the session's.
 *       Falls back to {@link #PLAN} where kernels do not apply (DOUBLE models, a GPU backend).</li>
 * </ul>
 *
 * <p>Chosen per model with {@code DinoModel.plans().setExecution}; the {@code dino} command's
 * {@code -Ddino4j.exec=session|plan|fused} sets it for the models it builds.
 */
public enum Execution {
    /** SameDiff's session. */
    SESSION,
    /** Execution plans of SameDiff's ops. */
    PLAN,
    /** Execution plans with fused Java kernels. */
    FUSED
}

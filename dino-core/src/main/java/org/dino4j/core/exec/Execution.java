package org.dino4j.core.exec;

import java.util.Locale;

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
 */
public enum Execution {
    /** SameDiff's session. */
    SESSION,
    /** Execution plans of SameDiff's ops. */
    PLAN,
    /** Execution plans with fused Java kernels. */
    FUSED;

    /**
     * The command line's override ({@code -Ddino4j.exec=session|plan|fused}, read by dino-train at the CLI edge; the
     * models themselves start at {@link #FUSED} without reading it).
     *
     * @return the property's value when set, else {@link #FUSED}
     * @throws IllegalArgumentException naming the property for any other value
     */
    public static Execution fromProperty() {
        String v = System.getProperty("dino4j.exec", "fused").trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "session" -> SESSION;
            case "plan" -> PLAN;
            case "fused" -> FUSED;
            default -> throw new IllegalArgumentException("system property dino4j.exec must be session, plan or fused, got '"
                    + v + "'");
        };
    }
}

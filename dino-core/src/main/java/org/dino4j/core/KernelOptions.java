package org.dino4j.core;

import java.util.Objects;

/**
 * The process-wide choice of dino-core's CPU kernels: whether the Vector API (SIMD) kernels may run, whether the Java
 * host-memory kernels or plain ND4J ops do the work, and whether the SIMD kernels are compiled in the background at
 * start.
 *
 * <p><b>Chosen once per JVM.</b> The first kernel that needs the choice fixes it ({@link #inForce()}); the kernels keep
 * it in static finals, so the JIT folds the untaken path away. {@link #configure} makes the choice before that point,
 * e.g. first thing in an application's {@code main}. dino-core reads no system property: the {@code dino} command
 * turns its {@code -Ddino4j.simd}, {@code -Ddino4j.simd.warmup} and {@code -Ddino4j.kernels} overrides into a
 * {@code configure} call at start (dino-train's {@code RuntimeOverrides}).
 *
 * <pre>{@code
 * KernelOptions.configure(KernelOptions.defaults().withSimd(KernelOptions.SimdMode.OFF)); // before any model runs
 * }</pre>
 *
 * @param simd       the SIMD kernels: {@link SimdMode#AUTO} (default) uses them when the JVM was started with
 *                   {@code --add-modules jdk.incubator.vector} and their self-test passes; {@link SimdMode#OFF} keeps
 *                   the plain-Java loops (same results, slower)
 * @param kernels    {@link Kernels#AUTO} (default): the Java host-memory kernels on ND4J's CPU backend, ND4J ops on
 *                   any other (CUDA); {@link Kernels#HOST} or {@link Kernels#ND4J} force one path
 * @param simdWarmUp whether a low-priority background thread runs the SIMD kernels on throw-away data at start until
 *                   the JIT has compiled them (default true; until then the Vector API runs an allocating fallback)
 */
public record KernelOptions(SimdMode simd, Kernels kernels, boolean simdWarmUp) {

    /** Whether the Vector API kernels may be used. */
    public enum SimdMode {
        /** Used when available (the JVM has {@code jdk.incubator.vector} and the self-test passes). */
        AUTO,
        /** Never used: the plain-Java loops run. */
        OFF
    }

    /** Which implementation of the host kernels runs. */
    public enum Kernels {
        /** Java host-memory kernels on ND4J's CPU backend, ND4J ops elsewhere. */
        AUTO,
        /** Always the Java host-memory kernels (array memory must be host resident). */
        HOST,
        /** Always ND4J ops. */
        ND4J
    }

    private static final Choice PROCESS = new Choice();

    /** @throws NullPointerException if {@code simd} or {@code kernels} is null */
    public KernelOptions {
        Objects.requireNonNull(simd, "simd");
        Objects.requireNonNull(kernels, "kernels");
    }

    /** @return SIMD {@link SimdMode#AUTO}, kernels {@link Kernels#AUTO}, warm-up on */
    public static KernelOptions defaults() {
        return new KernelOptions(SimdMode.AUTO, Kernels.AUTO, true);
    }

    /** @return these options with {@link #simd()} replaced */
    public KernelOptions withSimd(SimdMode m) {
        return new KernelOptions(m, kernels, simdWarmUp);
    }

    /** @return these options with {@link #kernels()} replaced */
    public KernelOptions withKernels(Kernels k) {
        return new KernelOptions(simd, k, simdWarmUp);
    }

    /** @return these options with {@link #simdWarmUp()} replaced */
    public KernelOptions withSimdWarmUp(boolean on) {
        return new KernelOptions(simd, kernels, on);
    }

    /**
     * Makes {@code options} this JVM's choice. Call it before any dino-core kernel runs; later calls before that point
     * replace the choice, calls after it must repeat the choice in force.
     *
     * @param options the choice
     * @throws IllegalStateException if a kernel already fixed a different choice
     */
    public static void configure(KernelOptions options) {
        PROCESS.configure(options);
    }

    /**
     * The choice in force; the first call fixes it for the life of the JVM (the kernels call this when they first
     * need it).
     *
     * @return the configured options, or {@link #defaults()} if {@link #configure} was never called
     */
    public static KernelOptions inForce() {
        return PROCESS.fix();
    }

    /** The once-per-JVM choice: open until {@link #fix()}, then only the same options are accepted. */
    static final class Choice {
        private KernelOptions options = defaults();
        private boolean fixed;

        synchronized void configure(KernelOptions o) {
            Objects.requireNonNull(o, "options");
            if (fixed && !o.equals(options)) {
                throw new IllegalStateException("dino-core's kernels already run with " + options + " in this JVM; "
                        + "KernelOptions.configure(" + o + ") must come before the first model, loss or EMA runs");
            }
            options = o;
        }

        synchronized KernelOptions fix() {
            fixed = true;
            return options;
        }
    }
}

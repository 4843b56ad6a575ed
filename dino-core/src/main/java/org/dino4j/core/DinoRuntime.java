package org.dino4j.core;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.function.Supplier;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Process-wide ND4J runtime settings for dino4j: the number of native (OpenMP) threads and a helper that
 * silences SameDiff's {@code System.out} chatter (e.g. "Added differentiated op …" printed by
 * {@code createGradFunction} in 1.0.0-M2.1).
 */
public final class DinoRuntime {
    private static final Object OUT_LOCK = new Object();

    private DinoRuntime() {
    }

    /**
     * Sets the native thread counts of this process: libnd4j's master threads
     * ({@code Environment.setMaxMasterThreads}; in 1.0.0-M2.1 {@code Environment.setMaxThreads} is a no-op,
     * so the thread pool itself keeps its start-up size), the BLAS threads ({@code Blas.setMaxThreads}) and,
     * when the backend provides it, OpenMP's {@code omp_set_num_threads} (via {@code NativeOps}, looked up
     * reflectively so that this module needs only nd4j-api). For a hard limit start the JVM with
     * {@code OMP_NUM_THREADS}.
     *
     * @param threads number of threads, &gt;= 1
     */
    public static void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        try {
            Nd4j.factory().blas().setMaxThreads(threads);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            // backend without a settable BLAS thread count
        }
        try {
            Class<?> holder = Class.forName("org.nd4j.nativeblas.NativeOpsHolder");
            Object inst = holder.getMethod("getInstance").invoke(null);
            Object ops = holder.getMethod("getDeviceNativeOps").invoke(inst);
            ops.getClass().getMethod("setOmpNumThreads", int.class).invoke(ops, threads);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // not a native backend
        }
    }

    /** @return libnd4j's current maximum number of master threads (what {@link #setThreads} sets) */
    public static int threads() {
        return Nd4j.getEnvironment().maxMasterThreads();
    }

    /**
     * Runs {@code action} with {@code System.out} redirected to nowhere (process-wide, so other threads'
     * prints are lost meanwhile; use it only around graph construction).
     *
     * @param action what to run
     * @param <T> result type
     * @return the action's result
     */
    public static <T> T quietly(Supplier<T> action) {
        synchronized (OUT_LOCK) {
            PrintStream old = System.out;
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            try {
                return action.get();
            } finally {
                System.setOut(old);
            }
        }
    }
}

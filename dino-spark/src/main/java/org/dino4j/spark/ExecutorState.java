package org.dino4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.dino4j.core.DinoRuntime;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What an executor JVM keeps between tasks: the networks built from a broadcast {@link BackboneSource} and the
 * ND4J thread setting.
 *
 * <p>A network is built the first time a task slot needs one and returned to a pool when the task ends, so an
 * executor with c cores builds at most c networks per source however many partitions it runs (SameDiff graphs
 * are not thread-safe, so concurrent tasks cannot share one). Only the two most recent sources are kept.
 *
 * <p>Threads: each task runs its ND4J ops on {@code threadsPerTask} native threads (default 1): Spark already
 * runs one task per core, and more threads per op only compete with the other tasks.
 */
final class ExecutorState {
    private static final Map<String, Deque<Function<INDArray, INDArray>>> POOLS = new LinkedHashMap<>();
    private static final AtomicInteger BUILDS = new AtomicInteger();
    private static int threads;

    private ExecutorState() {
    }

    /** Sets this JVM's ND4J threads once per value (a no-op when already set). */
    static synchronized void threads(int threadsPerTask) {
        if (threads != threadsPerTask) {
            DinoRuntime.setThreads(threadsPerTask);
            threads = threadsPerTask;
        }
    }

    /** A network of {@code source} for the calling task: from the pool, or built now. Give it back with {@link #release}. */
    static Function<INDArray, INDArray> borrow(BackboneSource source) {
        synchronized (POOLS) {
            Deque<Function<INDArray, INDArray>> pool = POOLS.get(source.id());
            if (pool != null && !pool.isEmpty()) {
                return pool.pop();
            }
        }
        try {
            Function<INDArray, INDArray> net = source.newNetwork();
            BUILDS.incrementAndGet();
            return net;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns a network to its source's pool. */
    static void release(BackboneSource source, Function<INDArray, INDArray> net) {
        synchronized (POOLS) {
            POOLS.computeIfAbsent(source.id(), k -> new ArrayDeque<>()).push(net);
            while (POOLS.size() > 2) {
                POOLS.remove(POOLS.keySet().iterator().next());
            }
        }
    }

    /** Networks built in this JVM so far (tests check the once-per-slot promise with it). */
    static int builds() {
        return BUILDS.get();
    }
}

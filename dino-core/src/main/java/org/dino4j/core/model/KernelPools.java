package org.dino4j.core.model;

import org.dino4j.core.util.Parallel;

import java.util.HashMap;
import java.util.Map;

/**
 * Process-wide {@link Parallel} pools shared by the Java kernels of execution plans, one per thread count, so that
 * plans (one per graph and input shape) do not each start threads. The pools' threads are daemons and live as long
 * as the process.
 */
final class KernelPools {
    private static final Map<Integer, Parallel> POOLS = new HashMap<>();

    private KernelPools() {
    }

    /**
     * @param threads threads including the caller, {@code >= 1}
     * @return the shared pool of that size
     */
    public static synchronized Parallel get(int threads) {
        return POOLS.computeIfAbsent(threads, Parallel::new);
    }
}

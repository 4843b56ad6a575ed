package org.dino4j.core.util;

import java.lang.management.ManagementFactory;

/**
 * Bytes a kernel allocates per call once the JIT has compiled it: rounds of calls go on (up to ~20 s) until a round
 * allocates less than {@code limit} bytes per call, since on a busy machine C2 may still be compiling after the
 * first rounds; a kernel left to the Vector API's fallback never gets there, and the last round's figure is returned.
 */
final class CompiledAllocation {
    private CompiledAllocation() {
    }

    static long perCall(Runnable kernel, long limit) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long perCall = Long.MAX_VALUE;
        for (int round = 0; round < 40 && perCall >= limit; round++) {
            for (int call = 0; call < 20_000; call++) {
                kernel.run();
            }
            int calls = 2000;
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int call = 0; call < calls; call++) {
                kernel.run();
            }
            perCall = (threads.getCurrentThreadAllocatedBytes() - before) / calls;
            if (perCall >= limit) {
                try {
                    Thread.sleep(200); // leave the compiler threads a core
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
        return perCall;
    }
}

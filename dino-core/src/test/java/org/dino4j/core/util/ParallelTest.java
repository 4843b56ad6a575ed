package org.dino4j.core.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void everyIndexRunsExactlyOnceWithContiguousChunks() {
        for (int threads : new int[] {1, 2, 3, 8}) {
            try (Parallel p = new Parallel(threads)) {
                for (int n : new int[] {0, 1, 2, 5, 1000}) {
                    for (int grain : new int[] {1, 7, 10_000}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, n));
                        AtomicIntegerArray workerSeen = new AtomicIntegerArray(threads);
                        p.forEach(n, grain, (w, from, to) -> {
                            assertTrue(from <= to);
                            workerSeen.incrementAndGet(w);
                            for (int i = from; i < to; i++) {
                                hits.incrementAndGet(i);
                            }
                        });
                        for (int i = 0; i < n; i++) {
                            assertEquals(1, hits.get(i), "threads=" + threads + " n=" + n + " i=" + i);
                        }
                        for (int w = 0; w < threads; w++) {
                            assertTrue(workerSeen.get(w) <= 1, "each worker one chunk");
                        }
                    }
                }
            }
        }
    }

    @Test
    void workerExceptionsReachTheCaller() {
        try (Parallel p = new Parallel(3)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.forEach(30, 1, (w, f, t) -> {
                if (w == 2) {
                    throw new IllegalStateException("boom in worker 2");
                }
            }));
            assertEquals("boom in worker 2", e.getMessage());
            // The pool still works afterwards.
            AtomicIntegerArray hits = new AtomicIntegerArray(30);
            p.forEach(30, 1, (w, f, t) -> {
                for (int i = f; i < t; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 30; i++) {
                assertEquals(1, hits.get(i));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Parallel(0));
    }
}

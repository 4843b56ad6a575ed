package org.dino4j.core.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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

    @Test
    void contiguityAndOffsetsOfViews() {
        INDArray a = Nd4j.create(DataType.FLOAT, 6, 4);
        assertTrue(HostArrays.isCContiguous(a));
        INDArray rows = a.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all());
        assertTrue(HostArrays.isCContiguous(rows));
        assertEquals(8, HostArrays.base(rows));
        HostArrays.floats(rows).put(HostArrays.base(rows), 5f);
        assertEquals(5f, a.getFloat(2, 0), 0f);
        assertTrue(!HostArrays.isCContiguous(a.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2))));
        assertTrue(!HostArrays.isCContiguous(a.dup('f')));
        assertTrue(HostArrays.isCContiguous(Nd4j.create(DataType.FLOAT, 1, 4).dup('f')));
        boolean forcedNd4j = "nd4j".equals(System.getProperty("dino4j.kernels"));
        assertEquals(!forcedNd4j, HostArrays.hostKernels(), "CPU backend in tests: Java kernels on unless forced off");
    }
}

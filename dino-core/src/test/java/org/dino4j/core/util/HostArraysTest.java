package org.dino4j.core.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dino4j.core.KernelOptions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class HostArraysTest {

    @Test
    void contiguityAndOffsetsOfViews() {
        INDArray a = Nd4j.create(DataType.FLOAT, 6, 4);
        assertTrue(HostArrays.isCContiguous(a));
        INDArray rows = a.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all());
        assertTrue(HostArrays.isCContiguous(rows));
        assertEquals(8, HostArrays.base(rows));
        HostArrays.floats(rows).put(HostArrays.base(rows), 5f);
        assertEquals(5f, a.getFloat(2, 0), 0f);
        HostArrays.bytes(rows).putFloat(4 * (HostArrays.base(rows) + 1), 7f);
        assertEquals(7f, a.getFloat(2, 1), 0f, "the byte view is native order, absolute");
        assertFalse(HostArrays.isCContiguous(a.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2))));
        assertFalse(HostArrays.isCContiguous(a.dup('f')));
        assertTrue(HostArrays.isFContiguous(a.dup('f')));
        assertFalse(HostArrays.isFContiguous(a));
        assertTrue(HostArrays.isCContiguous(Nd4j.create(DataType.FLOAT, 1, 4).dup('f')), "size-1 dimensions");
    }

    @Test
    void theBackendSwitchFollowsTheKernelOptions() {
        boolean forcedNd4j = KernelOptions.inForce().kernels() == KernelOptions.Kernels.ND4J;
        assertTrue(HostArrays.isCpuBackend(), "tests run on the CPU backend");
        assertEquals(!forcedNd4j, HostArrays.hostKernels(), "CPU backend in tests: Java kernels unless forced off");
        INDArray f = Nd4j.create(DataType.FLOAT, 3, 3);
        assertEquals(!forcedNd4j, HostArrays.hostReady(f, DataType.FLOAT));
        assertFalse(HostArrays.hostReady(f, DataType.DOUBLE), "another type");
        assertFalse(HostArrays.hostReady(f.dup('f'), DataType.FLOAT), "not 'c'-contiguous");
    }

    @Test
    void argumentChecksNameTheArgument() {
        assertArrayEquals(new long[] {2, 3}, HostArrays.requireMatrix(Nd4j.create(DataType.FLOAT, 2, 3), "logits"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostArrays.requireMatrix(Nd4j.create(DataType.FLOAT, 2, 3, 4), "logits"));
        assertTrue(e.getMessage().startsWith("logits must be rank 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HostArrays.requireMatrix(null, "logits"));
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            e = assertThrows(IllegalArgumentException.class, () -> HostArrays.requirePositive(bad, "tau"));
            assertTrue(e.getMessage().startsWith("tau must be > 0"), e.getMessage());
        }
        HostArrays.requirePositive(0.04, "tau");
        assertThrows(IllegalArgumentException.class, () -> HostArrays.floats(Nd4j.create(DataType.DOUBLE, 2)));
        assertThrows(IllegalArgumentException.class, () -> HostArrays.doubles(Nd4j.create(DataType.FLOAT, 2)));
    }
}

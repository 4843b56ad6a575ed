package org.dino4j.core.ema;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class EmaTest {

    private static INDArray random(Random rnd, int n, DataType dt) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian();
        }
        return Nd4j.createFromArray(v).castTo(dt);
    }

    @Test
    void flatUpdateMatchesFloat64LoopInPlaceAndViewsSeeIt() {
        Random rnd = new Random(3);
        for (int n : new int[] {1, 4095, 4097, 200_001}) {
            for (double lambda : new double[] {0.0, 0.996, 1.0}) {
                try (Ema ema = new Ema(2)) {
                    INDArray t = random(rnd, n, DataType.FLOAT);
                    INDArray s = random(rnd, n, DataType.FLOAT);
                    INDArray view = t.get(NDArrayIndex.interval(0, Math.min(n, 3)));
                    double[] td = t.toDoubleVector();
                    double[] sd = s.toDoubleVector();
                    long address = t.data().address();
                    INDArray sameObject = t;
                    ema.update(t, s, lambda);
                    assertSame(sameObject, t);
                    assertEquals(address, t.data().address());
                    for (int i = 0; i < n; i++) {
                        double expect = (float) lambda * td[i] + (float) (1 - lambda) * sd[i];
                        assertEquals(expect, t.getDouble(i), 1e-6 * Math.max(1, Math.abs(expect)), "n=" + n + " i=" + i);
                    }
                    assertEquals(t.getDouble(0), view.getDouble(0), 0.0, "views of the buffer see the update");
                    assertArrayEquals(sd, s.toDoubleVector(), 0.0, "student untouched");
                }
            }
        }
    }

    @Test
    void parameterViewsOfOneFlatBufferAndListOverload() {
        Random rnd = new Random(4);
        INDArray flatT = random(rnd, 50, DataType.FLOAT);
        INDArray flatS = random(rnd, 50, DataType.FLOAT);
        INDArray expect = flatT.mul(0.9).addi(flatS.mul(0.1));
        // "Parameters" as views: [4,5] at 0, [30] at 20 (offset views, reshaped).
        List<INDArray> tp = List.of(flatT.get(NDArrayIndex.interval(0, 20)).reshape(4, 5),
                flatT.get(NDArrayIndex.interval(20, 50)));
        List<INDArray> sp = List.of(flatS.get(NDArrayIndex.interval(0, 20)).reshape(4, 5),
                flatS.get(NDArrayIndex.interval(20, 50)));
        try (Ema ema = new Ema(2)) {
            ema.update(tp, sp, 0.9);
        }
        assertArrayEquals(expect.toFloatVector(), flatT.toFloatVector(), 1e-6f);
    }

    @Test
    void threadCountIndependentAndFallbackAgrees() {
        Random rnd = new Random(5);
        INDArray t0 = random(rnd, 300_000, DataType.FLOAT);
        INDArray s = random(rnd, 300_000, DataType.FLOAT);
        float[] first = null;
        for (int threads : new int[] {1, 2, 3}) {
            INDArray t = t0.dup();
            try (Ema ema = new Ema(threads)) {
                ema.update(t, s, 0.99);
            }
            if (first == null) {
                first = t.toFloatVector();
            } else {
                assertArrayEquals(first, t.toFloatVector(), 0f, "threads=" + threads);
            }
        }
        INDArray tf = t0.dup();
        Ema.nd4j(tf, s, 0.99);
        assertArrayEquals(first, tf.toFloatVector(), 1e-6f, "ND4J muli+axpy fallback");
        INDArray td = t0.castTo(DataType.DOUBLE);
        try (Ema ema = new Ema(2)) {
            ema.update(td, s.castTo(DataType.DOUBLE), 0.99);
        }
        double[] t0d = t0.toDoubleVector();
        double[] sd = s.toDoubleVector();
        for (int i = 0; i < t0d.length; i += 997) {
            assertEquals(0.99 * t0d[i] + 0.01 * sd[i], td.getDouble(i), 1e-12, "DOUBLE i=" + i);
        }
    }

    @Test
    void simdPathIsOnUnderTheTestJvmAndBitIdenticalToTheBlockedCopy() {
        // surefire starts the JVM with --add-modules jdk.incubator.vector (parent pom), so the default instance
        // must run the SIMD path; the forced blocked-copy instance must give the same bits, also on views whose
        // offsets are not multiples of the vector length and lengths with a scalar tail.
        try (Ema def = new Ema(2)) {
            assertEquals(org.dino4j.core.util.Simd.enabled(), def.simd(), "Ema follows Simd.enabled()");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(org.dino4j.core.util.Simd.enabled(), "SIMD switched off");
        Random rnd = new Random(6);
        INDArray t0 = random(rnd, 70_001, DataType.FLOAT);
        INDArray s0 = random(rnd, 70_003, DataType.FLOAT);
        for (int[] window : new int[][] {{0, 70_001}, {1, 69_998}, {7, 33}, {13, 3}}) {
            INDArray a = t0.dup();
            INDArray b = t0.dup();
            INDArray tv1 = a.get(NDArrayIndex.interval(window[0], window[0] + window[1]));
            INDArray tv2 = b.get(NDArrayIndex.interval(window[0], window[0] + window[1]));
            INDArray sv = s0.get(NDArrayIndex.interval(2, 2 + window[1]));
            try (Ema simd = new Ema(2); Ema blocked = Ema.withoutSimd(2)) {
                assertTrue(simd.simd());
                assertTrue(!blocked.simd());
                simd.update(tv1, sv, 0.996);
                blocked.update(tv2, sv, 0.996);
            }
            assertArrayEquals(b.toFloatVector(), a.toFloatVector(), 0f, "window " + window[0] + "+" + window[1]);
            float[] before = t0.toFloatVector();
            float[] after = a.toFloatVector();
            float[] sf = s0.toFloatVector();
            for (int i = 0; i < after.length; i++) {
                boolean inside = i >= window[0] && i < window[0] + window[1];
                float expect = inside ? (float) 0.996 * before[i] + (float) (1 - 0.996) * sf[i - window[0] + 2] : before[i];
                assertEquals(expect, after[i], 0f, "i=" + i + (inside ? "" : " (outside the view must stay as it was)"));
            }
        }
    }

    @Test
    void badInputsThrow() {
        try (Ema ema = new Ema(1)) {
            INDArray a = Nd4j.zeros(DataType.FLOAT, 5);
            INDArray b = Nd4j.zeros(DataType.FLOAT, 6);
            assertMessage("same length", () -> ema.update(a, b, 0.9));
            assertMessage("lambda", () -> ema.update(a, a.dup(), 1.5));
            assertMessage("lambda", () -> ema.update(a, a.dup(), Double.NaN));
            assertMessage("floating-point type", () -> ema.update(a, Nd4j.zeros(DataType.DOUBLE, 5), 0.9));
            assertMessage("teacher[1]", () -> ema.update(List.of(a, a), List.of(a.dup(), b), 0.9));
            assertMessage("equal size", () -> ema.update(List.of(a), List.of(), 0.9));
        }
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' should mention " + fragment);
    }
}

package org.dino4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Every EMA variant does the same arithmetic: checked against a float64 loop over the initial values. */
class EmaBenchmarkTest {

    private static final int P = 400_000;
    private static final double L = EmaBenchmark.LAMBDA;

    private static EmaBenchmark fresh() {
        EmaBenchmark b = new EmaBenchmark();
        b.parameters = P;
        b.threads = 2;
        b.setUp();
        return b;
    }

    private static void checkFlatVariant(Consumer<EmaBenchmark> variant) {
        EmaBenchmark b = fresh();
        try {
            float[] t0 = b.flatTeacher().toFloatVector();
            float[] s0 = b.flatStudent().toFloatVector();
            variant.accept(b);
            float[] t1 = b.flatTeacher().toFloatVector();
            assertEquals(P, t1.length);
            int changed = 0;
            for (int i = 0; i < P; i++) {
                double want = L * t0[i] + (1 - L) * s0[i];
                assertEquals(want, t1[i], 1e-7, "element " + i);
                if (t1[i] != t0[i]) {
                    changed++;
                }
            }
            assertTrue(changed > P / 2, "the update must change the teacher, changed " + changed);
        } finally {
            b.tearDown();
        }
    }

    @Test
    void kernelMatchesFloat64Loop() {
        checkFlatVariant(EmaBenchmark::kernel);
    }

    @Test
    void kernelBlockedMatchesFloat64Loop() {
        checkFlatVariant(EmaBenchmark::kernelBlocked);
    }

    @Test
    void kernelPerArrayMatchesFloat64Loop() {
        checkFlatVariant(EmaBenchmark::kernelPerArray);
    }

    @Test
    void nd4jMuliAxpyMatchesFloat64Loop() {
        checkFlatVariant(EmaBenchmark::nd4jMuliAxpy);
    }

    @Test
    void nd4jMuliAddiMatchesFloat64Loop() {
        checkFlatVariant(EmaBenchmark::nd4jMuliAddi);
    }

    @Test
    void javaLoopAndBandwidthReferencesTouchEveryElement() {
        EmaBenchmark b = fresh();
        try {
            float[] t0 = b.flatTeacher().toFloatVector();
            float[] s0 = b.flatStudent().toFloatVector();
            float[][] arrays = b.javaLoop();
            int i = 0;
            for (float[] arr : arrays) {
                for (float v : arr) {
                    assertEquals(L * t0[i] + (1 - L) * s0[i], v, 1e-7, "javaLoop element " + i);
                    i++;
                }
            }
            assertEquals(P, i);
            float[] a = b.triad();
            for (int j = 0; j < P; j++) {
                assertEquals(s0[j] + (1 - L) * t0[j], a[j], 1e-7, "triad element " + j);
            }
            a = b.copy();
            for (int j = 0; j < P; j++) {
                assertEquals(s0[j], a[j], 0.0, "copy element " + j);
            }
        } finally {
            b.tearDown();
        }
    }
}

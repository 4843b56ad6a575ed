package org.dino4j.core.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CenterTest {

    @Test
    void updatesMatchFloat64LoopInPlace() {
        Random rnd = new Random(17);
        for (int kk : new int[] {1, 7, 4096}) {
            for (int rows : new int[] {2, 32}) {
                try (Center center = new Center(kk, 0.9, 2)) {
                    INDArray arr = center.center();
                    long address = arr.data().address();
                    double[] ref = new double[kk];
                    assertEquals(0.0, arr.amaxNumber().doubleValue(), 0.0, "starts at zero");
                    for (int step = 0; step < 3; step++) {
                        INDArray zt = Float64Reference.randomLogits(rnd, rows, kk, 2.0, DataType.FLOAT);
                        double[][] z = Float64Reference.rows(zt);
                        for (int k = 0; k < kk; k++) {
                            double mean = 0;
                            for (double[] row : z) {
                                mean += row[k];
                            }
                            ref[k] = 0.9 * ref[k] + 0.1 * mean / rows;
                        }
                        center.update(zt);
                        assertSame(arr, center.center(), "same array object");
                        assertEquals(address, center.center().data().address(), "same memory");
                        for (int k = 0; k < kk; k++) {
                            assertEquals(ref[k], arr.getDouble(0, k), 1e-6, "K=" + kk + " rows=" + rows + " k=" + k);
                        }
                    }
                }
            }
        }
    }

    @Test
    void threadCountDoesNotChangeBitsAndDoubleInputFallsBack() {
        Random rnd = new Random(1);
        INDArray zt = Float64Reference.randomLogits(rnd, 24, 3000, 3.0, DataType.FLOAT);
        float[] first = null;
        for (int threads : new int[] {1, 2, 4}) {
            try (Center c = new Center(3000, 0.9, threads)) {
                c.update(zt);
                c.update(zt.mul(0.5));
                float[] got = c.center().data().asFloat();
                if (first == null) {
                    first = got;
                } else {
                    assertArrayEquals(first, got, 0f, "threads=" + threads);
                }
            }
        }
        try (Center c = new Center(3000, 0.9, 1)) {
            c.update(zt.castTo(DataType.DOUBLE));
            c.update(zt.mul(0.5).castTo(DataType.DOUBLE));
            assertArrayEquals(first, c.center().data().asFloat(), 1e-6f, "ND4J fallback");
        }
    }

    @Test
    void badInputsThrow() {
        DinoLossTest.assertMessage("momentum", () -> new Center(4, 1.0, 1));
        DinoLossTest.assertMessage("momentum", () -> new Center(4, -0.1, 1));
        DinoLossTest.assertMessage("momentum", () -> new Center(4, Double.NaN, 1));
        DinoLossTest.assertMessage("k", () -> new Center(0, 0.9, 1));
        DinoLossTest.assertMessage("threads", () -> new Center(4, 0.9, 0));
        try (Center c = new Center(4, 0.9, 1)) {
            DinoLossTest.assertMessage("[rows >= 1, 4]", () -> c.update(Nd4j.rand(DataType.FLOAT, 3, 5)));
            DinoLossTest.assertMessage("rank 2", () -> c.update(Nd4j.rand(DataType.FLOAT, 4)));
        }
    }
}

package org.dino4j.core.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.commons.math3.special.Erf;
import org.dino4j.core.util.Parallel;
import org.dino4j.core.util.Simd;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The Java row kernels of the imported ViT against double-precision loops (run with SIMD on and off). */
class RowKernelsTest {

    @Test
    void erfIsWithinHalfAMillionthOfTheDoubleErf() {
        double worst = 0;
        for (int i = -600_000; i <= 600_000; i++) {
            float x = i * 1e-5f;
            worst = Math.max(worst, Math.abs(RowKernels.erf(x) - Erf.erf(x)));
        }
        assertTrue(worst < 5e-7, "max |erf error| " + worst);
        assertEquals(1f, RowKernels.erf(9f));
        assertEquals(-1f, RowKernels.erf(-100f));
    }

    @Test
    void biasGeluMatchesTheExactFormula() {
        Random r = new Random(1);
        int rows = 37;
        int n = 53; // not a multiple of the vector width
        float[] x = new float[rows * n];
        float[] bias = new float[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (3 * r.nextGaussian());
        }
        for (int k = 0; k < n; k++) {
            bias[k] = (float) r.nextGaussian();
        }
        INDArray a = Nd4j.createFromArray(x).reshape('c', rows, n);
        try (Parallel p = new Parallel(2)) {
            new RowKernels(p).biasGelu(a, bias);
        }
        float[] got = a.data().asFloat();
        float[] scalar = x.clone();
        for (int row = 0; row < rows; row++) {
            RowKernels.geluRow(scalar, row * n, n, bias);
        }
        assertArrayEquals(scalar, got, "the vector path (SIMD " + Simd.enabled() + ") equals the scalar loop bit for bit");
        for (int i = 0; i < x.length; i++) {
            double z = x[i] + bias[i % n];
            double exact = 0.5 * z * (1 + Erf.erf(z / Math.sqrt(2)));
            assertEquals(exact, got[i], 2e-6 * Math.max(1, Math.abs(z)), "element " + i);
        }
    }

    @Test
    void layerNormWithFoldedBiasMatchesADoubleLoop() {
        Random r = new Random(2);
        int rows = 29;
        int n = 67;
        float[] x = new float[rows * n];
        float[] bias = new float[n];
        float[] g = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (5 + 4 * r.nextGaussian());
        }
        for (int k = 0; k < n; k++) {
            bias[k] = (float) r.nextGaussian();
            g[k] = (float) (1 + 0.3 * r.nextGaussian());
            b[k] = (float) r.nextGaussian();
        }
        INDArray a = Nd4j.createFromArray(x).reshape('c', rows, n);
        INDArray y = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, rows, n);
        try (Parallel p = new Parallel(2)) {
            new RowKernels(p).layerNorm(a, bias, y, g, b, 1e-6);
        }
        float[] xs = a.data().asFloat();
        float[] ys = y.data().asFloat();
        for (int row = 0; row < rows; row++) {
            double mean = 0;
            for (int k = 0; k < n; k++) {
                double v = (double) x[row * n + k] + bias[k];
                assertEquals((float) v, xs[row * n + k], "x holds x + bias");
                mean += v;
            }
            mean /= n;
            double var = 0;
            for (int k = 0; k < n; k++) {
                double d = (double) x[row * n + k] + bias[k] - mean;
                var += d * d;
            }
            var /= n;
            for (int k = 0; k < n; k++) {
                double e = ((double) x[row * n + k] + bias[k] - mean) / Math.sqrt(var + 1e-6) * g[k] + b[k];
                assertEquals(e, ys[row * n + k], 2e-5, "row " + row + " column " + k);
            }
        }
    }

    @Test
    void bicubicWeightsArePyTorchsForTheOfficialScale() {
        // grid 14 -> 10 cells: PyTorch samples x = (i + 0.5)·14/10.1 − 0.5 (scale from (g + 0.1)/G, not g/G)
        double[][] w = BicubicPositions.axisWeights(10, 14);
        for (double[] row : w) {
            double s = 0;
            for (double v : row) {
                s += v;
            }
            assertEquals(1.0, s, 1e-9);
        }
        double x = (0 + 0.5) * 14 / 10.1 - 0.5; // 0.193…: cells -1..2 around floor 0, -1 clamped onto 0
        double t = x;
        double a = -0.75;
        double c0 = ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a;
        double c1 = ((a + 2) * t - (a + 3)) * t * t + 1;
        assertEquals(c0 + c1, w[0][0], 1e-6);
        assertTrue(BicubicPositions.unchanged(224, 224, 16, 14));
        assertTrue(!BicubicPositions.unchanged(224, 230, 16, 14), "non-square images are resampled, as the official code");
        double[][] id = BicubicPositions.matrix(3, 3, 3);
        assertEquals(9, id.length);
    }
}

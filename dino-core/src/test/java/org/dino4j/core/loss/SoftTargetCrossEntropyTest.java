package org.dino4j.core.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link SoftTargetCrossEntropy} against a plain float64 loop of L = Σ_r w_r·(−Σ_k t_rk log softmax(z_r/τ)_k) and
 * its gradient, over a grid of sizes, on the host kernel (FLOAT; run once with SIMD and once with
 * {@code -Ddino4j.simd=off} by the build) and the ND4J path (DOUBLE, strided input).
 */
class SoftTargetCrossEntropyTest {
    private static SoftTargetCrossEntropy kernel;

    @BeforeAll
    static void setUp() {
        kernel = new SoftTargetCrossEntropy(2);
    }

    @AfterAll
    static void tearDown() {
        kernel.close();
    }

    /** Random non-negative targets; rows sum to 1 unless {@code unnormalised} (then to 0.5–2.5, as weights may). */
    static INDArray targets(Random rnd, int rows, int k, boolean unnormalised, DataType dt) {
        double[][] t = new double[rows][k];
        for (double[] row : t) {
            double s = 0;
            for (int i = 0; i < k; i++) {
                row[i] = rnd.nextDouble() < 0.3 ? 0 : rnd.nextDouble();
                s += row[i];
            }
            double norm = unnormalised ? (0.5 + 2 * rnd.nextDouble()) / Math.max(s, 1e-12) : 1 / Math.max(s, 1e-12);
            for (int i = 0; i < k; i++) {
                row[i] *= norm;
            }
        }
        return Nd4j.createFromArray(t).castTo(dt);
    }

    /** float64 reference: {loss, then the gradient row-major}. */
    static double[] reference(double[][] z, double[][] t, double[] w, double tau) {
        int rows = z.length;
        int k = z[0].length;
        double[] out = new double[1 + rows * k];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z[r]) {
                max = Math.max(max, v / tau);
            }
            double sum = 0;
            for (double v : z[r]) {
                sum += Math.exp(v / tau - max);
            }
            double lse = max + Math.log(sum);
            double n = 0;
            for (int i = 0; i < k; i++) {
                n += t[r][i];
                out[0] -= w[r] * t[r][i] * (z[r][i] / tau - lse);
            }
            for (int i = 0; i < k; i++) {
                out[1 + r * k + i] = w[r] / tau * (n * Math.exp(z[r][i] / tau - lse) - t[r][i]);
            }
        }
        return out;
    }

    private static void check(Random rnd, int rows, int k, double tau, boolean unnormalised, DataType dt, boolean strided,
                              boolean flatWeights, double relTol) {
        INDArray z = Float64Reference.randomLogits(rnd, rows, k, 3.0, dt);
        if (strided) {
            z = Float64Reference.randomLogits(rnd, rows, 2 * k, 3.0, dt).get(
                    org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2, 2 * k));
        }
        INDArray t = targets(rnd, rows, k, unnormalised, dt);
        double[] w = new double[rows];
        for (int r = 0; r < rows; r++) {
            w[r] = 0.05 + rnd.nextDouble();
        }
        INDArray wa = Nd4j.createFromArray(w).castTo(dt);
        if (!flatWeights) {
            wa = wa.reshape(rows, 1);
        }
        INDArray g = Nd4j.create(dt, rows, k);
        double loss = kernel.lossAndGradient(z, t, wa, tau, g);
        double[] ref = reference(Float64Reference.rows(z), Float64Reference.rows(t), w, tau);
        String at = "R=" + rows + " K=" + k + " tau=" + tau + " unnormalised=" + unnormalised + " " + dt
                + (strided ? " strided" : "");
        assertEquals(ref[0], loss, relTol * Math.abs(ref[0]) + 1e-12, at);
        double scale = 0;
        double err = 0;
        double[][] gr = Float64Reference.rows(g);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < k; i++) {
                scale = Math.max(scale, Math.abs(ref[1 + r * k + i]));
                err = Math.max(err, Math.abs(ref[1 + r * k + i] - gr[r][i]));
            }
        }
        assertTrue(scale > 0, at);
        assertTrue(err <= relTol * scale, at + ": gradient max abs err " + err + " vs max |g| " + scale);
        assertEquals(loss, kernel.lossAndGradient(z, t, wa, tau, null), 0.0, "loss-only call " + at);
    }

    @Test
    void hostKernelMatchesFloat64LoopOverGrid() {
        Random rnd = new Random(7);
        for (int rows : new int[] {1, 5, 33}) {
            for (int k : new int[] {2, 17, 1024}) {
                for (double tau : new double[] {0.1, 1.0}) {
                    check(rnd, rows, k, tau, false, DataType.FLOAT, false, rows % 2 == 1, 1e-5);
                }
            }
        }
    }

    @Test
    void targetRowsNeedNotSumToOne() {
        check(new Random(8), 12, 300, 0.1, true, DataType.FLOAT, false, false, 1e-5);
        check(new Random(9), 12, 300, 0.1, true, DataType.DOUBLE, false, false, 1e-12);
    }

    @Test
    void nd4jPathForDoubleAndStridedInput() {
        Random rnd = new Random(10);
        for (int k : new int[] {3, 64}) {
            check(rnd, 9, k, 0.2, false, DataType.DOUBLE, false, false, 1e-12);
            check(rnd, 9, k, 0.2, false, DataType.FLOAT, true, true, 1e-5);
        }
    }

    /** Column-major ('f') logits and/or gradient, as SameDiff's matmul returns them: bit for bit the numbers of 'c'. */
    @Test
    void columnMajorLayoutGivesTheSameNumbers() {
        Random rnd = new Random(12);
        for (int rows : new int[] {1, 16, 37}) {
            INDArray zc = Float64Reference.randomLogits(rnd, rows, 300, 3.0, DataType.FLOAT);
            INDArray zf = zc.dup('f');
            assertTrue(SoftTargetCrossEntropy.columnMajor(zf));
            INDArray t = targets(rnd, rows, 300, false, DataType.FLOAT);
            INDArray w = Nd4j.rand(DataType.FLOAT, rows, 1);
            INDArray gc = Nd4j.create(DataType.FLOAT, rows, 300);
            INDArray gf = Nd4j.create(DataType.FLOAT, new long[] {rows, 300}, 'f');
            double lc = kernel.lossAndGradient(zc, t, w, 0.1, gc);
            double lf = kernel.lossAndGradient(zf, t, w, 0.1, gf);
            assertEquals(lc, lf, 0.0, "rows " + rows);
            assertEquals(gc, gf.dup('c'), "rows " + rows);
            // mixed layouts (the first training call, before the model knows the logits' layout): same numbers
            INDArray gMixed = Nd4j.create(DataType.FLOAT, rows, 300);
            assertEquals(lc, kernel.lossAndGradient(zf, t, w, 0.1, gMixed), 0.0, "f logits, c gradient, rows " + rows);
            assertEquals(gc, gMixed, "f logits, c gradient, rows " + rows);
            INDArray gMixed2 = Nd4j.create(DataType.FLOAT, new long[] {rows, 300}, 'f');
            assertEquals(lc, kernel.lossAndGradient(zc, t, w, 0.1, gMixed2), 0.0, "c logits, f gradient, rows " + rows);
            assertEquals(gc, gMixed2.dup('c'), "c logits, f gradient, rows " + rows);
        }
    }

    @Test
    void bitIdenticalForEveryThreadCount() {
        Random rnd = new Random(11);
        INDArray z = Float64Reference.randomLogits(rnd, 64, 513, 3.0, DataType.FLOAT);
        INDArray t = targets(rnd, 64, 513, false, DataType.FLOAT);
        INDArray w = Nd4j.rand(DataType.FLOAT, 64, 1);
        INDArray g1 = Nd4j.create(DataType.FLOAT, 64, 513);
        INDArray g3 = Nd4j.create(DataType.FLOAT, 64, 513);
        try (SoftTargetCrossEntropy one = new SoftTargetCrossEntropy(1);
             SoftTargetCrossEntropy three = new SoftTargetCrossEntropy(3)) {
            assertEquals(one.lossAndGradient(z, t, w, 0.1, g1), three.lossAndGradient(z, t, w, 0.1, g3), 0.0);
        }
        assertEquals(g1, g3);
    }

    @Test
    void badInputNamesTheArgument() {
        INDArray z = Nd4j.rand(DataType.FLOAT, 4, 8);
        INDArray w = Nd4j.rand(DataType.FLOAT, 4, 1);
        String m = assertThrows(IllegalArgumentException.class,
                () -> kernel.lossAndGradient(z, Nd4j.rand(DataType.FLOAT, 4, 9), w, 0.1, null)).getMessage();
        assertTrue(m.startsWith("targets must have the shape of logits"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> kernel.lossAndGradient(z, z, Nd4j.rand(DataType.FLOAT, 3, 1), 0.1, null)).getMessage();
        assertTrue(m.startsWith("rowWeights must be [4]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> kernel.lossAndGradient(z, z, w, 0.0, null)).getMessage();
        assertTrue(m.startsWith("tau must be > 0"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> kernel.lossAndGradient(z, z.castTo(DataType.DOUBLE), w, 0.1, null)).getMessage();
        assertTrue(m.contains("must share one data type"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> kernel.lossAndGradient(z, z, w, 0.1, Nd4j.create(DataType.FLOAT, 4, 7))).getMessage();
        assertTrue(m.startsWith("gradOut must be [4, 8]"), m);
    }
}

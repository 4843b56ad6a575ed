package org.dino4j.core.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.nd4j.linalg.indexing.NDArrayIndex;

class FusedDinoLossTest {

    private static FusedDinoLoss kernel;

    @BeforeAll
    static void setUp() {
        kernel = new FusedDinoLoss(2);
    }

    @AfterAll
    static void tearDown() {
        kernel.close();
    }

    private static void checkCase(FusedDinoLoss k, Random rnd, int b, int kk, int nLocal, double tauS,
                                  double tauT, DataType dt, double relTol) {
        INDArray zs = Float64Reference.randomLogits(rnd, (2 + nLocal) * b, kk, 2.0, dt);
        INDArray zt = Float64Reference.randomLogits(rnd, 2 * b, kk, 2.0, dt);
        INDArray c = Float64Reference.randomLogits(rnd, 1, kk, 0.5, dt);
        INDArray grad = Nd4j.create(dt, zs.shape());
        double loss = k.lossAndGradient(zs, zt, c, tauS, tauT, grad);
        double[][] s = Float64Reference.rows(zs);
        double[][] t = Float64Reference.rows(zt);
        double[] cc = Float64Reference.rows(c)[0];
        double ref = Float64Reference.loss(s, t, cc, tauS, tauT);
        String at = "B=" + b + " K=" + kk + " N=" + nLocal + " tauS=" + tauS + " tauT=" + tauT + " " + dt;
        assertEquals(ref, loss, relTol * Math.abs(ref) + 1e-12, at);
        double[][] gRef = Float64Reference.gradient(s, t, cc, tauS, tauT);
        double scale = Float64Reference.maxAbs(gRef);
        assertTrue(scale > 0, at);
        double err = Float64Reference.maxAbsDiff(gRef, Float64Reference.rows(grad));
        assertTrue(err <= relTol * scale, at + ": gradient max abs err " + err + " vs max |g| " + scale);
        assertEquals(loss, k.loss(zs, zt, c, tauS, tauT), 0.0, "forward-only must equal the fused value " + at);
    }

    @Test
    void lossAndGradientMatchFloat64PairLoopOverGrid() {
        Random rnd = new Random(42);
        double[][] temps = {{0.1, 0.04}, {0.1, 0.07}, {0.5, 1.0}};
        for (int b : new int[] {1, 3, 16}) {
            for (int kk : new int[] {2, 8, 1024}) {
                for (int n : new int[] {0, 1, 6, 8}) {
                    for (double[] tt : temps) {
                        checkCase(kernel, rnd, b, kk, n, tt[0], tt[1], DataType.FLOAT, 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void doubleInputsUseTheNd4jFormulationAndAreExact() {
        Random rnd = new Random(7);
        for (int n : new int[] {0, 2, 6}) {
            checkCase(kernel, rnd, 3, 16, n, 0.1, 0.04, DataType.DOUBLE, 1e-10);
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesOfTheReference() {
        Random rnd = new Random(3);
        int b = 2;
        int kk = 5;
        int n = 2;
        INDArray zs = Float64Reference.randomLogits(rnd, (2 + n) * b, kk, 1.0, DataType.FLOAT);
        INDArray zt = Float64Reference.randomLogits(rnd, 2 * b, kk, 1.0, DataType.FLOAT);
        INDArray c = Float64Reference.randomLogits(rnd, 1, kk, 0.3, DataType.FLOAT);
        INDArray grad = Nd4j.create(DataType.FLOAT, zs.shape());
        kernel.lossAndGradient(zs, zt, c, 0.1, 0.04, grad);
        double[][] s = Float64Reference.rows(zs);
        double[][] t = Float64Reference.rows(zt);
        double[] cc = Float64Reference.rows(c)[0];
        double h = 1e-6;
        for (int r = 0; r < s.length; r++) {
            for (int k = 0; k < kk; k++) {
                double keep = s[r][k];
                s[r][k] = keep + h;
                double up = Float64Reference.loss(s, t, cc, 0.1, 0.04);
                s[r][k] = keep - h;
                double down = Float64Reference.loss(s, t, cc, 0.1, 0.04);
                s[r][k] = keep;
                double fd = (up - down) / (2 * h);
                assertEquals(fd, grad.getDouble(r, k), 1e-5 * Math.max(1, Math.abs(fd)), "row " + r + " col " + k);
            }
        }
    }

    @Test
    void resultIsBitIdenticalForEveryThreadCount() {
        Random rnd = new Random(11);
        int b = 5;
        int n = 6;
        int kk = 300;
        INDArray zs = Float64Reference.randomLogits(rnd, (2 + n) * b, kk, 3.0, DataType.FLOAT);
        INDArray zt = Float64Reference.randomLogits(rnd, 2 * b, kk, 3.0, DataType.FLOAT);
        INDArray c = Float64Reference.randomLogits(rnd, 1, kk, 1.0, DataType.FLOAT);
        float[] g1 = null;
        double l1 = 0;
        for (int threads : new int[] {1, 2, 3, 7}) {
            try (FusedDinoLoss k = new FusedDinoLoss(b, n, kk, threads)) {
                INDArray g = Nd4j.create(DataType.FLOAT, zs.shape());
                double l = k.lossAndGradient(zs, zt, c, 0.1, 0.05, g);
                if (g1 == null) {
                    g1 = g.data().asFloat();
                    l1 = l;
                } else {
                    assertEquals(l1, l, 0.0, "threads=" + threads);
                    assertArrayEquals(g1, g.data().asFloat(), 0.0f, "threads=" + threads);
                }
            }
        }
    }

    @Test
    void viewsInPlaceAndFortranOrderGiveTheSameResult() {
        Random rnd = new Random(5);
        int b = 4;
        int n = 2;
        int kk = 33;
        INDArray zs = Float64Reference.randomLogits(rnd, (2 + n) * b, kk, 2.0, DataType.FLOAT);
        INDArray zt = Float64Reference.randomLogits(rnd, 2 * b, kk, 2.0, DataType.FLOAT);
        INDArray c = Float64Reference.randomLogits(rnd, 1, kk, 1.0, DataType.FLOAT);
        INDArray g = Nd4j.create(DataType.FLOAT, zs.shape());
        double l = kernel.lossAndGradient(zs, zt, c, 0.1, 0.04, g);

        // Offset views (rows of a larger buffer): the fast path must respect offset().
        INDArray bigS = Nd4j.create(DataType.FLOAT, zs.rows() + 3, kk);
        INDArray sView = bigS.get(NDArrayIndex.interval(3, 3 + zs.rows()), NDArrayIndex.all());
        sView.assign(zs);
        INDArray bigG = Nd4j.create(DataType.FLOAT, zs.rows() + 1, kk);
        INDArray gView = bigG.get(NDArrayIndex.interval(1, 1 + zs.rows()), NDArrayIndex.all());
        assertEquals(l, kernel.lossAndGradient(sView, zt, c, 0.1, 0.04, gView), 0.0);
        assertEquals(g, gView);
        assertEquals(0.0, bigG.getRow(0).sumNumber().doubleValue(), 0.0, "nothing written before the view");

        // In place: gradient written over the student logits.
        INDArray inPlace = zs.dup();
        assertEquals(l, kernel.lossAndGradient(inPlace, zt, c, 0.1, 0.04, inPlace), 0.0);
        assertEquals(g, inPlace);

        // 'f' order goes through the ND4J formulation: same numbers up to float rounding.
        INDArray gf = Nd4j.create(DataType.FLOAT, zs.shape(), 'f');
        double lf = kernel.lossAndGradient(zs.dup('f'), zt.dup('f'), c, 0.1, 0.04, gf);
        assertEquals(l, lf, 1e-5 * Math.abs(l));
        double err = Float64Reference.maxAbsDiff(Float64Reference.rows(g), Float64Reference.rows(gf));
        assertTrue(err < 1e-5 * Float64Reference.maxAbs(Float64Reference.rows(g)), "f-order gradient err " + err);
    }

    @Test
    void scratchGrowsForLargerInputsAndStaysCorrect() {
        Random rnd = new Random(9);
        try (FusedDinoLoss k = new FusedDinoLoss(1, 0, 2, 2)) {
            checkCase(k, rnd, 1, 2, 0, 0.1, 0.04, DataType.FLOAT, 1e-5);
            checkCase(k, rnd, 6, 64, 4, 0.1, 0.04, DataType.FLOAT, 1e-5);
            checkCase(k, rnd, 2, 8, 1, 0.1, 0.04, DataType.FLOAT, 1e-5);
        }
    }

    @Test
    void badInputsThrowOneClearIllegalArgumentException() {
        INDArray zs = Nd4j.rand(DataType.FLOAT, 6, 4);
        INDArray zt = Nd4j.rand(DataType.FLOAT, 4, 4);
        INDArray c = Nd4j.zeros(DataType.FLOAT, 1, 4);
        INDArray g = Nd4j.create(DataType.FLOAT, 6, 4);
        assertMessage("tauS", () -> kernel.lossAndGradient(zs, zt, c, 0, 0.04, g));
        assertMessage("tauS", () -> kernel.lossAndGradient(zs, zt, c, Double.NaN, 0.04, g));
        assertMessage("tauT", () -> kernel.lossAndGradient(zs, zt, c, 0.1, -0.04, g));
        assertMessage("K", () -> kernel.loss(Nd4j.rand(DataType.FLOAT, 6, 1), Nd4j.rand(DataType.FLOAT, 4, 1),
                Nd4j.zeros(DataType.FLOAT, 1, 1), 0.1, 0.04));
        assertMessage("2 global views", () -> kernel.loss(Nd4j.rand(DataType.FLOAT, 2, 4), zt, c, 0.1, 0.04));
        assertMessage("multiple of B", () -> kernel.loss(Nd4j.rand(DataType.FLOAT, 7, 4), zt, c, 0.1, 0.04));
        assertMessage("2B rows", () -> kernel.loss(zs, Nd4j.rand(DataType.FLOAT, 3, 4), c, 0.1, 0.04));
        assertMessage("same K", () -> kernel.loss(Nd4j.rand(DataType.FLOAT, 6, 5), zt, c, 0.1, 0.04));
        assertMessage("center must have shape [1, 4]",
                () -> kernel.loss(zs, zt, Nd4j.zeros(DataType.FLOAT, 4), 0.1, 0.04));
        assertMessage("center must have shape [1, 4]",
                () -> kernel.loss(zs, zt, Nd4j.zeros(DataType.FLOAT, 1, 5), 0.1, 0.04));
        assertMessage("gradOut", () -> kernel.lossAndGradient(zs, zt, c, 0.1, 0.04, Nd4j.create(DataType.FLOAT, 4, 4)));
        assertMessage("rank 2", () -> kernel.loss(Nd4j.rand(DataType.FLOAT, 24), zt, c, 0.1, 0.04));
    }

    static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should mention " + fragment);
    }
}

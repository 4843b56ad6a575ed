package org.dino4j.core.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link DinoLoss} against the paper's pair loop in float64 ({@link Float64Reference}): loss, gradient, finite
 * differences, thread-count determinism, layouts, the teacher temperature and the center it owns.
 */
class DinoLossTest {

    /** A loss for K logits with τ_s, τ_t set, its center set to {@code c}. */
    static DinoLoss loss(int k, double tauS, double tauT, INDArray c, int threads) {
        DinoLoss loss = new DinoLoss(new DinoLoss.Options(k, tauS, 0.9, threads));
        loss.setTeacherTemp(tauT);
        if (c != null) {
            loss.center().assign(c);
        }
        return loss;
    }

    private static void checkCase(Random rnd, int b, int kk, int nLocal, double tauS, double tauT, DataType dt,
                                  double relTol) {
        INDArray zs = Float64Reference.randomLogits(rnd, (2 + nLocal) * b, kk, 2.0, dt);
        INDArray zt = Float64Reference.randomLogits(rnd, 2 * b, kk, 2.0, dt);
        INDArray c = Float64Reference.randomLogits(rnd, 1, kk, 0.5, DataType.FLOAT);
        INDArray grad = Nd4j.create(dt, zs.shape());
        DinoLoss k = loss(kk, tauS, tauT, c, 2);
        double loss = k.lossAndGradient(zt, zs, grad);
        double[][] s = Float64Reference.rows(zs);
        double[][] t = Float64Reference.rows(zt);
        double[] cc = Float64Reference.rows(k.center())[0];
        double ref = Float64Reference.loss(s, t, cc, tauS, tauT);
        String at = "B=" + b + " K=" + kk + " N=" + nLocal + " tauS=" + tauS + " tauT=" + tauT + " " + dt;
        assertEquals(ref, loss, relTol * Math.abs(ref) + 1e-12, at);
        double[][] gRef = Float64Reference.gradient(s, t, cc, tauS, tauT);
        double scale = Float64Reference.maxAbs(gRef);
        assertTrue(scale > 0, at);
        double err = Float64Reference.maxAbsDiff(gRef, Float64Reference.rows(grad));
        assertTrue(err <= relTol * scale, at + ": gradient max abs err " + err + " vs max |g| " + scale);
        assertEquals(loss, k.lossAndGradient(zt, zs, null), 0.0, "the loss alone must equal the value with the gradient " + at);
        k.close();
    }

    @Test
    void lossAndGradientMatchFloat64PairLoopOverGrid() {
        Random rnd = new Random(42);
        double[][] temps = {{0.1, 0.04}, {0.1, 0.07}, {0.5, 1.0}};
        for (int b : new int[] {1, 3, 16}) {
            for (int kk : new int[] {2, 8, 1024}) {
                for (int n : new int[] {0, 1, 6, 8}) {
                    for (double[] tt : temps) {
                        checkCase(rnd, b, kk, n, tt[0], tt[1], DataType.FLOAT, 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void doubleInputsUseTheNd4jFormulationAndAreExact() {
        Random rnd = new Random(7);
        for (int n : new int[] {0, 2, 6}) {
            checkCase(rnd, 3, 16, n, 0.1, 0.04, DataType.DOUBLE, 1e-10);
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
        loss(kk, 0.1, 0.04, c, 1).lossAndGradient(zt, zs, grad);
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
            try (DinoLoss k = loss(kk, 0.1, 0.05, c, threads)) {
                INDArray g = Nd4j.create(DataType.FLOAT, zs.shape());
                double l = k.lossAndGradient(zt, zs, g);
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
        DinoLoss kernel = loss(kk, 0.1, 0.04, c, 2);
        double l = kernel.lossAndGradient(zt, zs, g);

        // Offset views (rows of a larger buffer): the fast path must respect offset().
        INDArray bigS = Nd4j.create(DataType.FLOAT, zs.rows() + 3, kk);
        INDArray sView = bigS.get(NDArrayIndex.interval(3, 3 + zs.rows()), NDArrayIndex.all());
        sView.assign(zs);
        INDArray bigG = Nd4j.create(DataType.FLOAT, zs.rows() + 1, kk);
        INDArray gView = bigG.get(NDArrayIndex.interval(1, 1 + zs.rows()), NDArrayIndex.all());
        assertEquals(l, kernel.lossAndGradient(zt, sView, gView), 0.0);
        assertEquals(g, gView);
        assertEquals(0.0, bigG.getRow(0).sumNumber().doubleValue(), 0.0, "nothing written before the view");

        // In place: gradient written over the student logits.
        INDArray inPlace = zs.dup();
        assertEquals(l, kernel.lossAndGradient(zt, inPlace, inPlace), 0.0);
        assertEquals(g, inPlace);

        // 'f' order goes through the ND4J formulation: same numbers up to float rounding.
        INDArray gf = Nd4j.create(DataType.FLOAT, zs.shape(), 'f');
        double lf = kernel.lossAndGradient(zt.dup('f'), zs.dup('f'), gf);
        assertEquals(l, lf, 1e-5 * Math.abs(l));
        double err = Float64Reference.maxAbsDiff(Float64Reference.rows(g), Float64Reference.rows(gf));
        assertTrue(err < 1e-5 * Float64Reference.maxAbs(Float64Reference.rows(g)), "f-order gradient err " + err);
    }

    @Test
    void scratchFollowsTheInputSizes() {
        Random rnd = new Random(9);
        DinoLoss k = loss(64, 0.1, 0.04, null, 2);
        for (int[] bn : new int[][] {{1, 0}, {6, 4}, {2, 1}}) {
            INDArray zs = Float64Reference.randomLogits(rnd, (2 + bn[1]) * bn[0], 64, 2.0, DataType.FLOAT);
            INDArray zt = Float64Reference.randomLogits(rnd, 2 * bn[0], 64, 2.0, DataType.FLOAT);
            double ref = Float64Reference.loss(Float64Reference.rows(zs), Float64Reference.rows(zt), new double[64], 0.1, 0.04);
            assertEquals(ref, k.lossAndGradient(zt, zs, null), 1e-5 * Math.abs(ref), "B=" + bn[0] + " N=" + bn[1]);
        }
    }

    /** The center it owns: c ← m·c + (1−m)·mean(z_t), and the targets of the teacher half use it. */
    @Test
    void centerUpdateAndTargets() {
        Random rnd = new Random(13);
        INDArray zt = Float64Reference.randomLogits(rnd, 4, 6, 2.0, DataType.FLOAT);
        DinoLoss k = loss(6, 0.1, 0.04, null, 1);
        assertEquals(0.0, k.center().amaxNumber().doubleValue(), 0, "the center starts at 0");
        k.updateCenter(zt);
        INDArray expected = zt.mean(true, 0).muli(1 - 0.9);
        assertEquals(0.0, k.center().sub(expected).amaxNumber().doubleValue(), 1e-6);
        DinoLoss.Targets t = k.targets(zt, 1);
        double[][] p = Float64Reference.teacherProbs(Float64Reference.rows(zt), Float64Reference.rows(k.center())[0], 0.04);
        for (int q = 0; q < 6; q++) {
            assertEquals(p[2][q], t.targets().getDouble(0, q), 1e-6, "view 0 of image 0 learns from view 1");
            assertEquals(p[0][q], t.targets().getDouble(2, q), 1e-6, "view 1 of image 0 learns from view 0");
            assertEquals(0.5 * (p[0][q] + p[2][q]), t.targets().getDouble(4, q), 1e-6, "a local view from their mean");
        }
        // weights: n_j/(P·B) with P = 2(N+1) = 4 pairs, B = 2
        assertEquals(1.0 / 8, t.rowWeights().getDouble(0, 0), 1e-12);
        assertEquals(2.0 / 8, t.rowWeights().getDouble(5, 0), 1e-12);
        assertEquals(DinoLoss.rowWeights(1, 2, DataType.FLOAT), t.rowWeights());
        assertTrue(k.teacherEntropy() > 0 && k.batchMeanTeacherEntropy() >= k.teacherEntropy() - 1e-6);
    }

    @Test
    void badInputsThrowOneClearException() {
        INDArray zs = Nd4j.rand(DataType.FLOAT, 6, 4);
        INDArray zt = Nd4j.rand(DataType.FLOAT, 4, 4);
        INDArray g = Nd4j.create(DataType.FLOAT, 6, 4);
        DinoLoss kernel = loss(4, 0.1, 0.04, null, 1);
        assertMessage("studentTemp", () -> new DinoLoss.Options(4, 0, 0.9, 1));
        assertMessage("studentTemp", () -> new DinoLoss.Options(4, Double.NaN, 0.9, 1));
        assertMessage("centerMomentum", () -> new DinoLoss.Options(4, 0.1, 1.0, 1));
        assertMessage("outDim", () -> new DinoLoss.Options(1, 0.1, 0.9, 1));
        assertMessage("teacherTemp", () -> kernel.setTeacherTemp(-0.04));
        assertTrue(assertThrows(IllegalStateException.class, () -> new DinoLoss(DinoLoss.Options.dino(4)).lossAndGradient(zt, zs, g))
                .getMessage().contains("setTeacherTemp"));
        assertMessage("2 global views", () -> kernel.lossAndGradient(zt, Nd4j.rand(DataType.FLOAT, 2, 4), null));
        assertMessage("multiple of B", () -> kernel.lossAndGradient(zt, Nd4j.rand(DataType.FLOAT, 7, 4), null));
        assertMessage("2B rows", () -> kernel.lossAndGradient(Nd4j.rand(DataType.FLOAT, 3, 4), zs, null));
        assertMessage("same K", () -> kernel.lossAndGradient(zt, Nd4j.rand(DataType.FLOAT, 6, 5), null));
        assertMessage("center must have shape [1, 4]", () -> loss(5, 0.1, 0.04, null, 1).lossAndGradient(zt, zs, null));
        assertMessage("gradOut", () -> kernel.lossAndGradient(zt, zs, Nd4j.create(DataType.FLOAT, 4, 4)));
        assertMessage("rank 2", () -> kernel.lossAndGradient(zt, Nd4j.rand(DataType.FLOAT, 24), null));
    }

    static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should mention " + fragment);
    }
}

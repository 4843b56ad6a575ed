package org.dino4j.core.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TeacherTargetsTest {

    /** Σ_j Σ_b w_j · CE(T[j,b], softmax(z_s/τ_s)) in float64. */
    private static double weightedCe(double[][] targets, double[][] zs, int b, int nLocal, double tauS) {
        double l = 0;
        for (int r = 0; r < zs.length; r++) {
            double[] ls = Float64Reference.logSoftmax(zs[r], tauS);
            double ce = 0;
            for (int k = 0; k < ls.length; k++) {
                ce -= targets[r][k] * ls[k];
            }
            l += TeacherTargets.viewWeight(r / b, nLocal, b) * ce;
        }
        return l;
    }

    private static void checkCase(TeacherTargets tt, Random rnd, int b, int kk, int n, double tauT, DataType dt,
                                  double tol) {
        INDArray zs = Float64Reference.randomLogits(rnd, (2 + n) * b, kk, 2.0, dt);
        INDArray zt = Float64Reference.randomLogits(rnd, 2 * b, kk, 2.0, dt);
        INDArray c = Float64Reference.randomLogits(rnd, 1, kk, 0.5, dt);
        INDArray probs = Nd4j.create(dt, 2L * b, kk);
        INDArray targets = Nd4j.create(dt, (long) (2 + n) * b, kk);
        tt.compute(zt, c, tauT, n, probs, targets);
        String at = "B=" + b + " K=" + kk + " N=" + n + " tauT=" + tauT + " " + dt;

        double[][] t = Float64Reference.rows(zt);
        double[] cc = Float64Reference.rows(c)[0];
        double[][] pt = Float64Reference.teacherProbs(t, cc, tauT);
        double perr = Float64Reference.maxAbsDiff(pt, Float64Reference.rows(probs));
        assertTrue(perr < tol, at + " probs max abs err " + perr);

        double[][] tg = Float64Reference.rows(targets);
        for (int r = 0; r < tg.length; r++) {
            int v = r / b;
            int img = r % b;
            double sum = 0;
            for (int k = 0; k < kk; k++) {
                double expect = v == 0 ? pt[b + img][k] : v == 1 ? pt[img][k] : 0.5 * (pt[img][k] + pt[b + img][k]);
                assertEquals(expect, tg[r][k], tol, at + " target row " + r);
                sum += tg[r][k];
            }
            assertEquals(1.0, sum, 1e-5, at + " target row sum");
        }
        double[][] s = Float64Reference.rows(zs);
        double ref = Float64Reference.loss(s, t, cc, 0.1, tauT);
        assertEquals(ref, weightedCe(tg, s, b, n, 0.1), 1e-5 * Math.abs(ref), at + " weighted CE = DINO loss");

        double h = 0;
        double[] mean = new double[kk];
        for (double[] row : pt) {
            h += Float64Reference.entropy(row);
            for (int k = 0; k < kk; k++) {
                mean[k] += row[k] / pt.length;
            }
        }
        assertEquals(h / pt.length, tt.meanEntropy(), 1e-5 * Math.max(1, h / pt.length), at + " H(p_t)");
        double hm = Float64Reference.entropy(mean);
        assertEquals(hm, tt.batchMeanEntropy(), 1e-5 * Math.max(1, hm), at + " H(mean p_t)");
    }

    @Test
    void targetsProbsAndEntropiesMatchFloat64() {
        Random rnd = new Random(31);
        try (TeacherTargets tt = new TeacherTargets(2)) {
            for (int b : new int[] {1, 3, 16}) {
                for (int kk : new int[] {2, 8, 1024}) {
                    for (int n : new int[] {0, 1, 6}) {
                        for (double tauT : new double[] {0.04, 1.0}) {
                            checkCase(tt, rnd, b, kk, n, tauT, DataType.FLOAT, 1e-5);
                        }
                    }
                }
            }
            checkCase(tt, rnd, 3, 16, 2, 0.04, DataType.DOUBLE, 1e-12);
        }
    }

    @Test
    void bitIdenticalForEveryThreadCount() {
        Random rnd = new Random(2);
        int b = 7;
        int n = 4;
        int kk = 500;
        INDArray zt = Float64Reference.randomLogits(rnd, 2 * b, kk, 3.0, DataType.FLOAT);
        INDArray c = Float64Reference.randomLogits(rnd, 1, kk, 1.0, DataType.FLOAT);
        float[] first = null;
        double h1 = 0;
        double hm1 = 0;
        for (int threads : new int[] {1, 2, 5}) {
            try (TeacherTargets tt = new TeacherTargets(threads)) {
                INDArray probs = Nd4j.create(DataType.FLOAT, 2L * b, kk);
                INDArray targets = Nd4j.create(DataType.FLOAT, (long) (2 + n) * b, kk);
                tt.compute(zt, c, 0.04, n, probs, targets);
                float[] all = Nd4j.concat(0, probs, targets).data().asFloat();
                if (first == null) {
                    first = all;
                    h1 = tt.meanEntropy();
                    hm1 = tt.batchMeanEntropy();
                } else {
                    assertArrayEquals(first, all, 0f, "threads=" + threads);
                    assertEquals(h1, tt.meanEntropy(), 0.0);
                    assertEquals(hm1, tt.batchMeanEntropy(), 0.0);
                }
            }
        }
    }

    @Test
    void weightsAreNjOverPBAndSumToOne() {
        for (int n : new int[] {0, 1, 6, 10}) {
            for (int b : new int[] {1, 4}) {
                INDArray w = Nd4j.create(DataType.FLOAT, (long) (2 + n) * b, 1);
                TeacherTargets.rowWeights(n, b, w);
                double pairs = 2.0 * (n + 1);
                for (int r = 0; r < w.length(); r++) {
                    double expect = (r / b < 2 ? 1.0 : 2.0) / (pairs * b);
                    assertEquals(expect, w.getDouble(r, 0), 1e-7, "row " + r);
                }
                assertEquals(1.0, w.sumNumber().doubleValue(), 1e-6, "Σ w over rows = Σ_j n_j / P = 1");
            }
        }
        DinoLossTest.assertMessage("view", () -> TeacherTargets.viewWeight(3, 1, 2));
        DinoLossTest.assertMessage("row weights", () -> TeacherTargets.rowWeights(1, 2,
                Nd4j.create(DataType.FLOAT, 5)));
    }

    @Test
    void badInputsThrow() {
        try (TeacherTargets tt = new TeacherTargets(1)) {
            INDArray zt = Nd4j.rand(DataType.FLOAT, 4, 3);
            INDArray c = Nd4j.zeros(DataType.FLOAT, 1, 3);
            INDArray p = Nd4j.create(DataType.FLOAT, 4, 3);
            INDArray t = Nd4j.create(DataType.FLOAT, 6, 3);
            DinoLossTest.assertMessage("tauT", () -> tt.compute(zt, c, 0, 1, p, t));
            DinoLossTest.assertMessage("numLocal", () -> tt.compute(zt, c, 0.04, -1, p, t));
            DinoLossTest.assertMessage("targetsOut", () -> tt.compute(zt, c, 0.04, 2, p, t));
            DinoLossTest.assertMessage("probsOut", () -> tt.compute(zt, c, 0.04, 1, Nd4j.create(DataType.FLOAT, 4, 2), t));
            DinoLossTest.assertMessage("center", () -> tt.compute(zt, Nd4j.zeros(DataType.FLOAT, 1, 2), 0.04, 1, p, t));
        }
    }
}

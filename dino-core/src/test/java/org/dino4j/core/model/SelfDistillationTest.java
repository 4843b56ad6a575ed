package org.dino4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dino4j.core.loss.DinoLoss;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The no-stop-gradient path ({@link SelfDistillation}) against the DINO loss written as the
 * paper's pair loop in float64 (teacher = the same network's global logits, centred and sharpened), and its
 * gradient against central differences of that loop in DOUBLE.
 */
class SelfDistillationTest {
    static final int B = 2;
    static final int N = 2;

    /** Paper Eq. 1–3 as the official pair loop: (1/P)·Σ_{i global} Σ_{j ≠ i} (1/B)·Σ_b H(p_t[i,b], p_s[j,b]). */
    static double pairLoss(INDArray z, double[] c, double tauT, double tauS, int batch, int numLocal) {
        int k = (int) z.size(1), views = 2 + numLocal;
        double total = 0;
        int pairs = 0;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < views; j++) {
                if (j == i) {
                    continue;
                }
                pairs++;
                for (int b = 0; b < batch; b++) {
                    double[] pt = softmax(z, i * batch + b, c, tauT, k);
                    double[] zs = new double[k];
                    for (int q = 0; q < k; q++) {
                        zs[q] = z.getDouble(j * batch + b, q) / tauS;
                    }
                    double max = Double.NEGATIVE_INFINITY;
                    for (double v : zs) {
                        max = Math.max(max, v);
                    }
                    double se = 0;
                    for (double v : zs) {
                        se += Math.exp(v - max);
                    }
                    double lse = max + Math.log(se);
                    for (int q = 0; q < k; q++) {
                        total -= pt[q] * (zs[q] - lse) / batch;
                    }
                }
            }
        }
        return total / pairs;
    }

    private static double[] softmax(INDArray z, int row, double[] c, double tau, int k) {
        double[] p = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int q = 0; q < k; q++) {
            p[q] = (z.getDouble(row, q) - c[q]) / tau;
            max = Math.max(max, p[q]);
        }
        double s = 0;
        for (int q = 0; q < k; q++) {
            p[q] = Math.exp(p[q] - max);
            s += p[q];
        }
        for (int q = 0; q < k; q++) {
            p[q] /= s;
        }
        return p;
    }

    /** A DINO loss with τ_s and τ_t set and a small random center; {@code c} receives the center as the loss holds it. */
    static DinoLoss loss(int k, double tauS, double tauT, Random r, double[] c) {
        DinoLoss loss = new DinoLoss(new DinoLoss.Options(k, tauS, 0.9, 1));
        loss.setTeacherTemp(tauT);
        for (int q = 0; q < k; q++) {
            loss.center().putScalar(0, q, c == null ? 0 : 0.05 * r.nextGaussian());
        }
        if (c != null) {
            for (int q = 0; q < k; q++) {
                c[q] = loss.center().getDouble(0, q);
            }
        }
        return loss;
    }

    @Test
    void lossAndGradientMatchThePairLoopWithoutStopGradient() {
        DinoModel m = DinoModelTest.tiny(DataType.DOUBLE, 31);
        Random r = new Random(32);
        INDArray g = DinoModelTest.images(r, DataType.DOUBLE, 2 * B, 1, 12, 12);
        INDArray l = DinoModelTest.images(r, DataType.DOUBLE, N * B, 1, 6, 6);
        int k = m.headConfig().outDim();
        double[] c = new double[k];
        double tauT = 0.3, tauS = 0.5;
        DinoLoss loss = loss(k, tauS, tauT, r, c);
        SelfDistillation self = new SelfDistillation(m);

        SelfDistillation.Step step = self.lossAndGradients(g, l, loss, null);
        INDArray grad = m.gradients().dup();
        double ref = pairLoss(m.studentLogits(g, l), c, tauT, tauS, B, N);
        assertEquals(ref, step.loss(), 1e-10 * Math.abs(ref));
        assertEquals(0.0, step.globalLogits().sub(m.globalLogits(g)).amaxNumber().doubleValue(), 1e-12);

        // central differences of the float64 pair loop on the model's own logits, one element per tensor
        for (ParamInfo pi : m.parameters()) {
            long idx = pi.offset() + r.nextInt((int) pi.length());
            double x0 = m.params().getDouble(0, idx);
            double h = 1e-6;
            m.params().putScalar(0, idx, x0 + h);
            double up = pairLoss(m.studentLogits(g, l), c, tauT, tauS, B, N);
            m.params().putScalar(0, idx, x0 - h);
            double down = pairLoss(m.studentLogits(g, l), c, tauT, tauS, B, N);
            m.params().putScalar(0, idx, x0);
            double fd = (up - down) / (2 * h);
            assertEquals(fd, grad.getDouble(0, idx), 1e-6 + 1e-3 * Math.abs(fd), pi.name());
        }

        // the same loss with the network's own global logits as a (stopped) teacher has another gradient: the
        // difference is the gradient through the teacher branch, which must be non-zero
        double stopped = m.lossAndGradients(g, l, m.globalLogits(g), loss, null);
        assertEquals(step.loss(), stopped, 1e-10 * Math.abs(stopped), "same loss value");
        double teacherPath = m.gradients().sub(grad).norm2Number().doubleValue();
        assertTrue(teacherPath > 1e-3 * grad.norm2Number().doubleValue(), "gradient through the teacher: " + teacherPath);
    }

    @Test
    void withoutLocalCropsAndBadArguments() {
        DinoModel m = DinoModelTest.tiny(DataType.DOUBLE, 33);
        Random r = new Random(34);
        INDArray g = DinoModelTest.images(r, DataType.DOUBLE, 2 * B, 1, 12, 12);
        int k = m.headConfig().outDim();
        SelfDistillation self = new SelfDistillation(m);
        double loss = self.lossAndGradients(g, null, loss(k, 0.4, 0.2, r, null), null).loss();
        assertEquals(pairLoss(m.globalLogits(g), new double[k], 0.2, 0.4, B, 0), loss, 1e-10 * Math.abs(loss));
        assertTrue(assertThrows(IllegalStateException.class, () -> self.lossAndGradients(g, null,
                new DinoLoss(DinoLoss.Options.dino(k)), null)).getMessage().contains("setTeacherTemp"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> self.lossAndGradients(
                DinoModelTest.images(r, DataType.DOUBLE, 3, 1, 12, 12), null, loss(k, 0.4, 0.2, r, null), null))
                .getMessage().contains("2B rows"));
        // the regrouping matrix: view 0 learns from view 1, view 1 from view 0, a local view from their mean
        INDArray reg = SelfDistillation.regroupMatrix(1, 1, DataType.DOUBLE);
        assertEquals(Nd4j.createFromArray(new double[][] {{0, 1}, {1, 0}, {0.5, 0.5}}), reg);
    }
}

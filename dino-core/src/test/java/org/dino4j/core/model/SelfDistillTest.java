package org.dino4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dino4j.core.loss.TeacherTargets;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The no-stop-gradient path ({@link DinoModel#selfDistillLossAndGradients}) against the DINO loss written as the
 * paper's pair loop in float64 (teacher = the same network's global logits, centred and sharpened), and its
 * gradient against central differences of that loop in DOUBLE.
 */
class SelfDistillTest {
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

    @Test
    void lossAndGradientMatchThePairLoopWithoutStopGradient() {
        DinoModel m = DinoModelTest.tiny(DataType.DOUBLE, 31);
        Random r = new Random(32);
        INDArray g = DinoModelTest.images(r, DataType.DOUBLE, 2 * B, 1, 12, 12);
        INDArray l = DinoModelTest.images(r, DataType.DOUBLE, N * B, 1, 6, 6);
        int k = m.headConfig().outDim();
        double[] c = new double[k];
        for (int q = 0; q < k; q++) {
            c[q] = 0.05 * r.nextGaussian();
        }
        INDArray center = Nd4j.createFromArray(c).reshape(1, k);
        double tauT = 0.3, tauS = 0.5;
        INDArray regroup = DinoModel.regroupMatrix(N, B, DataType.DOUBLE);
        INDArray w = Nd4j.create(DataType.DOUBLE, (2 + N) * B, 1);
        TeacherTargets.rowWeights(N, B, w);

        DinoModel.SelfDistillStep step = m.selfDistillLossAndGradients(g, l, center, tauT, regroup, w, tauS, null);
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

        // the same loss with the targets as data (stop-gradient) has another gradient: the difference is the
        // gradient through the teacher branch, which must be non-zero
        INDArray probs = Nd4j.create(DataType.DOUBLE, 2 * B, k);
        INDArray targets = Nd4j.create(DataType.DOUBLE, (2 + N) * B, k);
        INDArray zg = m.globalLogits(g);
        for (int row = 0; row < 2 * B; row++) {
            double[] p = softmax(zg, row, c, tauT, k);
            for (int q = 0; q < k; q++) {
                probs.putScalar(row, q, p[q]);
            }
        }
        targets.assign(regroup.mmul(probs));
        double stopped = m.lossAndGradients(g, l, targets, w, tauS);
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
        INDArray center = Nd4j.zeros(DataType.DOUBLE, 1, k);
        INDArray w = Nd4j.create(DataType.DOUBLE, 2 * B, 1);
        TeacherTargets.rowWeights(0, B, w);
        double loss = m.selfDistillLossAndGradients(g, null, center, 0.2, DinoModel.regroupMatrix(0, B, DataType.DOUBLE),
                w, 0.4, null).loss();
        assertEquals(pairLoss(m.globalLogits(g), new double[k], 0.2, 0.4, B, 0), loss, 1e-10 * Math.abs(loss));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.selfDistillLossAndGradients(g, null, center, 0.2,
                DinoModel.regroupMatrix(1, B, DataType.DOUBLE), w, 0.4, null)).getMessage().startsWith("regroup"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> m.selfDistillLossAndGradients(g, null, center, -1,
                DinoModel.regroupMatrix(0, B, DataType.DOUBLE), w, 0.4, null)).getMessage().startsWith("tauT"));
    }
}

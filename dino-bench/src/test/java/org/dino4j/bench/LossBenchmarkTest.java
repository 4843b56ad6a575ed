package org.dino4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dino4j.core.loss.DinoLossGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The two loss variants compute the same thing on the same inputs: the fused kernel's loss against a float64
 * loop of the official pair form ({@code DINOLoss.forward}), and its gradient against SameDiff's autodiff.
 */
class LossBenchmarkTest {

    private static final int B = 4;
    private static final int K = 64;
    private static final int N = 2;

    /** Official pair loop in float64: (1/P) Σ_{i global} Σ_{j≠i} mean_b(−Σ_k p_t[i,b,k]·log p_s[j,b,k]). */
    private static double referenceLoss(float[][] s, float[][] t, float[] c) {
        int views = 2 + N;
        double total = 0;
        int pairs = 0;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < views; j++) {
                if (j == i) {
                    continue;
                }
                double ce = 0;
                for (int b = 0; b < B; b++) {
                    double[] pt = softmax(t[i * B + b], c, LossBenchmark.TAU_T);
                    double[] ps = softmax(s[j * B + b], new float[K], LossBenchmark.TAU_S);
                    for (int k = 0; k < K; k++) {
                        ce -= pt[k] * Math.log(ps[k]);
                    }
                }
                total += ce / B;
                pairs++;
            }
        }
        return total / pairs;
    }

    private static double[] softmax(float[] x, float[] c, double tau) {
        double[] e = new double[x.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < x.length; k++) {
            e[k] = (x[k] - c[k]) / tau;
            max = Math.max(max, e[k]);
        }
        double sum = 0;
        for (int k = 0; k < x.length; k++) {
            e[k] = Math.exp(e[k] - max);
            sum += e[k];
        }
        for (int k = 0; k < x.length; k++) {
            e[k] /= sum;
        }
        return e;
    }

    @Test
    void fusedAndSameDiffComputeTheDinoLossAndTheSameGradient() {
        LossBenchmark bench = new LossBenchmark();
        LossBenchmark.Fused f = new LossBenchmark.Fused();
        f.batch = B;
        f.k = K;
        f.locals = N;
        f.threads = 2;
        f.setUp();
        LossBenchmark.Graph g = new LossBenchmark.Graph();
        g.sdBatch = B;
        g.sdK = K;
        g.sdLocals = N;
        g.threads = 2;
        g.setUp();
        try {
            double fused = bench.fused(f);
            double want = referenceLoss(f.student.toFloatMatrix(), f.teacher.toFloatMatrix(),
                    f.center.toFloatVector());
            assertTrue(want > 0 && Double.isFinite(want), "reference loss " + want);
            assertEquals(want, fused, 1e-5 * want, "fused loss vs float64 pair loop");

            OutAndGrad r = g.sd.calculateGradientsAndOutputs(g.noPlaceholders, g.outputs, g.gradVars);
            double sdLoss = r.getOutputs().get(DinoLossGraph.LOSS).getDouble(0);
            assertEquals(want, sdLoss, 1e-4 * want, "SameDiff loss vs float64 pair loop");
            INDArray sdGrad = r.getGradients().get(DinoLossGraph.STUDENT_LOGITS);
            float[][] gf = f.grad.toFloatMatrix();
            float[][] gs = sdGrad.toFloatMatrix();
            double maxAbs = 0;
            for (int row = 0; row < gf.length; row++) {
                for (int k = 0; k < K; k++) {
                    maxAbs = Math.max(maxAbs, Math.abs(gs[row][k]));
                    assertEquals(gs[row][k], gf[row][k], 1e-6, "gradient [" + row + "," + k + "]");
                }
            }
            assertTrue(maxAbs > 1e-4, "gradient must not be trivially zero, max |g| = " + maxAbs);
        } finally {
            f.tearDown();
        }
    }
}

package org.dino4j.core.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The loss's row kernels against float64 loops. */
class SimdLossTest {

    @Test
    void rowKernelsMatchFloat64LoopsAtEveryTailLength() {
        assumeTrue(Simd.enabled(), "SIMD switched off");
        Random rnd = new Random(12);
        for (int n : new int[] {1, 3, 7, 8, 9, 17, 64, 1000, 4099}) {
            float[] x0 = new float[n];
            float[] c = new float[n];
            float[] p = new float[2 * n + 5];
            for (int i = 0; i < n; i++) {
                x0[i] = (float) (3 * rnd.nextGaussian());
                c[i] = (float) (0.5 * rnd.nextGaussian());
            }
            for (int i = 0; i < p.length; i++) {
                p[i] = rnd.nextFloat();
            }
            float max = Float.NEGATIVE_INFINITY;
            for (float v : x0) {
                max = Math.max(max, v);
            }
            assertEquals(max, SimdLoss.max(x0, n), 0f, "max n=" + n);
            for (int qb : new int[] {-1, n + 5}) {
                int qa = 3;
                double inv = 10.0;
                float[] x = x0.clone();
                double[] out = new double[2];
                SimdLoss.expSumDot(x, n, max, inv, p, qa, qb, out);
                double sum = 0;
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    double q = qb >= 0 ? (double) p[qa + i] + p[qb + i] : p[qa + i];
                    double e = Math.exp(((double) x0[i] - max) * inv);
                    sum += e;
                    dot += q * x0[i];
                    assertEquals((float) e, x[i], 2e-7f * Math.max(1e-30f, (float) e), "e_i n=" + n + " i=" + i);
                }
                assertEquals(sum, out[0], 1e-12 * sum, "sum n=" + n);
                assertEquals(dot, out[1], 1e-12 * Math.max(1, Math.abs(dot)), "dot n=" + n);
                float[] g = x.clone();
                SimdLoss.gradRow(g, n, 0.3, 0.7, p, qa, qb);
                for (int i = 0; i < n; i++) {
                    double q = qb >= 0 ? (double) p[qa + i] + p[qb + i] : p[qa + i];
                    assertEquals((float) (0.3 * x[i] - 0.7 * q), g[i], 0f, "grad n=" + n + " i=" + i);
                }
            }
            float[] probs = new float[n + 2];
            double h = SimdLoss.centeredSoftmaxRow(x0, c, 1 / 0.04, probs, 2, n);
            double m = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                m = Math.max(m, (x0[i] - (double) c[i]) / 0.04);
            }
            double z = 0;
            double[] e = new double[n];
            for (int i = 0; i < n; i++) {
                e[i] = Math.exp((x0[i] - (double) c[i]) / 0.04 - m);
                z += e[i];
            }
            double hRef = 0;
            for (int i = 0; i < n; i++) {
                double pi = e[i] / z;
                assertEquals(pi, probs[2 + i], 1e-6 * Math.max(pi, 1e-30) + 1e-30, "p_i n=" + n + " i=" + i);
                if (pi > 0) {
                    hRef -= pi * Math.log(pi);
                }
            }
            assertEquals(0f, probs[0], 0f, "nothing written before the offset");
            assertEquals(hRef, h, 1e-9 * Math.max(1, hRef), "entropy n=" + n);
        }
    }
}

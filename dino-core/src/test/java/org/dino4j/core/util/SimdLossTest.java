package org.dino4j.core.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

    /**
     * The kernel's exponentials are its own exact-operation polynomial, so a row's sum has the same bits whether the
     * kernel runs in the Vector API's Java fallback or compiled by C2 (the JDK's vector EXP does not: one ulp apart
     * in ~5 % of lanes once compiled, which made identical training runs diverge). Checked against a scalar emulation
     * of the same operations lane by lane, on 2,000 rows called 10 times each, so across the JIT's tiers.
     */
    @Test
    void softmaxSumsHaveTheBitsOfTheScalarEmulationInEveryJitState() {
        assumeTrue(Simd.enabled(), "SIMD switched off");
        Random rnd = new Random(5);
        int rows = 2000;
        int n = 67;
        float[][] xs = new float[rows][n];
        float[] maxs = new float[rows];
        double[][] expected = new double[rows][];
        double inv = 1 / 0.1;
        for (int r = 0; r < rows; r++) {
            maxs[r] = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                xs[r][i] = (float) (0.3 * rnd.nextGaussian());
                maxs[r] = Math.max(maxs[r], xs[r][i]);
            }
            expected[r] = emulatedSums(xs[r], n, maxs[r], inv);
        }
        float[] zero = new float[n];
        float[] x = new float[n];
        double[] out = new double[2];
        for (int pass = 0; pass < 10; pass++) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(xs[r], 0, x, 0, n);
                SimdLoss.expSumDot(x, n, maxs[r], inv, zero, 0, -1, out);
                if (out[0] != expected[r][0] && out[0] != expected[r][1]) {
                    assertEquals(expected[r][0], out[0], 0.0, "pass " + pass + ", row " + r + ": Σ e^z differs from the emulation");
                }
            }
        }
        // once compiled, the kernel allocates nothing per call (a vector that C2 cannot keep in registers is boxed)
        int[] r = {0};
        long perCall = CompiledAllocation.perCall(() -> {
            System.arraycopy(xs[r[0]], 0, x, 0, n);
            SimdLoss.expSumDot(x, n, maxs[r[0]], inv, zero, 0, -1, out);
            r[0] = (r[0] + 1) % rows;
        }, 64);
        assertTrue(perCall < 64, "expSumDot allocates " + perCall + " bytes per call once compiled");
    }

    /** The teacher's row kernel at the width of a real head (K 1024) allocates nothing once compiled. */
    @Test
    void centeredSoftmaxRowAllocatesNothingOnceCompiled() {
        assumeTrue(Simd.enabled(), "SIMD switched off");
        Random rnd = new Random(6);
        int k = 1024;
        float[] x = new float[k];
        float[] c = new float[k];
        float[] probs = new float[k];
        for (int i = 0; i < k; i++) {
            x[i] = (float) rnd.nextGaussian();
            c[i] = (float) (0.1 * rnd.nextGaussian());
        }
        double[] h = {0};
        long perCall = CompiledAllocation.perCall(() -> h[0] += SimdLoss.centeredSoftmaxRow(x, c, 1 / 0.06, probs, 0, k), 64);
        assertTrue(perCall < 64, "centeredSoftmaxRow allocates " + perCall + " bytes per 1,024-wide row once compiled");
        assertTrue(h[0] > 0, "entropies are positive");
    }

    /** Σ e^z of {@link SimdLoss#expSumDot} emulated in scalar code: [lanes summed in order, lanes summed pairwise]. */
    private static double[] emulatedSums(float[] x, int n, double max, double inv) {
        int dl = SimdLoss.Impl.DL;
        double[] lane = new double[dl];
        int i = 0;
        int vectorEnd = SimdLoss.Impl.vectorEnd(n);
        for (; i < vectorEnd; i += dl) {
            for (int l = 0; l < dl; l++) {
                lane[l] += polyExp(((double) x[i + l] - max) * inv);
            }
        }
        double seq = 0;
        for (int l = 0; l < dl; l++) {
            seq += lane[l];
        }
        double[] tree = lane.clone();
        for (int w = dl / 2; w >= 1; w /= 2) {
            for (int l = 0; l < w; l++) {
                tree[l] += tree[l + w];
            }
        }
        double[] sums = {seq, tree[0]};
        for (; i < n; i++) {
            double e = Math.exp(((double) x[i] - max) * inv);
            sums[0] += e;
            sums[1] += e;
        }
        return sums;
    }

    /** The kernel's exp, scalar: the same constants and fused operations as its lanes. */
    private static double polyExp(double z) {
        double magic = 0x1.8p52 + 1023;
        double kb = Math.fma(z, 1.4426950408889634, magic);
        double k = kb - magic;
        double r = Math.fma(k, -(0.6931471805599453 - 0x1.62e42feep-1 + 2.3190468138462996e-17), Math.fma(k, -0x1.62e42feep-1, z));
        double f = 479001600; // 12!
        double e = 1 / f;
        for (int d = 12; d >= 1; d--) {
            f /= d;
            e = Math.fma(e, r, 1 / f);
        }
        double scale = Double.longBitsToDouble(Double.doubleToRawLongBits(kb) << 52);
        return z < -700 ? 0.0 : e * scale;
    }
}

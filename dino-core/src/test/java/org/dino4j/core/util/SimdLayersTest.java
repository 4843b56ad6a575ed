package org.dino4j.core.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fused layers' kernels against the scalar expressions they replace (bit for bit where the kernel is a product
 * and a sum per element) and against float64 loops (sums, tanh, fused multiply-adds), at every tail length.
 */
class SimdLayersTest {
    private final Random rnd = new Random(13);
    private int lanes;

    @BeforeEach
    void needsSimd() {
        assumeTrue(Simd.enabled(), "SIMD switched off");
        lanes = Simd.floatLanes();
    }

    private int[] lengths() {
        return new int[] {1, lanes - 1, lanes, lanes + 1, 2 * lanes + 3, 50};
    }

    private ByteBuffer direct(float[] v) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * v.length).order(ByteOrder.nativeOrder());
        for (int i = 0; i < v.length; i++) {
            b.putFloat(4 * i, v[i]);
        }
        return b;
    }

    private float[] gaussian(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    /** Channels-last GroupNorm kernels at channel counts below, at and above the lanes, across float blocks. */
    @Test
    void groupNormKernelsMatchTheScalarExpressions() {
        int off = 2;
        for (int c : new int[] {1, 3, lanes / 2, lanes - 1, lanes, lanes + 1, 2 * lanes, 50}) {
            int period = SimdLayers.period(c, lanes);
            assertEquals(0, period % c, "period of c=" + c);
            assertEquals(0, period % lanes, "period of c=" + c);
            for (int pixels : new int[] {1, 7, SimdLayers.BLOCK + 5}) {
                int n = off + pixels * c;
                float[] xs = gaussian(n);
                float[] dys = gaussian(n);
                float[] a = gaussian(c);
                float[] b = gaussian(c);
                float[] k1 = gaussian(c);
                float[] k2 = gaussian(c);
                float[][] tiled = new float[4][period];
                for (int i = 0; i < period; i++) {
                    tiled[0][i] = a[i % c];
                    tiled[1][i] = b[i % c];
                    tiled[2][i] = k1[i % c];
                    tiled[3][i] = k2[i % c];
                }
                float[] acc = new float[2 * period];
                ByteBuffer x = direct(xs);
                ByteBuffer dy = direct(dys);
                String shape = "c=" + c + " pixels=" + pixels;
                double[] m1 = new double[c];
                double[] m2 = new double[c];
                SimdLayers.channelMoments(x, off, pixels * c, c, period, acc, m1, m2);
                for (int ch = 0; ch < c; ch++) {
                    double s1 = 0;
                    double s2 = 0;
                    for (int p = 0; p < pixels; p++) {
                        double v = xs[off + p * c + ch];
                        s1 += v;
                        s2 += v * v;
                    }
                    assertEquals(s1, m1[ch], 1e-5 * (pixels + s2), "Σ x " + shape + " ch=" + ch);
                    assertEquals(s2, m2[ch], 1e-6 * s2, "Σ x² " + shape + " ch=" + ch);
                }
                for (boolean relu : new boolean[] {false, true}) {
                    ByteBuffer y = direct(new float[n]);
                    SimdLayers.affine(x, off, y, off, pixels * c, period, tiled[0], tiled[1], relu);
                    double[] sx = new double[c + 1];
                    double[] sd = new double[c + 1];
                    SimdLayers.maskedSums(dy, off, x, off, pixels * c, c, period, tiled[0], tiled[1], relu, acc, sx, sd, 1);
                    ByteBuffer dx = direct(new float[n]);
                    SimdLayers.inputGradient(dy, off, x, off, dx, off, pixels * c, period, tiled[0], tiled[1], relu,
                            tiled[2], tiled[3]);
                    for (int ch = 0; ch < c; ch++) {
                        double px = 0;
                        double pd = 0;
                        double scale = 0;
                        for (int p = 0; p < pixels; p++) {
                            int e = off + p * c + ch;
                            float v = xs[e] * a[ch] + b[ch];
                            String at = shape + " relu=" + relu + " ch=" + ch + " p=" + p;
                            assertEquals(relu ? Math.max(v, 0f) : v, y.getFloat(4 * e), 0f, "affine " + at);
                            float dz = relu && !(v > 0f) ? 0f : dys[e];
                            px += (double) dz * xs[e];
                            pd += dz;
                            scale += Math.abs((double) dz * xs[e]) + Math.abs(dz);
                            assertEquals(dz * a[ch] + k1[ch] + xs[e] * k2[ch], dx.getFloat(4 * e), 0f, "input gradient " + at);
                        }
                        assertEquals(px, sx[1 + ch], 1e-6 * (scale + 1), "Σ dz·x " + shape + " ch=" + ch);
                        assertEquals(pd, sd[1 + ch], 1e-6 * (scale + 1), "Σ dz " + shape + " ch=" + ch);
                    }
                    assertEquals(0f, y.getFloat(0), 0f, "nothing written before the offset");
                    assertEquals(0f, dx.getFloat(4), 0f, "nothing written before the offset");
                }
            }
        }
    }

    @Test
    void geluAndItsGradientMatchTheTanhFormulaInFloat64() {
        double c = Math.sqrt(2 / Math.PI);
        for (int n : lengths()) {
            float[] xs = gaussian(n + 1);
            xs[0] = 4f; // saturated tanh
            float[] dys = gaussian(n + 1);
            ByteBuffer x = direct(xs);
            ByteBuffer dy = direct(dys);
            ByteBuffer y = direct(new float[n + 1]);
            ByteBuffer dx = direct(new float[n + 1]);
            SimdLayers.gelu(x, 1, y, 1, n);
            SimdLayers.geluBackward(x, 1, dy, 1, dx, 1, n);
            for (int i = 1; i <= n; i++) {
                double v = xs[i];
                double t = Math.tanh(c * (v + 0.044715 * v * v * v));
                double g = 0.5 * v * (1 + t);
                double d = dys[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v));
                assertEquals(g, y.getFloat(4 * i), 1e-6 * (1 + Math.abs(g)), "gelu n=" + n + " i=" + i);
                assertEquals(d, dx.getFloat(4 * i), 1e-6 * (1 + Math.abs(d)), "gelu' n=" + n + " i=" + i);
            }
            assertEquals(0f, y.getFloat(0), 0f, "nothing written before the offset");
        }
    }

    /** The stem's rows at output channel counts below, at and above the lanes (padded weights, overlapping stores). */
    @Test
    void stemConvolutionRowsAndWeightGradientsMatchTheScalarFmaOrderAndFloat64() {
        for (int ci : new int[] {1, 3}) {
            for (int co : lengths()) {
                int cp = (co + lanes - 1) / lanes * lanes;
                int width = 5;
                int pw = width + 2;
                int plane = 3 * pw + 1;
                int[] tap = {0, 1, 2, pw, pw + 1, pw + 2, 2 * pw, 2 * pw + 1, 2 * pw + 2};
                int[] window = new int[9 * ci];
                for (int t = 0; t < 9; t++) {
                    for (int c = 0; c < ci; c++) {
                        window[t * ci + c] = c * plane + tap[t];
                    }
                }
                float[] p = gaussian(ci * plane);
                float[] w = new float[9 * ci * cp];
                for (int k = 0; k < 9 * ci; k++) {
                    for (int o = 0; o < co; o++) {
                        w[k * cp + o] = (float) rnd.nextGaussian();
                    }
                }
                float[] y = new float[width * co + cp];
                SimdLayers.stemConvRow(p, 0, window, 9 * ci, w, co, cp, y, width);
                float[] dys = gaussian(width * co + cp);
                float[] acc = gaussian(9 * ci * cp);
                float[] acc0 = acc.clone();
                SimdLayers.stemWeightGradientRow(p, 0, window, 9 * ci, dys, co, cp, width, acc);
                for (int o = 0; o < co; o++) {
                    for (int j = 0; j < width; j++) {
                        float f = 0f;
                        double d = 0;
                        for (int k = 0; k < 9 * ci; k++) {
                            float pv = p[window[k] + j];
                            f = Math.fma(w[k * cp + o], pv, f);
                            d += (double) w[k * cp + o] * pv;
                        }
                        String at = "ci=" + ci + " co=" + co + " o=" + o + " j=" + j;
                        assertEquals(f, y[j * co + o], 0f, "convolution, fma order " + at);
                        assertEquals(d, y[j * co + o], 1e-5 * (1 + Math.abs(d)), "convolution " + at);
                    }
                    for (int k = 0; k < 9 * ci; k++) {
                        float f = acc0[k * cp + o];
                        double d = acc0[k * cp + o];
                        for (int j = 0; j < width; j++) {
                            float g = dys[j * co + o];
                            f = Math.fma(g, p[window[k] + j], f);
                            d += (double) g * p[window[k] + j];
                        }
                        String at = "ci=" + ci + " co=" + co + " o=" + o + " k=" + k;
                        assertEquals(f, acc[k * cp + o], 0f, "weight gradient, fma order " + at);
                        assertEquals(d, acc[k * cp + o], 1e-5 * (1 + Math.abs(d)), "weight gradient " + at);
                    }
                }
            }
        }
    }

    /**
     * Once C2 has compiled them, the kernels allocate nothing per call: a vector operation that JDK 17 does not
     * intrinsify (mask logic, for one) falls back to Java objects per lane group, which at a real batch is tens of
     * megabytes of garbage per step and several times the kernel's time.
     */
    @Test
    void everyKernelAllocatesNothingOnceCompiled() {
        int pixels = 49;
        int c = 2 * lanes;
        int n = pixels * c;
        float[] xs = gaussian(n);
        float[] dys = gaussian(n);
        float[] a = gaussian(c);
        float[] b = gaussian(c);
        float[] acc = new float[2 * c];
        ByteBuffer x = direct(xs);
        ByteBuffer dy = direct(dys);
        ByteBuffer y = direct(new float[n]);
        ByteBuffer dx = direct(new float[n]);
        double[] sx = new double[c];
        double[] sd = new double[c];
        double[] two = new double[2];
        int width = 28;
        int pw = width + 2;
        int plane = 30 * pw;
        float[] p = gaussian(plane);
        float[] w = gaussian(9 * c);
        float[] wAcc = new float[9 * c];
        float[] rowOut = new float[width * c + c];
        int[] taps = {0, 1, 2, pw, pw + 1, pw + 2, 2 * pw, 2 * pw + 1, 2 * pw + 2};
        int k = 1024;
        float[] row = gaussian(k);
        float[] center = gaussian(k);
        float[] targets = new float[k];
        float[] work = new float[k];
        java.util.Map<String, Runnable> kernels = new java.util.LinkedHashMap<>();
        // the loss kernels first: they also work in double lanes, and what they call must not spoil the type
        // profiles that the float kernels' vector operations share with them
        kernels.put("SimdLoss.centeredSoftmaxRow", () -> SimdLoss.centeredSoftmaxRow(row, center, 10.0, targets, 0, k));
        kernels.put("SimdLoss.expSumDot", () -> {
            System.arraycopy(row, 0, work, 0, k);
            SimdLoss.expSumDot(work, k, 3.0, 10.0, targets, 0, -1, two);
        });
        kernels.put("SimdLoss.gradRow", () -> {
            System.arraycopy(row, 0, work, 0, k);
            SimdLoss.gradRow(work, k, 0.5, 0.25, targets, 0, -1);
        });
        kernels.put("channelMoments", () -> SimdLayers.channelMoments(x, 0, n, c, c, acc, sx, sd));
        kernels.put("affine", () -> SimdLayers.affine(x, 0, y, 0, n, c, a, b, true));
        kernels.put("maskedSums", () -> SimdLayers.maskedSums(dy, 0, x, 0, n, c, c, a, b, true, acc, sx, sd, 0));
        kernels.put("inputGradient", () -> SimdLayers.inputGradient(dy, 0, x, 0, dx, 0, n, c, a, b, true, a, b));
        kernels.put("gelu", () -> SimdLayers.gelu(x, 0, y, 0, n));
        kernels.put("geluBackward", () -> SimdLayers.geluBackward(x, 0, dy, 0, dx, 0, n));
        kernels.put("stemConvRow", () -> SimdLayers.stemConvRow(p, pw, taps, 9, w, c, c, rowOut, width));
        kernels.put("stemWeightGradientRow", () -> SimdLayers.stemWeightGradientRow(p, pw, taps, 9, dys, c, c, width, wAcc));
        kernels.put("affine without ReLU", () -> SimdLayers.affine(x, 0, y, 0, n, c, a, b, false));
        kernels.put("maskedSums without ReLU", () -> SimdLayers.maskedSums(dy, 0, x, 0, n, c, c, a, b, false, acc, sx, sd, 0));
        kernels.put("inputGradient without ReLU", () -> SimdLayers.inputGradient(dy, 0, x, 0, dx, 0, n, c, a, b, false, a, b));
        StringBuilder failures = new StringBuilder();
        for (java.util.Map.Entry<String, Runnable> kernel : kernels.entrySet()) {
            long perCall = CompiledAllocation.perCall(kernel.getValue(), 64);
            if (perCall >= 64) {
                failures.append(kernel.getKey()).append(": ").append(perCall).append(" B per call; ");
            }
        }
        assertEquals("", failures.toString(), "kernels that allocate once compiled");
    }
}

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

    @Test
    void groupNormChannelKernelsMatchTheScalarExpressions() {
        int count = 3;
        int off = 2;
        for (int hw : lengths()) {
            int n = off + count * hw;
            float[] xs = gaussian(n);
            float[] dys = gaussian(n);
            float[] a = gaussian(count + 1);
            float[] b = gaussian(count + 1);
            ByteBuffer x = direct(xs);
            ByteBuffer dy = direct(dys);
            for (boolean relu : new boolean[] {false, true}) {
                ByteBuffer y = direct(new float[n]);
                SimdLayers.affineChannels(x, off, y, off, hw, count, a, b, 1, relu);
                double[] sx = new double[count + 1];
                double[] sd = new double[count + 1];
                SimdLayers.maskedSumsChannels(dy, off, x, off, hw, count, a, b, 1, relu, sx, sd);
                ByteBuffer dx = direct(new float[n]);
                SimdLayers.inputGradientChannels(dy, off, x, off, dx, off, hw, count, a, b, 1, relu, 0.25f, -0.5f);
                for (int c = 0; c < count; c++) {
                    float ac = a[1 + c];
                    float bc = b[1 + c];
                    double px = 0;
                    double pd = 0;
                    double scale = 0;
                    for (int i = 0; i < hw; i++) {
                        int e = off + c * hw + i;
                        float v = xs[e] * ac + bc;
                        String at = "hw=" + hw + " relu=" + relu + " c=" + c + " i=" + i;
                        assertEquals(relu ? Math.max(v, 0f) : v, y.getFloat(4 * e), 0f, "affine " + at);
                        float dz = relu && !(v > 0f) ? 0f : dys[e];
                        px += (double) dz * xs[e];
                        pd += dz;
                        scale += Math.abs((double) dz * xs[e]) + Math.abs(dz);
                        assertEquals(dz * ac + 0.25f + xs[e] * -0.5f, dx.getFloat(4 * e), 0f, "input gradient " + at);
                    }
                    assertEquals(px, sx[1 + c], 1e-6 * (scale + 1), "Σ dz·x hw=" + hw + " c=" + c);
                    assertEquals(pd, sd[1 + c], 1e-6 * (scale + 1), "Σ dz hw=" + hw + " c=" + c);
                }
            }
            double[] out = new double[2];
            SimdLayers.sumAndSquares(x, off, count * hw, out);
            double s1 = 0;
            double s2 = 0;
            for (int i = off; i < n; i++) {
                s1 += xs[i];
                s2 += (double) xs[i] * xs[i];
            }
            assertEquals(s1, out[0], 1e-5 * (n + s2), "Σ x hw=" + hw);
            assertEquals(s2, out[1], 1e-6 * s2, "Σ x² hw=" + hw);
        }
    }

    @Test
    void groupNormExpandedKernelsMatchTheScalarExpressionsBitForBit() {
        for (int n : lengths()) {
            float[] x = gaussian(n);
            float[] dy = gaussian(n);
            float[] a = gaussian(n);
            float[] b = gaussian(n);
            for (boolean relu : new boolean[] {false, true}) {
                float[] y = new float[n];
                float[] dz = new float[n];
                float[] dzx = new float[n];
                float[] dx = new float[n];
                SimdLayers.affineExpanded(x, a, b, y, n, relu);
                SimdLayers.maskedGradient(x, dy, a, b, dz, dzx, n, relu);
                SimdLayers.inputGradientExpanded(dz, x, a, 0.1f, 0.3f, dx, n);
                for (int i = 0; i < n; i++) {
                    float v = x[i] * a[i] + b[i];
                    float d = relu && !(v > 0f) ? 0f : dy[i];
                    String at = "n=" + n + " relu=" + relu + " i=" + i;
                    assertEquals(relu ? Math.max(v, 0f) : v, y[i], 0f, "affine " + at);
                    assertEquals(d, dz[i], 0f, "dz " + at);
                    assertEquals(d * x[i], dzx[i], 0f, "dz·x " + at);
                    assertEquals(d * a[i] + 0.1f + x[i] * 0.3f, dx[i], 0f, "dx " + at);
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

    @Test
    void convolutionRowsAndTapDotsMatchFloat64Loops() {
        int co = 3;
        for (int width : lengths()) {
            int pw = width + 2 + lanes; // a padded row plus the vector's slack
            float[] p = gaussian(4 * pw + lanes);
            float[] w = gaussian(9 * co);
            int stride = width + 2 * lanes;
            for (boolean accumulate : new boolean[] {false, true}) {
                float[] out = new float[co * stride + lanes];
                java.util.Arrays.fill(out, 0.5f);
                SimdLayers.convRow3x3(p, 1, pw, w, co, out, 1, stride, width, accumulate);
                for (int o = 0; o < co; o++) {
                    for (int j = 0; j < width; j++) {
                        double s = accumulate ? 0.5 : 0;
                        for (int u = 0; u < 3; u++) {
                            for (int v = 0; v < 3; v++) {
                                s += (double) w[o * 9 + u * 3 + v] * p[1 + u * pw + v + j];
                            }
                        }
                        assertEquals(s, out[o * stride + 1 + j], 1e-5 * (1 + Math.abs(s)),
                                "width=" + width + " accumulate=" + accumulate + " o=" + o + " j=" + j);
                    }
                }
            }
            float[] g = gaussian(width);
            int[] tapOffset = {0, 1, 2, pw, pw + 1, pw + 2, 2 * pw, 2 * pw + 1, 2 * pw + 2};
            double[] dots = new double[9];
            SimdLayers.dot9(g, p, 1, tapOffset, width, dots);
            for (int t = 0; t < 9; t++) {
                double s = 0;
                double scale = 0;
                for (int k = 0; k < width; k++) {
                    s += (double) g[k] * p[1 + tapOffset[t] + k];
                    scale += Math.abs((double) g[k] * p[1 + tapOffset[t] + k]);
                }
                assertEquals(s, dots[t], 1e-6 * (1 + scale), "dot9 width=" + width + " tap " + t);
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
        int hw = 49;
        int count = 8;
        int n = count * hw;
        float[] xs = gaussian(n);
        float[] dys = gaussian(n);
        float[] a = gaussian(n);
        float[] b = gaussian(n);
        ByteBuffer x = direct(xs);
        ByteBuffer dy = direct(dys);
        ByteBuffer y = direct(new float[n]);
        ByteBuffer dx = direct(new float[n]);
        float[] fy = new float[n];
        float[] dz = new float[n];
        float[] dzx = new float[n];
        float[] fdx = new float[n];
        double[] sx = new double[count];
        double[] sd = new double[count];
        double[] two = new double[2];
        int width = 28;
        int pw = width + 2 + lanes;
        float[] p = gaussian(4 * pw + lanes);
        float[] w = gaussian(9 * 4);
        float[] out = new float[4 * (width + 2 * lanes) + lanes];
        int[] taps = {0, 1, 2, pw, pw + 1, pw + 2, 2 * pw, 2 * pw + 1, 2 * pw + 2};
        double[] dots = new double[9];
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
        kernels.put("sumAndSquares", () -> SimdLayers.sumAndSquares(x, 0, n, two));
        kernels.put("affineChannels", () -> SimdLayers.affineChannels(x, 0, y, 0, hw, count, a, b, 0, true));
        kernels.put("maskedSumsChannels", () -> SimdLayers.maskedSumsChannels(dy, 0, x, 0, hw, count, a, b, 0, true, sx, sd));
        kernels.put("inputGradientChannels",
                () -> SimdLayers.inputGradientChannels(dy, 0, x, 0, dx, 0, hw, count, a, b, 0, true, 0.25f, -0.5f));
        kernels.put("gelu", () -> SimdLayers.gelu(x, 0, y, 0, n));
        kernels.put("geluBackward", () -> SimdLayers.geluBackward(x, 0, dy, 0, dx, 0, n));
        kernels.put("convRow3x3", () -> SimdLayers.convRow3x3(p, 1, pw, w, 4, out, 1, width + 2 * lanes, width, true));
        kernels.put("dot9", () -> SimdLayers.dot9(xs, p, 1, taps, width, dots));
        kernels.put("affineExpanded", () -> SimdLayers.affineExpanded(xs, a, b, fy, n, true));
        kernels.put("maskedGradient", () -> SimdLayers.maskedGradient(xs, dys, a, b, dz, dzx, n, true));
        kernels.put("inputGradientExpanded", () -> SimdLayers.inputGradientExpanded(dz, xs, a, 0.1f, 0.3f, fdx, n));
        kernels.put("affineChannels without ReLU", () -> SimdLayers.affineChannels(x, 0, y, 0, hw, count, a, b, 0, false));
        kernels.put("maskedSumsChannels without ReLU",
                () -> SimdLayers.maskedSumsChannels(dy, 0, x, 0, hw, count, a, b, 0, false, sx, sd));
        kernels.put("inputGradientChannels without ReLU",
                () -> SimdLayers.inputGradientChannels(dy, 0, x, 0, dx, 0, hw, count, a, b, 0, false, 0.25f, -0.5f));
        kernels.put("affineExpanded without ReLU", () -> SimdLayers.affineExpanded(xs, a, b, fy, n, false));
        kernels.put("maskedGradient without ReLU", () -> SimdLayers.maskedGradient(xs, dys, a, b, dz, dzx, n, false));
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

package org.dino4j.core.pretrained;

import java.nio.FloatBuffer;
import org.dino4j.core.util.HostArrays;
import org.dino4j.core.util.Parallel;
import org.dino4j.core.util.Simd;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The element-wise parts of the imported ViT's forward pass, in plain Java over ND4J's host memory, row blocks
 * split over a {@link Parallel} pool: LayerNorm over the last axis and bias + exact (erf) GELU. They work on
 * 'c'-contiguous FLOAT arrays {@code [rows, n]}, copying blocks of rows to heap scratch (where the JIT vectorises
 * the loops) and back. With {@link Simd#enabled()} the row passes run on the Vector API ({@code VectorRows}:
 * GELU bit-identical to the scalar loop, LayerNorm statistics in float lanes instead of double).
 */
final class RowKernels {
    /** Floats per scratch block (per worker). */
    private static final int BLOCK = 1 << 15;
    /** Whether the Vector API row passes are used ({@code VectorRows}; the JIT does not vectorise these loops). */
    static final boolean VECTOR = vectorRows();

    private final Parallel pool;
    private final float[][] scratch;

    RowKernels(Parallel pool) {
        this.pool = pool;
        this.scratch = new float[pool.threads()][BLOCK];
    }

    /**
     * x ← x + bias (when bias ≠ null, written back to x), then y = (x − mean)/√(var + eps)·gain + beta per row
     * (biased variance, as {@code nn.LayerNorm}). Folding the bias of the preceding linear layer in here saves a
     * pass over x. Mean and variance are two-pass; in double on the scalar path, in float vector lanes on the SIMD
     * path ({@code VectorRows}).
     *
     * @param x {@code [rows, n]} input (updated in place when bias ≠ null)
     * @param bias n values added to every row of x first, or null
     * @param y {@code [rows, n]} output (may be x)
     * @param gain n gains
     * @param beta n biases of the norm
     * @param eps epsilon
     */
    void layerNorm(INDArray x, float[] bias, INDArray y, float[] gain, float[] beta, double eps) {
        int rows = (int) x.size(0);
        int n = (int) x.size(1);
        FloatBuffer xb = buffer(x);
        FloatBuffer yb = buffer(y);
        int xo = HostArrays.base(x);
        int yo = HostArrays.base(y);
        int per = Math.max(1, BLOCK / n);
        pool.forEach(rows, per, (w, from, to) -> {
            float[] s = scratch[w];
            for (int r0 = from; r0 < to; r0 += per) {
                int r1 = Math.min(to, r0 + per);
                int len = (r1 - r0) * n;
                xb.get(xo + r0 * n, s, 0, len);
                if (bias != null) {
                    for (int r = 0; r < r1 - r0; r++) {
                        if (VECTOR) {
                            VectorRows.addInPlace(s, r * n, n, bias);
                        } else {
                            for (int k = 0; k < n; k++) {
                                s[r * n + k] += bias[k];
                            }
                        }
                    }
                    xb.put(xo + r0 * n, s, 0, len);
                }
                for (int r = 0; r < r1 - r0; r++) {
                    if (VECTOR) {
                        VectorRows.layerNorm(s, r * n, n, gain, beta, (float) eps);
                    } else {
                        normaliseRow(s, r * n, n, gain, beta, eps);
                    }
                }
                yb.put(yo + r0 * n, s, 0, len);
            }
        });
    }

    static void normaliseRow(float[] s, int o, int n, float[] gain, float[] bias, double eps) {
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += s[o + k];
        }
        double mean = sum / n;
        double sq = 0;
        for (int k = 0; k < n; k++) {
            double d = s[o + k] - mean;
            sq += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(sq / n + eps));
        float m = (float) mean;
        for (int k = 0; k < n; k++) {
            s[o + k] = (s[o + k] - m) * inv * gain[k] + bias[k];
        }
    }

    /**
     * x ← GELU(x + bias) in place, GELU(z) = ½·z·(1 + erf(z/√2)) ({@code nn.GELU()}, exact form).
     *
     * @param x {@code [rows, n]}
     * @param bias n biases
     */
    void biasGelu(INDArray x, float[] bias) {
        int rows = (int) x.size(0);
        int n = (int) x.size(1);
        FloatBuffer xb = buffer(x);
        int xo = HostArrays.base(x);
        int per = Math.max(1, BLOCK / n);
        pool.forEach(rows, per, (w, from, to) -> {
            float[] s = scratch[w];
            for (int r0 = from; r0 < to; r0 += per) {
                int r1 = Math.min(to, r0 + per);
                int len = (r1 - r0) * n;
                xb.get(xo + r0 * n, s, 0, len);
                for (int r = 0; r < r1 - r0; r++) {
                    if (VECTOR) {
                        VectorRows.gelu(s, r * n, n, bias);
                    } else {
                        geluRow(s, r * n, n, bias);
                    }
                }
                xb.put(xo + r0 * n, s, 0, len);
            }
        });
    }

    static void geluRow(float[] s, int o, int n, float[] bias) {
        for (int k = 0; k < n; k++) {
            float z = s[o + k] + bias[k];
            s[o + k] = 0.5f * z * (1f + erf(z * 0.70710678118654752f));
        }
    }

    private static boolean vectorRows() {
        if (!Simd.enabled()) {
            return false;
        }
        try {
            return VectorRows.selfTest();
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /**
     * erf(x) in float by a rational minimax approximation on [−4, 4] (odd degree-13 numerator over even degree-8
     * denominator in x; |erf(x)| rounds to 1 beyond): absolute error below 5e-7 (tested against a double-precision
     * erf). Branch-free so the JIT can vectorise the GELU loop.
     *
     * @param x argument
     * @return erf(x)
     */
    static float erf(float x) {
        float c = Math.max(-4f, Math.min(4f, x));
        float x2 = c * c;
        float p = -2.72614225801306e-10f;
        p = p * x2 + 2.77068142495902e-08f;
        p = p * x2 - 2.10102402082508e-06f;
        p = p * x2 - 5.69250639462346e-05f;
        p = p * x2 - 7.34990630326855e-04f;
        p = p * x2 - 2.95459980854025e-03f;
        p = p * x2 - 1.60960333262415e-02f;
        float q = -1.45660718464996e-05f;
        q = q * x2 - 2.13374055278905e-04f;
        q = q * x2 - 1.68282697438203e-03f;
        q = q * x2 - 7.37332916720468e-03f;
        q = q * x2 - 1.42647390514189e-02f;
        return c * p / q;
    }

    private static FloatBuffer buffer(INDArray a) {
        if (!HostArrays.hostReady(a, DataType.FLOAT)) {
            throw new IllegalStateException("kernel needs a 'c'-contiguous FLOAT host array, got " + a.shapeInfoToString());
        }
        return HostArrays.floats(a);
    }
}

package org.dino4j.core.util;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fused layers' kernels on the Vector API: GroupNorm (+ ReLU) forward and backward over channel planes of ND4J
 * memory or over heap copies of small groups ({@code GroupNormFusion}), the tanh GELU and its gradient
 * ({@code GeluFusion}), and the stem's 3×3 convolution rows and weight-gradient dot products ({@code StemConvFusion}).
 *
 * <p>Every method requires {@link Simd#enabled()}; the vector code lives in a nested class that is only linked by the
 * first call (see {@link Simd}). {@link ByteBuffer} arguments are in {@link ByteOrder#nativeOrder()}, offsets in
 * floats.
 */
public final class SimdLayers {

    private SimdLayers() {
    }

    /**
     * Sums of one span of floats: {@code out[0] = Σ x_i}, {@code out[1] = Σ x_i²} for {@code i < n} (float lanes,
     * the lane totals added in double). GroupNorm's per-(sample, channel) moments.
     *
     * @param x   native-order memory
     * @param off first element (float index)
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void sumAndSquares(ByteBuffer x, int off, int n, double[] out) {
        Simd.requireEnabled();
        Impl.sumAndSquares(x, off, n, out);
    }

    /**
     * GroupNorm's affine step over {@code count} consecutive channel planes of {@code hw} floats: plane {@code c} gets
     * {@code y = x·a[ao + c] + b[ao + c]}, then {@code max(·, 0)} when {@code relu} (a product and a sum in float, no
     * fused multiply-add, as the scalar expression).
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void affineChannels(ByteBuffer x, int xOff, ByteBuffer y, int yOff, int hw, int count, float[] a,
                                      float[] b, int ao, boolean relu) {
        Simd.requireEnabled();
        Impl.affineChannels(x, xOff, y, yOff, hw, count, a, b, ao, relu);
    }

    /**
     * The sums of GroupNorm's backward pass over {@code count} consecutive channel planes: with {@code dz = dy} where
     * {@code x·a[ao + c] + b[ao + c] > 0} (or everywhere when {@code !relu}) and 0 elsewhere,
     * {@code sx[ao + c] = Σ dz·x}, {@code sd[ao + c] = Σ dz} over plane c (float lanes, lane totals in double).
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void maskedSumsChannels(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, int hw, int count,
                                          float[] a, float[] b, int ao, boolean relu, double[] sx, double[] sd) {
        Simd.requireEnabled();
        Impl.maskedSumsChannels(dy, dyOff, x, xOff, hw, count, a, b, ao, relu, sx, sd);
    }

    /**
     * GroupNorm's input gradient over {@code count} consecutive channel planes: {@code dx = dz·a[ao + c] + k1 + x·k2},
     * dz as in {@link #maskedSumsChannels}.
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void inputGradientChannels(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, ByteBuffer dx, int dxOff,
                                             int hw, int count, float[] a, float[] b, int ao, boolean relu, float k1,
                                             float k2) {
        Simd.requireEnabled();
        Impl.inputGradientChannels(dy, dyOff, x, xOff, dx, dxOff, hw, count, a, b, ao, relu, k1, k2);
    }

    /**
     * GELU, tanh form, over one span: {@code y_i = 0.5·x_i·(1 + tanh(√(2/π)·(x_i + 0.044715·x_i³)))} in float lanes
     * (the vector {@code TANH}).
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void gelu(ByteBuffer x, int xOff, ByteBuffer y, int yOff, int n) {
        Simd.requireEnabled();
        Impl.gelu(x, xOff, y, yOff, n);
    }

    /**
     * The GELU's input gradient over one span: {@code dx_i = dy_i·(0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²))}
     * with t the tanh of {@link #gelu}.
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void geluBackward(ByteBuffer x, int xOff, ByteBuffer dy, int dyOff, ByteBuffer dx, int dxOff, int n) {
        Simd.requireEnabled();
        Impl.geluBackward(x, xOff, dy, dyOff, dx, dxOff, n);
    }

    /**
     * One output row of a 3×3 convolution with one input channel, for every output channel: with {@code p} a
     * zero-padded input plane of row length {@code pw} and {@code r} the first of the row's three padded input rows,
     * {@code out[o·oStride + oOff + j] (+)= Σ_{u,v} w[o·9 + u·3 + v]·p[r + u·pw + v + j]} for {@code j < width},
     * {@code o < co} (accumulating when {@code accumulate}). The nine input windows are loaded once per vector and
     * reused for every output channel (fused multiply-adds). Whole vectors only: up to one vector past {@code width} is
     * read from {@code p} and written to {@code out} (callers leave that much slack).
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void convRow3x3(float[] p, int r, int pw, float[] w, int co, float[] out, int oOff, int oStride,
                                  int width, boolean accumulate) {
        Simd.requireEnabled();
        Impl.convRow3x3(p, r, pw, w, co, out, oOff, oStride, width, accumulate);
    }

    /**
     * Nine dot products against shifted windows of a plane: {@code out[t] = Σ_k g[k]·p[base + off[t] + k]},
     * {@code k < n}, each accumulated in float lanes with fused multiply-adds, the lane totals added in double.
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void dot9(float[] g, float[] p, int base, int[] off, int n, double[] out) {
        Simd.requireEnabled();
        Impl.dot9(g, p, base, off, n, out);
    }

    /**
     * GroupNorm's steps on a heap copy of one group whose scale and shift are expanded per element (small planes):
     * {@code y[i] = relu?(x[i]·a[i] + b[i])} for {@code i < n}.
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void affineExpanded(float[] x, float[] a, float[] b, float[] y, int n, boolean relu) {
        Simd.requireEnabled();
        Impl.affineExpanded(x, a, b, y, n, relu);
    }

    /**
     * {@code dz[i] = dy[i]} where {@code x[i]·a[i] + b[i] > 0} (everywhere when {@code !relu}), else 0; and
     * {@code dzx[i] = dz[i]·x[i]}, for {@code i < n} (heap arrays, per-element scale and shift).
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void maskedGradient(float[] x, float[] dy, float[] a, float[] b, float[] dz, float[] dzx, int n,
                                      boolean relu) {
        Simd.requireEnabled();
        Impl.maskedGradient(x, dy, a, b, dz, dzx, n, relu);
    }

    /**
     * {@code dx[i] = dz[i]·a[i] + k1 + x[i]·k2} for {@code i < n} (heap arrays, per-element scale).
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void inputGradientExpanded(float[] dz, float[] x, float[] a, float k1, float k2, float[] dx, int n) {
        Simd.requireEnabled();
        Impl.inputGradientExpanded(dz, x, a, k1, k2, dx, n);
    }

    /** The Vector API code; linked only once SIMD is enabled, by the first call of a method above (or Simd's warm-up). */
    static final class Impl {
        static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
        static final ByteOrder ORDER = ByteOrder.nativeOrder();

        static void sumAndSquares(ByteBuffer x, int off, int n, double[] out) {
            int lanes = SPECIES.length();
            FloatVector s1 = FloatVector.zero(SPECIES);
            FloatVector s2 = FloatVector.zero(SPECIES);
            int i = 0;
            for (; i <= n - lanes; i += lanes) {
                FloatVector v = FloatVector.fromByteBuffer(SPECIES, x, (off + i) << 2, ORDER);
                s1 = s1.add(v);
                s2 = s2.add(v.mul(v));
            }
            double a = s1.reduceLanes(VectorOperators.ADD);
            double b = s2.reduceLanes(VectorOperators.ADD);
            for (; i < n; i++) {
                float v = x.getFloat((off + i) << 2);
                a += v;
                b += v * v;
            }
            out[0] = a;
            out[1] = b;
        }

        static void affineChannels(ByteBuffer x, int xOff, ByteBuffer y, int yOff, int hw, int count, float[] a,
                                   float[] b, int ao, boolean relu) {
            int lanes = SPECIES.length();
            FloatVector zero = FloatVector.zero(SPECIES);
            for (int c = 0; c < count; c++) {
                float ac = a[ao + c];
                float bc = b[ao + c];
                int xs = xOff + c * hw;
                int ys = yOff + c * hw;
                int i = 0;
                for (; i <= hw - lanes; i += lanes) {
                    FloatVector v = FloatVector.fromByteBuffer(SPECIES, x, (xs + i) << 2, ORDER).mul(ac).add(bc);
                    (relu ? v.max(zero) : v).intoByteBuffer(y, (ys + i) << 2, ORDER);
                }
                for (; i < hw; i++) {
                    float v = x.getFloat((xs + i) << 2) * ac + bc;
                    y.putFloat((ys + i) << 2, relu ? Math.max(v, 0f) : v);
                }
            }
        }

        static void maskedSumsChannels(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, int hw, int count, float[] a,
                                       float[] b, int ao, boolean relu, double[] sx, double[] sd) {
            int lanes = SPECIES.length();
            for (int c = 0; c < count; c++) {
                float ac = a[ao + c];
                float bc = b[ao + c];
                int xs = xOff + c * hw;
                int ds = dyOff + c * hw;
                FloatVector vx = FloatVector.zero(SPECIES);
                FloatVector vd = FloatVector.zero(SPECIES);
                int i = 0;
                for (; i <= hw - lanes; i += lanes) {
                    FloatVector xv = FloatVector.fromByteBuffer(SPECIES, x, (xs + i) << 2, ORDER);
                    FloatVector dz = FloatVector.fromByteBuffer(SPECIES, dy, (ds + i) << 2, ORDER);
                    if (relu) {
                        dz = dz.blend(0f, xv.mul(ac).add(bc).compare(VectorOperators.GT, 0f).not());
                    }
                    vx = vx.add(dz.mul(xv));
                    vd = vd.add(dz);
                }
                double p = i == 0 ? 0 : vx.reduceLanes(VectorOperators.ADD);
                double q = i == 0 ? 0 : vd.reduceLanes(VectorOperators.ADD);
                for (; i < hw; i++) {
                    float xv = x.getFloat((xs + i) << 2);
                    float dz = relu && !(xv * ac + bc > 0f) ? 0f : dy.getFloat((ds + i) << 2);
                    p += dz * xv;
                    q += dz;
                }
                sx[ao + c] = p;
                sd[ao + c] = q;
            }
        }

        static void inputGradientChannels(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, ByteBuffer dx, int dxOff,
                                          int hw, int count, float[] a, float[] b, int ao, boolean relu, float k1,
                                          float k2) {
            int lanes = SPECIES.length();
            for (int c = 0; c < count; c++) {
                float ac = a[ao + c];
                float bc = b[ao + c];
                int xs = xOff + c * hw;
                int ds = dyOff + c * hw;
                int os = dxOff + c * hw;
                int i = 0;
                for (; i <= hw - lanes; i += lanes) {
                    FloatVector xv = FloatVector.fromByteBuffer(SPECIES, x, (xs + i) << 2, ORDER);
                    FloatVector dz = FloatVector.fromByteBuffer(SPECIES, dy, (ds + i) << 2, ORDER);
                    if (relu) {
                        dz = dz.blend(0f, xv.mul(ac).add(bc).compare(VectorOperators.GT, 0f).not());
                    }
                    dz.mul(ac).add(k1).add(xv.mul(k2)).intoByteBuffer(dx, (os + i) << 2, ORDER);
                }
                for (; i < hw; i++) {
                    float xv = x.getFloat((xs + i) << 2);
                    float dz = relu && !(xv * ac + bc > 0f) ? 0f : dy.getFloat((ds + i) << 2);
                    dx.putFloat((os + i) << 2, dz * ac + k1 + xv * k2);
                }
            }
        }

        static final float GELU_C = (float) Math.sqrt(2.0 / Math.PI);
        static final float GELU_A = 0.044715f;

        static void gelu(ByteBuffer x, int xOff, ByteBuffer y, int yOff, int n) {
            int lanes = SPECIES.length();
            int i = 0;
            for (; i <= n - lanes; i += lanes) {
                FloatVector v = FloatVector.fromByteBuffer(SPECIES, x, (xOff + i) << 2, ORDER);
                FloatVector t = v.add(v.mul(v).mul(v).mul(GELU_A)).mul(GELU_C).lanewise(VectorOperators.TANH);
                v.mul(t.add(1f)).mul(0.5f).intoByteBuffer(y, (yOff + i) << 2, ORDER);
            }
            for (; i < n; i++) {
                float v = x.getFloat((xOff + i) << 2);
                float t = (float) Math.tanh((v + v * v * v * GELU_A) * GELU_C);
                y.putFloat((yOff + i) << 2, v * (t + 1f) * 0.5f);
            }
        }

        static void geluBackward(ByteBuffer x, int xOff, ByteBuffer dy, int dyOff, ByteBuffer dx, int dxOff, int n) {
            int lanes = SPECIES.length();
            int i = 0;
            for (; i <= n - lanes; i += lanes) {
                FloatVector v = FloatVector.fromByteBuffer(SPECIES, x, (xOff + i) << 2, ORDER);
                FloatVector v2 = v.mul(v);
                FloatVector t = v.add(v2.mul(v).mul(GELU_A)).mul(GELU_C).lanewise(VectorOperators.TANH);
                FloatVector du = v2.mul(3f * GELU_A).add(1f).mul(GELU_C);
                FloatVector d = t.add(1f).mul(0.5f).add(v.mul(0.5f).mul(t.mul(t).neg().add(1f)).mul(du));
                FloatVector.fromByteBuffer(SPECIES, dy, (dyOff + i) << 2, ORDER).mul(d).intoByteBuffer(dx, (dxOff + i) << 2, ORDER);
            }
            for (; i < n; i++) {
                float v = x.getFloat((xOff + i) << 2);
                float t = (float) Math.tanh((v + v * v * v * GELU_A) * GELU_C);
                float du = (v * v * (3f * GELU_A) + 1f) * GELU_C;
                float d = (t + 1f) * 0.5f + v * 0.5f * (1f - t * t) * du;
                dx.putFloat((dxOff + i) << 2, dy.getFloat((dyOff + i) << 2) * d);
            }
        }

        static void convRow3x3(float[] p, int r, int pw, float[] w, int co, float[] out, int oOff, int oStride,
                               int width, boolean accumulate) {
            int lanes = SPECIES.length();
            for (int j = 0; j < width; j += lanes) {
                int q = r + j;
                FloatVector v0 = FloatVector.fromArray(SPECIES, p, q);
                FloatVector v1 = FloatVector.fromArray(SPECIES, p, q + 1);
                FloatVector v2 = FloatVector.fromArray(SPECIES, p, q + 2);
                FloatVector v3 = FloatVector.fromArray(SPECIES, p, q + pw);
                FloatVector v4 = FloatVector.fromArray(SPECIES, p, q + pw + 1);
                FloatVector v5 = FloatVector.fromArray(SPECIES, p, q + pw + 2);
                FloatVector v6 = FloatVector.fromArray(SPECIES, p, q + 2 * pw);
                FloatVector v7 = FloatVector.fromArray(SPECIES, p, q + 2 * pw + 1);
                FloatVector v8 = FloatVector.fromArray(SPECIES, p, q + 2 * pw + 2);
                for (int o = 0; o < co; o++) {
                    int wo = o * 9;
                    FloatVector a = v0.mul(w[wo]);
                    a = v1.fma(FloatVector.broadcast(SPECIES, w[wo + 1]), a);
                    a = v2.fma(FloatVector.broadcast(SPECIES, w[wo + 2]), a);
                    a = v3.fma(FloatVector.broadcast(SPECIES, w[wo + 3]), a);
                    a = v4.fma(FloatVector.broadcast(SPECIES, w[wo + 4]), a);
                    a = v5.fma(FloatVector.broadcast(SPECIES, w[wo + 5]), a);
                    a = v6.fma(FloatVector.broadcast(SPECIES, w[wo + 6]), a);
                    a = v7.fma(FloatVector.broadcast(SPECIES, w[wo + 7]), a);
                    a = v8.fma(FloatVector.broadcast(SPECIES, w[wo + 8]), a);
                    int at = o * oStride + oOff + j;
                    if (accumulate) {
                        a = a.add(FloatVector.fromArray(SPECIES, out, at));
                    }
                    a.intoArray(out, at);
                }
            }
        }

        static void dot9(float[] g, float[] p, int base, int[] off, int n, double[] out) {
            int lanes = SPECIES.length();
            FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0,
                    s8 = s0;
            int b0 = base + off[0], b1 = base + off[1], b2 = base + off[2], b3 = base + off[3], b4 = base + off[4],
                    b5 = base + off[5], b6 = base + off[6], b7 = base + off[7], b8 = base + off[8];
            int k = 0;
            for (; k <= n - lanes; k += lanes) {
                FloatVector gv = FloatVector.fromArray(SPECIES, g, k);
                s0 = gv.fma(FloatVector.fromArray(SPECIES, p, b0 + k), s0);
                s1 = gv.fma(FloatVector.fromArray(SPECIES, p, b1 + k), s1);
                s2 = gv.fma(FloatVector.fromArray(SPECIES, p, b2 + k), s2);
                s3 = gv.fma(FloatVector.fromArray(SPECIES, p, b3 + k), s3);
                s4 = gv.fma(FloatVector.fromArray(SPECIES, p, b4 + k), s4);
                s5 = gv.fma(FloatVector.fromArray(SPECIES, p, b5 + k), s5);
                s6 = gv.fma(FloatVector.fromArray(SPECIES, p, b6 + k), s6);
                s7 = gv.fma(FloatVector.fromArray(SPECIES, p, b7 + k), s7);
                s8 = gv.fma(FloatVector.fromArray(SPECIES, p, b8 + k), s8);
            }
            out[0] = s0.reduceLanes(VectorOperators.ADD);
            out[1] = s1.reduceLanes(VectorOperators.ADD);
            out[2] = s2.reduceLanes(VectorOperators.ADD);
            out[3] = s3.reduceLanes(VectorOperators.ADD);
            out[4] = s4.reduceLanes(VectorOperators.ADD);
            out[5] = s5.reduceLanes(VectorOperators.ADD);
            out[6] = s6.reduceLanes(VectorOperators.ADD);
            out[7] = s7.reduceLanes(VectorOperators.ADD);
            out[8] = s8.reduceLanes(VectorOperators.ADD);
            for (; k < n; k++) {
                float gv = g[k];
                for (int t = 0; t < 9; t++) {
                    out[t] += gv * p[base + off[t] + k];
                }
            }
        }

        static void affineExpanded(float[] x, float[] a, float[] b, float[] y, int n, boolean relu) {
            int lanes = SPECIES.length();
            int i = 0;
            for (; i <= n - lanes; i += lanes) {
                FloatVector v = FloatVector.fromArray(SPECIES, x, i).mul(FloatVector.fromArray(SPECIES, a, i))
                        .add(FloatVector.fromArray(SPECIES, b, i));
                (relu ? v.max(0f) : v).intoArray(y, i);
            }
            for (; i < n; i++) {
                float v = x[i] * a[i] + b[i];
                y[i] = relu ? Math.max(v, 0f) : v;
            }
        }

        static void maskedGradient(float[] x, float[] dy, float[] a, float[] b, float[] dz, float[] dzx, int n,
                                   boolean relu) {
            // one loop per case, each in its own method: no vector reassigned under a condition (a merge that C2
            // may leave boxed), and each loop compiled with its own profile
            int i = relu ? maskedGradientRelu(x, dy, a, b, dz, dzx, n) : maskedGradientLinear(x, dy, dz, dzx, n);
            for (; i < n; i++) {
                float d = relu && !(x[i] * a[i] + b[i] > 0f) ? 0f : dy[i];
                dz[i] = d;
                dzx[i] = d * x[i];
            }
        }

        private static int maskedGradientRelu(float[] x, float[] dy, float[] a, float[] b, float[] dz, float[] dzx,
                                              int n) {
            int lanes = SPECIES.length();
            int i = 0;
            for (; i <= n - lanes; i += lanes) {
                FloatVector xv = FloatVector.fromArray(SPECIES, x, i);
                FloatVector d = FloatVector.fromArray(SPECIES, dy, i).blend(0f, xv.mul(FloatVector.fromArray(SPECIES, a, i))
                        .add(FloatVector.fromArray(SPECIES, b, i)).compare(VectorOperators.GT, 0f).not());
                d.intoArray(dz, i);
                d.mul(xv).intoArray(dzx, i);
            }
            return i;
        }

        private static int maskedGradientLinear(float[] x, float[] dy, float[] dz, float[] dzx, int n) {
            int lanes = SPECIES.length();
            int i = 0;
            for (; i <= n - lanes; i += lanes) {
                FloatVector d = FloatVector.fromArray(SPECIES, dy, i);
                d.intoArray(dz, i);
                d.mul(FloatVector.fromArray(SPECIES, x, i)).intoArray(dzx, i);
            }
            return i;
        }

        static void inputGradientExpanded(float[] dz, float[] x, float[] a, float k1, float k2, float[] dx, int n) {
            int lanes = SPECIES.length();
            int i = 0;
            for (; i <= n - lanes; i += lanes) {
                FloatVector.fromArray(SPECIES, dz, i).mul(FloatVector.fromArray(SPECIES, a, i)).add(k1)
                        .add(FloatVector.fromArray(SPECIES, x, i).mul(k2)).intoArray(dx, i);
            }
            for (; i < n; i++) {
                dx[i] = dz[i] * a[i] + k1 + x[i] * k2;
            }
        }
    }
}

package org.dino4j.core.util;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Optional SIMD kernels over off-heap ND4J memory, on the JDK's incubating Vector API ({@code jdk.incubator.vector},
 * JEP 414 in Java 17).
 *
 * <p><b>Why.</b> C2 in Java 17 vectorises loops over heap {@code float[]} but not loops over direct memory (an
 * {@code Unsafe}/{@code FloatBuffer} loop over ND4J's buffer ran scalar, ≈ 2× slower than the same loop on the
 * heap; copying blocks to heap scratch and back costs as much again). The Vector API loads and stores whole SIMD
 * registers straight from a direct {@link ByteBuffer}, so an element-wise kernel over ND4J memory runs at the
 * heap loop's speed (docs/benchmarks.md, "EMA").
 *
 * <p><b>Opt-in at run time.</b> The module is only visible when the JVM starts with
 * {@code --add-modules jdk.incubator.vector} (the {@code ./dino} launcher, the JMH forks and the unit tests pass
 * it; the JVM then prints one "Using incubator modules" warning). Without it, or on a JDK whose incubating API
 * differs (the {@code ByteBuffer} methods were replaced by {@code MemorySegment} ones in later releases), or with
 * {@code -Ddino4j.simd=off}, {@link #enabled()} is false and callers keep their plain-Java path; both paths give
 * bit-identical results (no fused multiply-add: Java's strict float semantics hold in both).
 *
 * <p>Nothing here touches a Vector API class unless {@link #enabled()} is true: the vector code lives in a
 * nested class that is only linked after the module was found and a self-test passed.
 */
public final class Simd {

    private static final boolean ENABLED = detect();

    private Simd() {
    }

    /**
     * @return whether the SIMD kernels may be used: {@code jdk.incubator.vector} is in the boot layer, its
     *         {@code ByteBuffer} API links and computes a self-test correctly, and {@code dino4j.simd} is not
     *         {@code off}
     */
    public static boolean enabled() {
        return ENABLED;
    }

    /** @return the number of float lanes of the preferred species, or 1 when SIMD is not enabled */
    public static int floatLanes() {
        return ENABLED ? Impl.SPECIES.length() : 1;
    }

    private static boolean detect() {
        String mode = System.getProperty("dino4j.simd", "auto").trim().toLowerCase(Locale.ROOT);
        if (mode.equals("off") || mode.equals("false")) {
            return false;
        }
        if (!mode.equals("auto") && !mode.equals("on") && !mode.equals("true")) {
            throw new IllegalArgumentException("system property dino4j.simd must be auto, on or off, got '" + mode + "'");
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return Impl.selfTest();
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /**
     * {@code t[tOff + i] ← a·t[tOff + i] + b·s[sOff + i]} for {@code i < n}, floats in native byte order, in place.
     * Each element is computed as {@code a*t + b*s} in float (two products, one sum), exactly as the scalar loop.
     *
     * @param t    teacher memory (direct or heap {@link ByteBuffer} in {@link ByteOrder#nativeOrder()})
     * @param tOff first element (float index, not byte) of {@code t}
     * @param s    student memory, native order
     * @param sOff first element of {@code s}
     * @param n    number of elements
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void axpbyInPlace(ByteBuffer t, int tOff, ByteBuffer s, int sOff, int n, float a, float b) {
        requireEnabled();
        Impl.axpby(t, tOff, s, sOff, n, a, b);
    }

    /**
     * @return {@code max(x[0..n))} ({@code -∞} for {@code n = 0}); NaN handling is not defined
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static float max(float[] x, int n) {
        requireEnabled();
        return Impl.max(x, n);
    }

    /**
     * The softmax pass of one student row (the fused DINO loss): {@code e_i = exp((x_i − max)·inv)} written over
     * {@code x[0..n)}, and {@code out[0] = Σ e_i}, {@code out[1] = Σ q_i·x_i} (the original x) with
     * {@code q_i = p[qa + i]}, plus {@code p[qb + i]} when {@code qb >= 0}. The exponent, the exponential and both
     * sums are evaluated in double (vector lanes; the JDK's vector {@code EXP}, SVML-backed on x86-64), the stored
     * {@code e_i} rounded to float, as in the scalar kernel.
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void expSumDot(float[] x, int n, double max, double inv, float[] p, int qa, int qb, double[] out) {
        requireEnabled();
        Impl.expSumDot(x, n, max, inv, p, qa, qb, out);
    }

    /**
     * The gradient pass of one student row: {@code x_i ← (float) (a·x_i − g·q_i)}, q as in {@link #expSumDot},
     * in double, exactly as the scalar expression.
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void gradRow(float[] x, int n, double a, double g, float[] p, int qa, int qb) {
        requireEnabled();
        Impl.gradRow(x, n, a, g, p, qa, qb);
    }

    /**
     * One row of the teacher softmax, {@code out[o + i] = softmax((x − c)·inv)_i}; returns its entropy
     * {@code −Σ p log p}. Double precision throughout (vector lanes), the probabilities rounded to float.
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static double centeredSoftmaxRow(float[] x, float[] c, double inv, float[] out, int o, int n) {
        requireEnabled();
        return Impl.centeredSoftmaxRow(x, c, inv, out, o, n);
    }

    /**
     * Sums of one span of floats: {@code out[0] = Σ x_i}, {@code out[1] = Σ x_i²} for {@code i < n} (float lanes,
     * the lane totals added in double). GroupNorm's per-(sample, channel) moments.
     *
     * @param x   native-order memory
     * @param off first element (float index)
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void sumAndSquares(ByteBuffer x, int off, int n, double[] out) {
        requireEnabled();
        Impl.sumAndSquares(x, off, n, out);
    }

    /**
     * {@code y_i = x_i·a + b}, then {@code max(·, 0)} when {@code relu} (a product and a sum in float, no fused
     * multiply-add, as the scalar expression).
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void affine(ByteBuffer x, int xOff, ByteBuffer y, int yOff, int n, float a, float b, boolean relu) {
        requireEnabled();
        Impl.affine(x, xOff, y, yOff, n, a, b, relu);
    }

    /**
     * The sums of GroupNorm's backward pass over one span: with {@code dz_i = dy_i} where {@code x_i·a + b > 0}
     * (or everywhere when {@code !relu}) and 0 elsewhere, {@code out[0] = Σ dz_i·x_i}, {@code out[1] = Σ dz_i}.
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void maskedSums(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, int n, float a, float b,
                                  boolean relu, double[] out) {
        requireEnabled();
        Impl.maskedSums(dy, dyOff, x, xOff, n, a, b, relu, out);
    }

    /**
     * GroupNorm's input gradient over one span: {@code dx_i = dz_i·a + k1 + x_i·k2}, dz as in {@link #maskedSums}.
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void inputGradient(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, ByteBuffer dx, int dxOff, int n,
                                     float a, float b, boolean relu, float k1, float k2) {
        requireEnabled();
        Impl.inputGradient(dy, dyOff, x, xOff, dx, dxOff, n, a, b, relu, k1, k2);
    }

    /**
     * GELU, tanh form, over one span: {@code y_i = 0.5·x_i·(1 + tanh(√(2/π)·(x_i + 0.044715·x_i³)))} in float lanes
     * (the vector {@code TANH}).
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void gelu(ByteBuffer x, int xOff, ByteBuffer y, int yOff, int n) {
        requireEnabled();
        Impl.gelu(x, xOff, y, yOff, n);
    }

    /**
     * The GELU's input gradient over one span: {@code dx_i = dy_i·(0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²))}
     * with t the tanh of {@link #gelu}.
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void geluBackward(ByteBuffer x, int xOff, ByteBuffer dy, int dyOff, ByteBuffer dx, int dxOff, int n) {
        requireEnabled();
        Impl.geluBackward(x, xOff, dy, dyOff, dx, dxOff, n);
    }

    private static void requireEnabled() {
        if (!ENABLED) {
            throw new IllegalStateException("SIMD kernels are not enabled (start the JVM with --add-modules "
                    + "jdk.incubator.vector on Java 17, and leave -Ddino4j.simd unset)");
        }
    }

    /** The Vector API code; only linked when the module is present. */
    private static final class Impl {
        static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
        static final ByteOrder ORDER = ByteOrder.nativeOrder();

        static boolean selfTest() {
            int n = 3 * SPECIES.length() + 3;
            ByteBuffer t = ByteBuffer.allocateDirect(4 * (n + 1)).order(ORDER);
            ByteBuffer s = ByteBuffer.allocateDirect(4 * (n + 2)).order(ORDER);
            for (int i = 0; i <= n; i++) {
                t.putFloat(4 * i, i);
            }
            for (int i = 0; i < n + 2; i++) {
                s.putFloat(4 * i, -2f * i);
            }
            axpby(t, 1, s, 2, n, 0.5f, 0.25f);
            if (t.getFloat(0) != 0f) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                float expect = 0.5f * (i + 1) + 0.25f * (-2f * (i + 2));
                if (t.getFloat(4 * (i + 1)) != expect) {
                    return false;
                }
            }
            return true;
        }

        /** Doubles at the preferred width (8 lanes with AVX-512, 4 with AVX2). */
        static final VectorSpecies<Double> D8 = DoubleVector.SPECIES_PREFERRED;
        /** Floats with as many lanes as {@link #D8} (half its width), for widening loads. */
        static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class,
                VectorShape.forBitSize(D8.vectorBitSize() / 2));
        static final int DL = D8.length();

        /** {@link #DL} floats at {@code a[i]} widened to doubles. */
        private static DoubleVector widen(float[] a, int i) {
            return (DoubleVector) FloatVector.fromArray(HALF, a, i).convertShape(VectorOperators.F2D, D8, 0);
        }

        private static void narrowInto(DoubleVector v, float[] a, int i) {
            ((FloatVector) v.convertShape(VectorOperators.D2F, HALF, 0)).intoArray(a, i);
        }

        static float max(float[] x, int n) {
            int lanes = SPECIES.length();
            FloatVector m = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            int i = 0;
            for (; i <= n - lanes; i += lanes) {
                m = m.max(FloatVector.fromArray(SPECIES, x, i));
            }
            float r = m.reduceLanes(VectorOperators.MAX);
            for (; i < n; i++) {
                if (x[i] > r) {
                    r = x[i];
                }
            }
            return r;
        }

        static void expSumDot(float[] x, int n, double max, double inv, float[] p, int qa, int qb, double[] out) {
            DoubleVector vs = DoubleVector.zero(D8);
            DoubleVector vd = DoubleVector.zero(D8);
            int i = 0;
            for (; i <= n - DL; i += DL) {
                DoubleVector xd = widen(x, i);
                DoubleVector q = widen(p, qa + i);
                if (qb >= 0) {
                    q = q.add(widen(p, qb + i));
                }
                DoubleVector e = xd.sub(max).mul(inv).lanewise(VectorOperators.EXP);
                vs = vs.add(e);
                vd = vd.add(q.mul(xd));
                narrowInto(e, x, i);
            }
            double sum = vs.reduceLanes(VectorOperators.ADD);
            double dot = vd.reduceLanes(VectorOperators.ADD);
            for (; i < n; i++) {
                double q = qb >= 0 ? (double) p[qa + i] + p[qb + i] : p[qa + i];
                double e = Math.exp(((double) x[i] - max) * inv);
                sum += e;
                dot += q * x[i];
                x[i] = (float) e;
            }
            out[0] = sum;
            out[1] = dot;
        }

        static void gradRow(float[] x, int n, double a, double g, float[] p, int qa, int qb) {
            int i = 0;
            for (; i <= n - DL; i += DL) {
                DoubleVector q = widen(p, qa + i);
                if (qb >= 0) {
                    q = q.add(widen(p, qb + i));
                }
                narrowInto(widen(x, i).mul(a).sub(q.mul(g)), x, i);
            }
            for (; i < n; i++) {
                double q = qb >= 0 ? (double) p[qa + i] + p[qb + i] : p[qa + i];
                x[i] = (float) (a * x[i] - g * q);
            }
        }

        static double centeredSoftmaxRow(float[] x, float[] c, double inv, float[] out, int o, int n) {
            DoubleVector vm = DoubleVector.broadcast(D8, Double.NEGATIVE_INFINITY);
            int i = 0;
            for (; i <= n - DL; i += DL) {
                vm = vm.max(widen(x, i).sub(widen(c, i)).mul(inv));
            }
            double max = vm.reduceLanes(VectorOperators.MAX);
            for (; i < n; i++) {
                max = Math.max(max, ((double) x[i] - c[i]) * inv);
            }
            DoubleVector vs = DoubleVector.zero(D8);
            DoubleVector vst = DoubleVector.zero(D8);
            for (i = 0; i < n; i += DL) {
                // full vectors, then one masked vector for the tail (masked-off lanes neither read nor written)
                VectorMask<Float> mf = HALF.indexInRange(i, n);
                VectorMask<Double> md = mf.cast(D8);
                DoubleVector xd = (DoubleVector) FloatVector.fromArray(HALF, x, i, mf).convertShape(VectorOperators.F2D, D8, 0);
                DoubleVector cd = (DoubleVector) FloatVector.fromArray(HALF, c, i, mf).convertShape(VectorOperators.F2D, D8, 0);
                DoubleVector t = xd.sub(cd).mul(inv).sub(max);
                DoubleVector e = t.lanewise(VectorOperators.EXP);
                vs = vs.add(e, md);
                vst = vst.add(e.mul(t), md);
                ((FloatVector) e.convertShape(VectorOperators.D2F, HALF, 0)).intoArray(out, o + i, mf);
            }
            double sum = vs.reduceLanes(VectorOperators.ADD);
            double st = vst.reduceLanes(VectorOperators.ADD);
            float scale = (float) (1.0 / sum);
            FloatVector sv = FloatVector.broadcast(SPECIES, scale);
            int lanes = SPECIES.length();
            i = 0;
            for (; i <= n - lanes; i += lanes) {
                FloatVector.fromArray(SPECIES, out, o + i).mul(sv).intoArray(out, o + i);
            }
            for (; i < n; i++) {
                out[o + i] *= scale;
            }
            return Math.log(sum) - st / sum;
        }

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

        static void affine(ByteBuffer x, int xOff, ByteBuffer y, int yOff, int n, float a, float b, boolean relu) {
            int lanes = SPECIES.length();
            FloatVector zero = FloatVector.zero(SPECIES);
            int i = 0;
            for (; i <= n - lanes; i += lanes) {
                FloatVector v = FloatVector.fromByteBuffer(SPECIES, x, (xOff + i) << 2, ORDER).mul(a).add(b);
                (relu ? v.max(zero) : v).intoByteBuffer(y, (yOff + i) << 2, ORDER);
            }
            for (; i < n; i++) {
                float v = x.getFloat((xOff + i) << 2) * a + b;
                y.putFloat((yOff + i) << 2, relu ? Math.max(v, 0f) : v);
            }
        }

        static void maskedSums(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, int n, float a, float b, boolean relu,
                               double[] out) {
            int lanes = SPECIES.length();
            FloatVector sx = FloatVector.zero(SPECIES);
            FloatVector sd = FloatVector.zero(SPECIES);
            int i = 0;
            for (; i <= n - lanes; i += lanes) {
                FloatVector xv = FloatVector.fromByteBuffer(SPECIES, x, (xOff + i) << 2, ORDER);
                FloatVector dz = FloatVector.fromByteBuffer(SPECIES, dy, (dyOff + i) << 2, ORDER);
                if (relu) {
                    dz = dz.blend(0f, xv.mul(a).add(b).compare(VectorOperators.GT, 0f).not());
                }
                sx = sx.add(dz.mul(xv));
                sd = sd.add(dz);
            }
            double p = sx.reduceLanes(VectorOperators.ADD);
            double q = sd.reduceLanes(VectorOperators.ADD);
            for (; i < n; i++) {
                float xv = x.getFloat((xOff + i) << 2);
                float dz = relu && !(xv * a + b > 0f) ? 0f : dy.getFloat((dyOff + i) << 2);
                p += dz * xv;
                q += dz;
            }
            out[0] = p;
            out[1] = q;
        }

        static void inputGradient(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, ByteBuffer dx, int dxOff, int n,
                                  float a, float b, boolean relu, float k1, float k2) {
            int lanes = SPECIES.length();
            int i = 0;
            for (; i <= n - lanes; i += lanes) {
                FloatVector xv = FloatVector.fromByteBuffer(SPECIES, x, (xOff + i) << 2, ORDER);
                FloatVector dz = FloatVector.fromByteBuffer(SPECIES, dy, (dyOff + i) << 2, ORDER);
                if (relu) {
                    dz = dz.blend(0f, xv.mul(a).add(b).compare(VectorOperators.GT, 0f).not());
                }
                dz.mul(a).add(k1).add(xv.mul(k2)).intoByteBuffer(dx, (dxOff + i) << 2, ORDER);
            }
            for (; i < n; i++) {
                float xv = x.getFloat((xOff + i) << 2);
                float dz = relu && !(xv * a + b > 0f) ? 0f : dy.getFloat((dyOff + i) << 2);
                dx.putFloat((dxOff + i) << 2, dz * a + k1 + xv * k2);
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

        static void axpby(ByteBuffer t, int tOff, ByteBuffer s, int sOff, int n, float a, float b) {
            int lanes = SPECIES.length();
            int i = 0;
            int bound = n - lanes;
            for (; i <= bound; i += lanes) {
                int tb = (tOff + i) << 2;
                FloatVector tv = FloatVector.fromByteBuffer(SPECIES, t, tb, ORDER);
                FloatVector sv = FloatVector.fromByteBuffer(SPECIES, s, (sOff + i) << 2, ORDER);
                tv.mul(a).add(sv.mul(b)).intoByteBuffer(t, tb, ORDER);
            }
            for (; i < n; i++) {
                int tb = (tOff + i) << 2;
                t.putFloat(tb, a * t.getFloat(tb) + b * s.getFloat((sOff + i) << 2));
            }
        }
    }
}

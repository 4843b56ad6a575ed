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

    static {
        if (ENABLED && !"off".equals(System.getProperty("dino4j.simd.warmup"))) {
            Thread t = new Thread(Impl::warmUp, "dino4j-simd-warmup");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            t.start();
        }
    }

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
     * GroupNorm's affine step over {@code count} consecutive channel planes of {@code hw} floats: plane {@code c} gets
     * {@code y = x·a[ao + c] + b[ao + c]}, then {@code max(·, 0)} when {@code relu} (a product and a sum in float, no
     * fused multiply-add, as the scalar expression).
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void affineChannels(ByteBuffer x, int xOff, ByteBuffer y, int yOff, int hw, int count, float[] a,
                                      float[] b, int ao, boolean relu) {
        requireEnabled();
        Impl.affineChannels(x, xOff, y, yOff, hw, count, a, b, ao, relu);
    }

    /**
     * The sums of GroupNorm's backward pass over {@code count} consecutive channel planes: with {@code dz = dy} where
     * {@code x·a[ao + c] + b[ao + c] > 0} (or everywhere when {@code !relu}) and 0 elsewhere,
     * {@code sx[ao + c] = Σ dz·x}, {@code sd[ao + c] = Σ dz} over plane c (float lanes, lane totals in double).
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void maskedSumsChannels(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, int hw, int count,
                                          float[] a, float[] b, int ao, boolean relu, double[] sx, double[] sd) {
        requireEnabled();
        Impl.maskedSumsChannels(dy, dyOff, x, xOff, hw, count, a, b, ao, relu, sx, sd);
    }

    /**
     * GroupNorm's input gradient over {@code count} consecutive channel planes: {@code dx = dz·a[ao + c] + k1 + x·k2},
     * dz as in {@link #maskedSumsChannels}.
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void inputGradientChannels(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, ByteBuffer dx, int dxOff,
                                             int hw, int count, float[] a, float[] b, int ao, boolean relu, float k1,
                                             float k2) {
        requireEnabled();
        Impl.inputGradientChannels(dy, dyOff, x, xOff, dx, dxOff, hw, count, a, b, ao, relu, k1, k2);
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

    /**
     * One output row of a 3×3 convolution with one input channel, for every output channel: with {@code p} a
     * zero-padded input plane of row length {@code pw} and {@code r} the first of the row's three padded input rows,
     * {@code out[o·oStride + oOff + j] (+)= Σ_{u,v} w[o·9 + u·3 + v]·p[r + u·pw + v + j]} for {@code j < width},
     * {@code o < co} (accumulating when {@code accumulate}). The nine input windows are loaded once per vector and
     * reused for every output channel (fused multiply-adds). Whole vectors only: up to one vector past {@code width} is
     * read from {@code p} and written to {@code out} (callers leave that much slack).
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void convRow3x3(float[] p, int r, int pw, float[] w, int co, float[] out, int oOff, int oStride,
                                  int width, boolean accumulate) {
        requireEnabled();
        Impl.convRow3x3(p, r, pw, w, co, out, oOff, oStride, width, accumulate);
    }

    /**
     * Nine dot products against shifted windows of a plane: {@code out[t] = Σ_k g[k]·p[base + off[t] + k]},
     * {@code k < n}, each accumulated in float lanes with fused multiply-adds, the lane totals added in double.
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void dot9(float[] g, float[] p, int base, int[] off, int n, double[] out) {
        requireEnabled();
        Impl.dot9(g, p, base, off, n, out);
    }

    /**
     * GroupNorm's steps on a heap copy of one group whose scale and shift are expanded per element (small planes):
     * {@code y[i] = relu?(x[i]·a[i] + b[i])} for {@code i < n}.
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void affineExpanded(float[] x, float[] a, float[] b, float[] y, int n, boolean relu) {
        requireEnabled();
        Impl.affineExpanded(x, a, b, y, n, relu);
    }

    /**
     * {@code dz[i] = dy[i]} where {@code x[i]·a[i] + b[i] > 0} (everywhere when {@code !relu}), else 0; and
     * {@code dzx[i] = dz[i]·x[i]}, for {@code i < n} (heap arrays, per-element scale and shift).
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void maskedGradient(float[] x, float[] dy, float[] a, float[] b, float[] dz, float[] dzx, int n,
                                      boolean relu) {
        requireEnabled();
        Impl.maskedGradient(x, dy, a, b, dz, dzx, n, relu);
    }

    /**
     * {@code dx[i] = dz[i]·a[i] + k1 + x[i]·k2} for {@code i < n} (heap arrays, per-element scale).
     *
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void inputGradientExpanded(float[] dz, float[] x, float[] a, float k1, float k2, float[] dx, int n) {
        requireEnabled();
        Impl.inputGradientExpanded(dz, x, a, k1, k2, dx, n);
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

        /**
         * Calls every kernel on small heap and direct buffers until the JIT has compiled them with its optimizing
         * compiler. Until then the Vector API runs its portable Java fallback, which allocates an array per vector
         * operation and is one to two orders of magnitude slower; on a busy machine a training run waited a minute for
         * the compiler to reach the kernels. Runs once, in a low-priority background thread, on throw-away data.
         */
        static void warmUp() {
            int lanes = SPECIES.length();
            int n = 8 * lanes + 3;
            float[] a = new float[4 * n + 64];
            float[] b = new float[4 * n + 64];
            float[] w = new float[16];
            float[] c1 = new float[n];
            float[] c2 = new float[n];
            int[] off = {0, 1, 2, 3, 4, 5, 6, 7, 8};
            double[] d = new double[16];
            double[] d2 = new double[16];
            ByteBuffer x = ByteBuffer.allocateDirect(4 * (4 * n + 64)).order(ORDER);
            ByteBuffer y = ByteBuffer.allocateDirect(4 * (4 * n + 64)).order(ORDER);
            ByteBuffer z = ByteBuffer.allocateDirect(4 * (4 * n + 64)).order(ORDER);
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) Math.sin(i);
                b[i] = (float) Math.cos(i) / a.length;
                x.putFloat(4 * i, a[i]);
                y.putFloat(4 * i, b[i]);
            }
            for (int it = 0; it < 20_000; it++) {
                boolean flag = (it & 1) == 0;
                sumAndSquares(x, 1, n, d);
                affineChannels(x, 0, z, 0, n / 2, 2, a, b, 0, flag);
                maskedSumsChannels(y, 0, x, 0, n / 2, 2, a, b, 0, flag, d, d2);
                inputGradientChannels(y, 0, x, 0, z, 0, n / 2, 2, a, b, 0, flag, 0.1f, 0.2f);
                affineExpanded(a, a, b, b, n, flag);
                maskedGradient(a, b, a, b, c1, c2, n, flag);
                inputGradientExpanded(a, b, a, 0.1f, 0.2f, b, n);
                gelu(x, 0, z, 0, n);
                geluBackward(x, 0, y, 0, z, 0, n);
                convRow3x3(a, 0, 5, w, 1, b, 0, n, n / 2, flag);
                dot9(a, b, 0, off, n, d);
                axpby(z, 0, y, 0, n, 0.9f, 0.1f);
                max(a, n);
                System.arraycopy(a, 0, b, 0, n);
                expSumDot(b, n, 1.0, 1.0, a, 0, flag ? n : -1, d);
                gradRow(b, n, 0.5, 0.5, a, 0, flag ? n : -1);
                centeredSoftmaxRow(a, a, 1.0, b, 0, n);
            }
        }

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
            int lanes = SPECIES.length();
            int i = 0;
            for (; i <= n - lanes; i += lanes) {
                FloatVector xv = FloatVector.fromArray(SPECIES, x, i);
                FloatVector d = FloatVector.fromArray(SPECIES, dy, i);
                if (relu) {
                    d = d.blend(0f, xv.mul(FloatVector.fromArray(SPECIES, a, i)).add(FloatVector.fromArray(SPECIES, b, i))
                            .compare(VectorOperators.GT, 0f).not());
                }
                d.intoArray(dz, i);
                d.mul(xv).intoArray(dzx, i);
            }
            for (; i < n; i++) {
                float d = relu && !(x[i] * a[i] + b[i] > 0f) ? 0f : dy[i];
                dz[i] = d;
                dzx[i] = d * x[i];
            }
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

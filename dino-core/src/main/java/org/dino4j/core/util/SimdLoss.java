package org.dino4j.core.util;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The DINO loss's row kernels on the Vector API: the student rows' max, softmax and gradient passes
 * ({@code SoftTargetCrossEntropy}) and the teacher's centred softmax ({@code TeacherSoftmax}), on heap rows of K
 * logits. Exponentials and sums in double lanes, as the scalar kernels they replace.
 *
 * <p>Every method requires {@link Simd#enabled()}; the vector code lives in a nested class that is only linked by the
 * first call (see {@link Simd}).
 */
public final class SimdLoss {

    private SimdLoss() {
    }

    /**
     * @return {@code max(x[0..n))} ({@code -∞} for {@code n = 0}); NaN handling is not defined
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static float max(float[] x, int n) {
        Simd.requireEnabled();
        return Impl.max(x, n);
    }

    /**
     * The softmax pass of one student row (the fused DINO loss): {@code e_i = exp((x_i − max)·inv)} written over
     * {@code x[0..n)}, and {@code out[0] = Σ e_i}, {@code out[1] = Σ q_i·x_i} (the original x) with
     * {@code q_i = p[qa + i]}, plus {@code p[qb + i]} when {@code qb >= 0}. The exponent, the exponential and both
     * sums are evaluated in double (vector lanes; the JDK's vector {@code EXP}, SVML-backed on x86-64), the stored
     * {@code e_i} rounded to float, as in the scalar kernel.
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void expSumDot(float[] x, int n, double max, double inv, float[] p, int qa, int qb, double[] out) {
        Simd.requireEnabled();
        Impl.expSumDot(x, n, max, inv, p, qa, qb, out);
    }

    /**
     * The gradient pass of one student row: {@code x_i ← (float) (a·x_i − g·q_i)}, q as in {@link #expSumDot},
     * in double, exactly as the scalar expression.
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void gradRow(float[] x, int n, double a, double g, float[] p, int qa, int qb) {
        Simd.requireEnabled();
        Impl.gradRow(x, n, a, g, p, qa, qb);
    }

    /**
     * One row of the teacher softmax, {@code out[o + i] = softmax((x − c)·inv)_i}; returns its entropy
     * {@code −Σ p log p}. Double precision throughout (vector lanes), the probabilities rounded to float.
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static double centeredSoftmaxRow(float[] x, float[] c, double inv, float[] out, int o, int n) {
        Simd.requireEnabled();
        return Impl.centeredSoftmaxRow(x, c, inv, out, o, n);
    }

    /** The Vector API code; linked only once SIMD is enabled, by the first call of a method above (or Simd's warm-up). */
    static final class Impl {
        static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

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
            // full vectors only: JDK 17 does not intrinsify masked loads, stores and mask casts (their fallback
            // allocates per operation and ran ~3x slower); the tail is scalar
            for (i = 0; i <= n - DL; i += DL) {
                DoubleVector t = widen(x, i).sub(widen(c, i)).mul(inv).sub(max);
                DoubleVector e = t.lanewise(VectorOperators.EXP);
                vs = vs.add(e);
                vst = vst.add(e.mul(t));
                narrowInto(e, out, o + i);
            }
            double sum = vs.reduceLanes(VectorOperators.ADD);
            double st = vst.reduceLanes(VectorOperators.ADD);
            for (; i < n; i++) {
                double t = ((double) x[i] - c[i]) * inv - max;
                double e = Math.exp(t);
                sum += e;
                st += e * t;
                out[o + i] = (float) e;
            }
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
    }
}

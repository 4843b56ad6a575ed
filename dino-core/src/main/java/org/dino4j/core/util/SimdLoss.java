package org.dino4j.core.util;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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
     * sums are evaluated in double (vector lanes; the kernels' own exp, one ulp from {@link Math#exp} and the same bits
     * whether or not the JIT has compiled the kernel), the stored
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
        static final int DL = D8.length();

        /*
         * e^z in double lanes from exact lane operations only (the kernels' own exp, used instead of the JDK's vector
         * EXP: that one gives Math.exp's bits while the kernel runs in the Vector API's Java fallback and, once C2 has
         * compiled it, differs from them by one ulp in about 5 % of lanes, so a run's numbers depended on when the
         * JIT got to the kernel). Cody and Waite: k = rint(z·log2 e) by adding 1.5·2^52 + 1023 (the sum's low bits
         * then hold k + 1023), r = z − k·ln2 in two fused steps (|r| ≤ ln2/2), e^r by its degree-12 Taylor polynomial
         * (Horner, fused; truncation < 2e-16 relative), 2^k by shifting k + 1023 into the exponent field. z < −700 → 0
         * (the kernels call it on max-shifted arguments ≤ 0, where such terms are below double precision against the
         * max term 1). Written out in each kernel's loop, not a method: C2 inlines a vector helper this long only
         * sometimes, and a vector passed to a call that is not inlined is allocated.
         */
        static final DoubleVector LOG2E = DoubleVector.broadcast(D8, 1.4426950408889634);
        static final DoubleVector MAGIC = DoubleVector.broadcast(D8, 0x1.8p52 + 1023);
        static final DoubleVector NEG_LN2_HI = DoubleVector.broadcast(D8, -0x1.62e42feep-1);
        static final DoubleVector NEG_LN2_LO = DoubleVector.broadcast(D8,
                -(0.6931471805599453 - 0x1.62e42feep-1 + 2.3190468138462996e-17));
        static final DoubleVector EXP_LOW = DoubleVector.broadcast(D8, -700.0);
        /*
         * 1/12!, 1/11!, …, 1/1!, 1/0!: the Taylor coefficients of e^r, highest degree first, each its own constant and
         * the Horner chain written out (a loop over an array of vectors allocates a vector per step once compiled).
         */
        static final DoubleVector C12 = inverseFactorial(12), C11 = inverseFactorial(11), C10 = inverseFactorial(10),
                C9 = inverseFactorial(9), C8 = inverseFactorial(8), C7 = inverseFactorial(7), C6 = inverseFactorial(6),
                C5 = inverseFactorial(5), C4 = inverseFactorial(4), C3 = inverseFactorial(3), C2 = inverseFactorial(2),
                C1 = inverseFactorial(1), C0 = inverseFactorial(0);

        /** 1/d! broadcast, d! computed as 12!/(12·11·…·(d+1)), as the scalar emulation in the tests does. */
        private static DoubleVector inverseFactorial(int d) {
            double f = 479001600; // 12!
            for (int j = 12; j > d; j--) {
                f /= j;
            }
            return DoubleVector.broadcast(D8, 1.0 / f);
        }

        /*
         * Floats ↔ doubles with full-width vector classes and part-0 conversions only. A block of DL floats is read
         * as the lower half of a full-width float vector (so a loop runs while a full vector fits: the last DL to
         * FL−1 floats of a row take the scalar path) and written back as the lower half of one, whose upper half is
         * the block after it as it was read (in place) or is rewritten by the next block (out of place). Why not the
         * obvious half-width float vector, the partner of a double vector: it reaches the Vector API's shared methods
         * (intoArray; convertShape's fallback, which calls it) with a second vector class; their type profiles are
         * shared by every kernel in the JVM, and once they have seen two classes C2 stops intrinsifying those
         * operations in the other kernels (GroupNorm's then allocated kilobytes per call). And why not conversions
         * of the upper half (part 1): JDK 17 implements them with a slice whose call chain exceeds C2's inlining
         * depth in these kernels, and they allocate.
         */
        static final int FL = SPECIES.length();
        /** The upper FL − DL lanes of a float vector. */
        static final VectorMask<Float> UPPER = SPECIES.indexInRange(-DL, FL);

        /*
         * PENDING. In place (expSumDot, gradRow), block i is stored one iteration late, after block i + DL has been
         * loaded: a full-width store at i followed by a load at i + DL that overlaps it cannot be forwarded by the
         * CPU and stalled each iteration (~5x slower). The first iteration rewrites x[0, FL) with what it holds.
         */

        /** The end of the vector part of a row of n: blocks of DL start at 0, DL, … while a full float vector fits. */
        static int vectorEnd(int n) {
            return n < FL ? 0 : (n - FL) / DL * DL + DL;
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
            // q = p[qa..] + wb·p[ob..], exact either way (wb 1: one rounding, as an add; wb 0: + 0): a vector
            // reassigned under `if (qb >= 0)` is a merge C2 may leave boxed
            int ob = qb >= 0 ? qb : qa;
            DoubleVector wb = DoubleVector.broadcast(D8, qb >= 0 ? 1 : 0);
            int end = vectorEnd(n);
            FloatVector pending = end == 0 ? FloatVector.zero(SPECIES) : FloatVector.fromArray(SPECIES, x, 0);
            int i = 0;
            for (; i < end; i += DL) {
                FloatVector xf = FloatVector.fromArray(SPECIES, x, i);
                pending.intoArray(x, Math.max(i - DL, 0)); // see PENDING
                DoubleVector xd = (DoubleVector) xf.convert(VectorOperators.F2D, 0);
                DoubleVector q = ((DoubleVector) FloatVector.fromArray(SPECIES, p, ob + i).convert(VectorOperators.F2D, 0))
                        .fma(wb, (DoubleVector) FloatVector.fromArray(SPECIES, p, qa + i).convert(VectorOperators.F2D, 0));
                DoubleVector z = xd.sub(max).mul(inv);
                DoubleVector kb = z.fma(LOG2E, MAGIC);
                DoubleVector k = kb.sub(MAGIC);
                DoubleVector r = k.fma(NEG_LN2_LO, k.fma(NEG_LN2_HI, z));
                DoubleVector e = C12.fma(r, C11).fma(r, C10).fma(r, C9).fma(r, C8).fma(r, C7).fma(r, C6).fma(r, C5)
                        .fma(r, C4).fma(r, C3).fma(r, C2).fma(r, C1).fma(r, C0);
                e = e.mul(kb.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                        .blend(0.0, z.lt(EXP_LOW));
                vs = vs.add(e);
                vd = vd.add(q.mul(xd));
                pending = ((FloatVector) e.convert(VectorOperators.D2F, 0)).blend(xf, UPPER);
            }
            if (end > 0) {
                pending.intoArray(x, end - DL);
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
            int ob = qb >= 0 ? qb : qa;
            DoubleVector wb = DoubleVector.broadcast(D8, qb >= 0 ? 1 : 0);
            int end = vectorEnd(n);
            FloatVector pending = end == 0 ? FloatVector.zero(SPECIES) : FloatVector.fromArray(SPECIES, x, 0);
            int i = 0;
            for (; i < end; i += DL) {
                FloatVector xf = FloatVector.fromArray(SPECIES, x, i);
                pending.intoArray(x, Math.max(i - DL, 0)); // see PENDING
                DoubleVector q = ((DoubleVector) FloatVector.fromArray(SPECIES, p, ob + i).convert(VectorOperators.F2D, 0))
                        .fma(wb, (DoubleVector) FloatVector.fromArray(SPECIES, p, qa + i).convert(VectorOperators.F2D, 0));
                DoubleVector d = ((DoubleVector) xf.convert(VectorOperators.F2D, 0))
                        .mul(a).sub(q.mul(g));
                pending = ((FloatVector) d.convert(VectorOperators.D2F, 0)).blend(xf, UPPER);
            }
            if (end > 0) {
                pending.intoArray(x, end - DL);
            }
            for (; i < n; i++) {
                double q = qb >= 0 ? (double) p[qa + i] + p[qb + i] : p[qa + i];
                x[i] = (float) (a * x[i] - g * q);
            }
        }

        static double centeredSoftmaxRow(float[] x, float[] c, double inv, float[] out, int o, int n) {
            DoubleVector vm = DoubleVector.broadcast(D8, Double.NEGATIVE_INFINITY);
            int end = vectorEnd(n);
            int i = 0;
            for (; i < end; i += DL) {
                vm = vm.max(((DoubleVector) FloatVector.fromArray(SPECIES, x, i).convert(VectorOperators.F2D, 0))
                        .sub((DoubleVector) FloatVector.fromArray(SPECIES, c, i).convert(VectorOperators.F2D, 0)).mul(inv));
            }
            double max = vm.reduceLanes(VectorOperators.MAX);
            for (; i < n; i++) {
                max = Math.max(max, ((double) x[i] - c[i]) * inv);
            }
            DoubleVector vs = DoubleVector.zero(D8);
            DoubleVector vst = DoubleVector.zero(D8);
            // full vectors only: JDK 17 does not intrinsify masked loads, stores and mask casts (their fallback
            // allocates per operation and ran ~3x slower); the tail is scalar
            for (i = 0; i < end; i += DL) {
                DoubleVector t = ((DoubleVector) FloatVector.fromArray(SPECIES, x, i).convert(VectorOperators.F2D, 0))
                        .sub((DoubleVector) FloatVector.fromArray(SPECIES, c, i).convert(VectorOperators.F2D, 0))
                        .mul(inv).sub(max);
                DoubleVector kb = t.fma(LOG2E, MAGIC);
                DoubleVector k = kb.sub(MAGIC);
                DoubleVector r = k.fma(NEG_LN2_LO, k.fma(NEG_LN2_HI, t));
                DoubleVector e = C12.fma(r, C11).fma(r, C10).fma(r, C9).fma(r, C8).fma(r, C7).fma(r, C6).fma(r, C5)
                        .fma(r, C4).fma(r, C3).fma(r, C2).fma(r, C1).fma(r, C0);
                e = e.mul(kb.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles())
                        .blend(0.0, t.lt(EXP_LOW));
                vs = vs.add(e);
                vst = vst.add(e.mul(t));
                // the upper lanes (zeros) land on the next block, rewritten by it or by the scalar tail
                ((FloatVector) e.convert(VectorOperators.D2F, 0)).intoArray(out, o + i);
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
            scaleRow(out, o, n, (float) (1.0 / sum));
            return Math.log(sum) - st / sum;
        }

        /**
         * {@code out[o, o+n) *= scale}. A method of its own: written inside {@link #centeredSoftmaxRow}, whose exp loop
         * is long, C2 left this loop's vector multiply to the Vector API's fallback, which allocated 6 KB per
         * 1,024-wide row (no vector crosses the call, so nothing is boxed).
         */
        private static void scaleRow(float[] out, int o, int n, float scale) {
            FloatVector sv = FloatVector.broadcast(SPECIES, scale);
            int lanes = SPECIES.length();
            int i = 0;
            for (; i <= n - lanes; i += lanes) {
                FloatVector.fromArray(SPECIES, out, o + i).mul(sv).intoArray(out, o + i);
            }
            for (; i < n; i++) {
                out[o + i] *= scale;
            }
        }
    }
}

package org.dino4j.core.util;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fused layers' kernels on the Vector API: GroupNorm (+ ReLU) forward and backward over channels-last pixels of
 * ND4J memory ({@code GroupNormFusion}), the tanh GELU and its gradient ({@code GeluFusion}), and the stem's 3×3
 * convolution rows and weight gradient ({@code StemConvFusion}). The GroupNorm kernels run over consecutive
 * channels-last elements with the per-channel parameters tiled to a period ({@link #period}); the stem kernels put an
 * output pixel's channels in the lanes, rounded up to whole vectors. Either way each element is computed by the same
 * expression as its scalar form (a scalar loop takes the elements past the last whole vector).
 *
 * <p>Every method requires {@link Simd#enabled()}; the vector code lives in a nested class that is only linked by the
 * first call (see {@link Simd}). {@link ByteBuffer} arguments are in {@link ByteOrder#nativeOrder()}, offsets in
 * floats.
 */
public final class SimdLayers {

    /** Pixels accumulated in float before a block's sums are added in double. */
    public static final int BLOCK = 256;

    private SimdLayers() {
    }

    /**
     * GroupNorm's per-channel moments over channels-last pixels: {@code s1[ch] = Σ x[e]} and {@code s2[ch] = Σ x[e]²}
     * over the elements {@code e < n} from {@code off} with {@code e mod c = ch}. The elements run in float lanes with
     * a period of {@code period} elements (a multiple of both c and the lane count, {@link #period}), accumulated in
     * float per block of about {@link #BLOCK} pixels ({@code acc}: at least {@code 2·period} floats), the blocks added
     * in double.
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void channelMoments(ByteBuffer x, int off, int n, int c, int period, float[] acc, double[] s1,
                                      double[] s2) {
        Simd.requireEnabled();
        Arrays.fill(s1, 0, c, 0);
        Arrays.fill(s2, 0, c, 0);
        int block = blockElements(c, period);
        for (int e0 = 0; e0 < n; e0 += block) {
            Arrays.fill(acc, 0, 2 * period, 0f);
            Impl.moments(x, off + e0, Math.min(block, n - e0), period, acc);
            addFolded(acc, period, c, s1, s2, 0);
        }
    }

    /**
     * GroupNorm's affine step over channels-last elements: {@code y[e] = x[e]·a[e mod period] + b[e mod period]} for
     * {@code e < n}, then {@code max(·, 0)} when {@code relu} (a product and a sum in float, no fused multiply-add, as
     * the scalar expression). {@code a} and {@code b} are the per-channel scale and shift tiled to the period
     * ({@link #period}).
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void affine(ByteBuffer x, int xOff, ByteBuffer y, int yOff, int n, int period, float[] a, float[] b,
                              boolean relu) {
        Simd.requireEnabled();
        // max(v, −∞) is v for every float (NaN and −0 included): one loop serves both cases without a branch
        Impl.affine(x, xOff, y, yOff, n, period, a, b, relu ? 0f : Float.NEGATIVE_INFINITY);
    }

    /**
     * The sums of GroupNorm's backward pass over channels-last elements: with {@code dz = dy} where
     * {@code x·a + b > 0} (everywhere when {@code !relu}) and 0 elsewhere, {@code sx[so + ch] = Σ dz·x} and
     * {@code sd[so + ch] = Σ dz} over the elements with {@code e mod c = ch} (a, b tiled to the period; float per
     * block in {@code acc}, at least {@code 2·period} floats; blocks added in double).
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void maskedSums(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, int n, int c, int period,
                                  float[] a, float[] b, boolean relu, float[] acc, double[] sx, double[] sd, int so) {
        Simd.requireEnabled();
        Arrays.fill(sx, so, so + c, 0);
        Arrays.fill(sd, so, so + c, 0);
        int block = blockElements(c, period);
        for (int e0 = 0; e0 < n; e0 += block) {
            int m = Math.min(block, n - e0);
            Arrays.fill(acc, 0, 2 * period, 0f);
            if (relu) {
                Impl.maskedSumsRelu(dy, dyOff + e0, x, xOff + e0, m, period, a, b, acc);
            } else {
                Impl.maskedSumsLinear(dy, dyOff + e0, x, xOff + e0, m, period, acc);
            }
            addFolded(acc, period, c, sx, sd, so);
        }
    }

    /**
     * GroupNorm's input gradient over channels-last elements: {@code dx[e] = dz·a[q] + k1[q] + x·k2[q]} with
     * {@code q = e mod period}, dz as in {@link #maskedSums} (every array tiled to the period).
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void inputGradient(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, ByteBuffer dx, int dxOff, int n,
                                     int period, float[] a, float[] b, boolean relu, float[] k1, float[] k2) {
        Simd.requireEnabled();
        if (relu) {
            Impl.inputGradientRelu(dy, dyOff, x, xOff, dx, dxOff, n, period, a, b, k1, k2);
        } else {
            Impl.inputGradientLinear(dy, dyOff, x, xOff, dx, dxOff, n, period, a, k1, k2);
        }
    }

    /**
     * The period of the channels-last kernels for {@code c} channels: the least common multiple of c and
     * {@code lanes}, so that every vector of {@code lanes} elements starting at a multiple of {@code lanes} meets the
     * channels' parameters at the same offset of a tiled parameter array.
     */
    public static int period(int c, int lanes) {
        int g = c;
        int h = lanes;
        while (h != 0) {
            int t = g % h;
            g = h;
            h = t;
        }
        return c / g * lanes;
    }

    /** A block's two float accumulators of one period each, folded onto the channels: {@code s[so + i mod c] += acc[i]}. */
    private static void addFolded(float[] acc, int period, int c, double[] s1, double[] s2, int so) {
        for (int i = 0; i < period; i++) {
            s1[so + i % c] += acc[i];
            s2[so + i % c] += acc[period + i];
        }
    }

    /** Elements per float block: about {@link #BLOCK} pixels, a multiple of the period. */
    private static int blockElements(int c, int period) {
        return period * Math.max(1, (int) ((long) BLOCK * c / period));
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
     * One output row of the stem's 3×3 convolution, channels-last: with {@code p} holding zero-padded input planes,
     * {@code r} the offset of the row's first padded input row and {@code off[k]} the offset of input value k of an
     * output pixel's window, {@code out[j·co + o] = Σ_k w[k·cp + o]·p[r + off[k] + j]} for {@code k < n},
     * {@code j < width}, {@code o < co}, summed in order of k with fused multiply-adds, the output channels in float
     * lanes. {@code cp} is co rounded up to whole vectors (w holds zeros past co); the lanes past co of pixel j land on
     * pixel j + 1's place and are overwritten by it, so {@code out} needs {@code width·co + cp} floats. For a 3×3 kernel
     * over Ci planes, k = t·Ci + c runs over taps t = 3u + v, then input channels c (ND4J's {@code [3, 3, Ci, Co]} order).
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void stemConvRow(float[] p, int r, int[] off, int n, float[] w, int co, int cp, float[] out,
                                   int width) {
        Simd.requireEnabled();
        Impl.stemConvRow(p, r, off, n, w, co, cp, out, width);
    }

    /**
     * The stem's weight gradient from one output row, accumulated in float:
     * {@code acc[k·cp + o] += Σ_j p[r + off[k] + j]·dy[j·co + o]} ({@code j} in order, fused multiply-adds; layout as
     * in {@link #stemConvRow}, with {@code n} = 9·Ci: {@code dy} needs {@code width·co + cp} floats, the lanes past co
     * accumulate values that are never read). Each input channel's nine tap sums stay in registers over the row.
     *
     * @throws IllegalStateException if SIMD is not {@link Simd#enabled()}
     */
    public static void stemWeightGradientRow(float[] p, int r, int[] off, int n, float[] dy, int co, int cp, int width,
                                             float[] acc) {
        Simd.requireEnabled();
        Impl.stemWeightGradientRow(p, r, off, n, dy, co, cp, width, acc);
    }

    /** The Vector API code; linked only once SIMD is enabled, by the first call of a method above (or Simd's warm-up). */
    static final class Impl {
        static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
        static final ByteOrder ORDER = ByteOrder.nativeOrder();

        static void moments(ByteBuffer x, int off, int n, int period, float[] acc) {
            int lanes = SPECIES.length();
            int nv = n - n % lanes;
            int q = 0;
            for (int e = 0; e < nv; e += lanes) {
                FloatVector v = FloatVector.fromByteBuffer(SPECIES, x, (off + e) << 2, ORDER);
                FloatVector.fromArray(SPECIES, acc, q).add(v).intoArray(acc, q);
                FloatVector.fromArray(SPECIES, acc, period + q).add(v.mul(v)).intoArray(acc, period + q);
                q += lanes;
                if (q == period) {
                    q = 0;
                }
            }
            for (int e = nv; e < n; e++) {
                float v = x.getFloat((off + e) << 2);
                acc[e % period] += v;
                acc[period + e % period] += v * v;
            }
        }

        static void affine(ByteBuffer x, int xOff, ByteBuffer y, int yOff, int n, int period, float[] a, float[] b,
                           float floor) {
            int lanes = SPECIES.length();
            int nv = n - n % lanes;
            FloatVector lo = FloatVector.broadcast(SPECIES, floor);
            int q = 0;
            for (int e = 0; e < nv; e += lanes) {
                FloatVector.fromByteBuffer(SPECIES, x, (xOff + e) << 2, ORDER).mul(FloatVector.fromArray(SPECIES, a, q))
                        .add(FloatVector.fromArray(SPECIES, b, q)).max(lo).intoByteBuffer(y, (yOff + e) << 2, ORDER);
                q += lanes;
                if (q == period) {
                    q = 0;
                }
            }
            for (int e = nv; e < n; e++) {
                float v = x.getFloat((xOff + e) << 2) * a[e % period] + b[e % period];
                y.putFloat((yOff + e) << 2, Math.max(v, floor));
            }
        }

        // the ReLU and linear backward kernels stay separate loops: a mask that is true "everywhere" would be
        // x·a + b > −∞, false where that is NaN, and a vector reassigned under a condition may be left boxed by C2

        static void maskedSumsRelu(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, int n, int period, float[] a,
                                   float[] b, float[] acc) {
            int lanes = SPECIES.length();
            int nv = n - n % lanes;
            int q = 0;
            for (int e = 0; e < nv; e += lanes) {
                FloatVector xv = FloatVector.fromByteBuffer(SPECIES, x, (xOff + e) << 2, ORDER);
                FloatVector dz = FloatVector.fromByteBuffer(SPECIES, dy, (dyOff + e) << 2, ORDER)
                        .blend(0f, xv.mul(FloatVector.fromArray(SPECIES, a, q)).add(FloatVector.fromArray(SPECIES, b, q))
                                .compare(VectorOperators.GT, 0f).not());
                FloatVector.fromArray(SPECIES, acc, q).add(dz.mul(xv)).intoArray(acc, q);
                FloatVector.fromArray(SPECIES, acc, period + q).add(dz).intoArray(acc, period + q);
                q += lanes;
                if (q == period) {
                    q = 0;
                }
            }
            for (int e = nv; e < n; e++) {
                int i = e % period;
                float xv = x.getFloat((xOff + e) << 2);
                float dz = !(xv * a[i] + b[i] > 0f) ? 0f : dy.getFloat((dyOff + e) << 2);
                acc[i] += dz * xv;
                acc[period + i] += dz;
            }
        }

        static void maskedSumsLinear(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, int n, int period, float[] acc) {
            int lanes = SPECIES.length();
            int nv = n - n % lanes;
            int q = 0;
            for (int e = 0; e < nv; e += lanes) {
                FloatVector xv = FloatVector.fromByteBuffer(SPECIES, x, (xOff + e) << 2, ORDER);
                FloatVector dz = FloatVector.fromByteBuffer(SPECIES, dy, (dyOff + e) << 2, ORDER);
                FloatVector.fromArray(SPECIES, acc, q).add(dz.mul(xv)).intoArray(acc, q);
                FloatVector.fromArray(SPECIES, acc, period + q).add(dz).intoArray(acc, period + q);
                q += lanes;
                if (q == period) {
                    q = 0;
                }
            }
            for (int e = nv; e < n; e++) {
                int i = e % period;
                float xv = x.getFloat((xOff + e) << 2);
                float dz = dy.getFloat((dyOff + e) << 2);
                acc[i] += dz * xv;
                acc[period + i] += dz;
            }
        }

        static void inputGradientRelu(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, ByteBuffer dx, int dxOff, int n,
                                      int period, float[] a, float[] b, float[] k1, float[] k2) {
            int lanes = SPECIES.length();
            int nv = n - n % lanes;
            int q = 0;
            for (int e = 0; e < nv; e += lanes) {
                FloatVector av = FloatVector.fromArray(SPECIES, a, q);
                FloatVector xv = FloatVector.fromByteBuffer(SPECIES, x, (xOff + e) << 2, ORDER);
                FloatVector dz = FloatVector.fromByteBuffer(SPECIES, dy, (dyOff + e) << 2, ORDER)
                        .blend(0f, xv.mul(av).add(FloatVector.fromArray(SPECIES, b, q)).compare(VectorOperators.GT, 0f).not());
                dz.mul(av).add(FloatVector.fromArray(SPECIES, k1, q)).add(xv.mul(FloatVector.fromArray(SPECIES, k2, q)))
                        .intoByteBuffer(dx, (dxOff + e) << 2, ORDER);
                q += lanes;
                if (q == period) {
                    q = 0;
                }
            }
            for (int e = nv; e < n; e++) {
                int i = e % period;
                float xv = x.getFloat((xOff + e) << 2);
                float dz = !(xv * a[i] + b[i] > 0f) ? 0f : dy.getFloat((dyOff + e) << 2);
                dx.putFloat((dxOff + e) << 2, dz * a[i] + k1[i] + xv * k2[i]);
            }
        }

        static void inputGradientLinear(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, ByteBuffer dx, int dxOff,
                                        int n, int period, float[] a, float[] k1, float[] k2) {
            int lanes = SPECIES.length();
            int nv = n - n % lanes;
            int q = 0;
            for (int e = 0; e < nv; e += lanes) {
                FloatVector xv = FloatVector.fromByteBuffer(SPECIES, x, (xOff + e) << 2, ORDER);
                FloatVector.fromByteBuffer(SPECIES, dy, (dyOff + e) << 2, ORDER).mul(FloatVector.fromArray(SPECIES, a, q))
                        .add(FloatVector.fromArray(SPECIES, k1, q)).add(xv.mul(FloatVector.fromArray(SPECIES, k2, q)))
                        .intoByteBuffer(dx, (dxOff + e) << 2, ORDER);
                q += lanes;
                if (q == period) {
                    q = 0;
                }
            }
            for (int e = nv; e < n; e++) {
                int i = e % period;
                float xv = x.getFloat((xOff + e) << 2);
                float dz = dy.getFloat((dyOff + e) << 2);
                dx.putFloat((dxOff + e) << 2, dz * a[i] + k1[i] + xv * k2[i]);
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

        static void stemConvRow(float[] p, int r, int[] off, int n, float[] w, int co, int cp, float[] out,
                                int width) {
            if (n == 9) {
                stemConvRowOneChannel(p, r, off, w, co, cp, out, width);
                return;
            }
            int lanes = SPECIES.length();
            for (int j = 0; j < width; j++) {
                int q = r + j;
                for (int o = 0; o < cp; o += lanes) {
                    // one flat loop over the window: a vector carried through nested loops is boxed by C2
                    FloatVector acc = FloatVector.zero(SPECIES);
                    for (int k = 0; k < n; k++) {
                        acc = FloatVector.fromArray(SPECIES, w, k * cp + o)
                                .fma(FloatVector.broadcast(SPECIES, p[q + off[k]]), acc);
                    }
                    acc.intoArray(out, j * co + o);
                }
            }
        }

        /** {@link #stemConvRow} for one input channel: the nine weight vectors of a lane group stay in registers. */
        private static void stemConvRowOneChannel(float[] p, int r, int[] off, float[] w, int co, int cp, float[] out,
                                                  int width) {
            int lanes = SPECIES.length();
            int q0 = r + off[0], q1 = r + off[1], q2 = r + off[2], q3 = r + off[3], q4 = r + off[4], q5 = r + off[5],
                    q6 = r + off[6], q7 = r + off[7], q8 = r + off[8];
            // lane groups from the last: only the last group can be partial, and its lanes past co land on the next
            // pixel's first group, written after it; within a group, pixels in order (a single partial group's spare
            // lanes are overwritten by the next pixel)
            for (int o = cp - lanes; o >= 0; o -= lanes) {
                FloatVector w0 = FloatVector.fromArray(SPECIES, w, o);
                FloatVector w1 = FloatVector.fromArray(SPECIES, w, cp + o);
                FloatVector w2 = FloatVector.fromArray(SPECIES, w, 2 * cp + o);
                FloatVector w3 = FloatVector.fromArray(SPECIES, w, 3 * cp + o);
                FloatVector w4 = FloatVector.fromArray(SPECIES, w, 4 * cp + o);
                FloatVector w5 = FloatVector.fromArray(SPECIES, w, 5 * cp + o);
                FloatVector w6 = FloatVector.fromArray(SPECIES, w, 6 * cp + o);
                FloatVector w7 = FloatVector.fromArray(SPECIES, w, 7 * cp + o);
                FloatVector w8 = FloatVector.fromArray(SPECIES, w, 8 * cp + o);
                for (int j = 0; j < width; j++) {
                    FloatVector acc = w0.fma(FloatVector.broadcast(SPECIES, p[q0 + j]), FloatVector.zero(SPECIES));
                    acc = w1.fma(FloatVector.broadcast(SPECIES, p[q1 + j]), acc);
                    acc = w2.fma(FloatVector.broadcast(SPECIES, p[q2 + j]), acc);
                    acc = w3.fma(FloatVector.broadcast(SPECIES, p[q3 + j]), acc);
                    acc = w4.fma(FloatVector.broadcast(SPECIES, p[q4 + j]), acc);
                    acc = w5.fma(FloatVector.broadcast(SPECIES, p[q5 + j]), acc);
                    acc = w6.fma(FloatVector.broadcast(SPECIES, p[q6 + j]), acc);
                    acc = w7.fma(FloatVector.broadcast(SPECIES, p[q7 + j]), acc);
                    acc = w8.fma(FloatVector.broadcast(SPECIES, p[q8 + j]), acc);
                    acc.intoArray(out, j * co + o);
                }
            }
        }

        static void stemWeightGradientRow(float[] p, int r, int[] off, int n, float[] dy, int co, int cp, int width,
                                          float[] acc) {
            if (n % 9 != 0) {
                throw new IllegalArgumentException("window of " + n + " values is not 9 taps per input channel");
            }
            int ci = n / 9;
            int lanes = SPECIES.length();
            for (int o = 0; o < cp; o += lanes) {
                for (int c = 0; c < ci; c++) {
                    // the nine taps of one input channel in registers over the row (one loop carries them)
                    int a0 = c * cp + o;
                    int step = ci * cp;
                    FloatVector s0 = FloatVector.fromArray(SPECIES, acc, a0);
                    FloatVector s1 = FloatVector.fromArray(SPECIES, acc, a0 + step);
                    FloatVector s2 = FloatVector.fromArray(SPECIES, acc, a0 + 2 * step);
                    FloatVector s3 = FloatVector.fromArray(SPECIES, acc, a0 + 3 * step);
                    FloatVector s4 = FloatVector.fromArray(SPECIES, acc, a0 + 4 * step);
                    FloatVector s5 = FloatVector.fromArray(SPECIES, acc, a0 + 5 * step);
                    FloatVector s6 = FloatVector.fromArray(SPECIES, acc, a0 + 6 * step);
                    FloatVector s7 = FloatVector.fromArray(SPECIES, acc, a0 + 7 * step);
                    FloatVector s8 = FloatVector.fromArray(SPECIES, acc, a0 + 8 * step);
                    int q0 = r + off[c], q1 = r + off[ci + c], q2 = r + off[2 * ci + c], q3 = r + off[3 * ci + c],
                            q4 = r + off[4 * ci + c], q5 = r + off[5 * ci + c], q6 = r + off[6 * ci + c],
                            q7 = r + off[7 * ci + c], q8 = r + off[8 * ci + c];
                    for (int j = 0; j < width; j++) {
                        FloatVector g = FloatVector.fromArray(SPECIES, dy, j * co + o);
                        s0 = g.fma(FloatVector.broadcast(SPECIES, p[q0 + j]), s0);
                        s1 = g.fma(FloatVector.broadcast(SPECIES, p[q1 + j]), s1);
                        s2 = g.fma(FloatVector.broadcast(SPECIES, p[q2 + j]), s2);
                        s3 = g.fma(FloatVector.broadcast(SPECIES, p[q3 + j]), s3);
                        s4 = g.fma(FloatVector.broadcast(SPECIES, p[q4 + j]), s4);
                        s5 = g.fma(FloatVector.broadcast(SPECIES, p[q5 + j]), s5);
                        s6 = g.fma(FloatVector.broadcast(SPECIES, p[q6 + j]), s6);
                        s7 = g.fma(FloatVector.broadcast(SPECIES, p[q7 + j]), s7);
                        s8 = g.fma(FloatVector.broadcast(SPECIES, p[q8 + j]), s8);
                    }
                    s0.intoArray(acc, a0);
                    s1.intoArray(acc, a0 + step);
                    s2.intoArray(acc, a0 + 2 * step);
                    s3.intoArray(acc, a0 + 3 * step);
                    s4.intoArray(acc, a0 + 4 * step);
                    s5.intoArray(acc, a0 + 5 * step);
                    s6.intoArray(acc, a0 + 6 * step);
                    s7.intoArray(acc, a0 + 7 * step);
                    s8.intoArray(acc, a0 + 8 * step);
                }
            }
        }
    }
}

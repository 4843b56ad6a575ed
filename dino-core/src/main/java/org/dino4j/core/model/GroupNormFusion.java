package org.dino4j.core.model;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import org.dino4j.core.DinoRuntime;
import org.dino4j.core.exec.FusedRegion;
import org.dino4j.core.util.HostArrays;
import org.dino4j.core.util.Parallel;
import org.dino4j.core.util.Simd;
import org.dino4j.core.util.SimdLayers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GroupNorm (Wu &amp; He 2018, Eq. 1–2), optionally followed by ReLU, as one fused kernel for execution plans:
 * x {@code [B, C, H, W]} (NCHW, FLOAT), γ and β {@code [1, C, 1, 1]} → y = relu?((x − μ_g)/√(σ²_g + ε)·γ_c + β_c),
 * with {@link SmallResNet}'s statistics: μ_g = E[x] and σ²_g = max(E[x²] − μ_g², 0) over the group's channels and
 * pixels (one contiguous block in NCHW).
 *
 * <p>Forward: one pass for the group's Σx and Σx², one for y = x·a + b with a = γ·rstd, b = β − μ·a per channel.
 * Backward, per group and while the group is in cache: the per-channel sums Σ dz·x and Σ dz (dz = dy where the
 * pre-activation is positive), then dx = dz·a + k₁ + x·k₂ with the group's k₁, k₂ — where SameDiff's graph of the
 * same function makes a dozen full-size passes. Sums are accumulated in float lanes and combined in double (SIMD),
 * or in double (plain Java).
 *
 * <p>Work is split over samples; the parameter gradients are summed over samples in order, so results do not depend
 * on the number of threads.
 */
final class GroupNormFusion extends FusedRegion {
    /**
     * Planes of fewer pixels (e.g. 3×3 and 6×6 maps of local crops) are processed as heap copies of the whole group,
     * element by element: a plane shorter than a few SIMD vectors would otherwise run mostly in scalar tails.
     */
    static final int SMALL_PLANE = 48;

    private final int groups;
    private final double eps;
    private final boolean relu;

    /**
     * @param x name of the GroupNorm input {@code [B, C, H, W]}
     * @param gain name of γ {@code [1, C, 1, 1]}
     * @param bias name of β {@code [1, C, 1, 1]}
     * @param y name of the output (after the ReLU when {@code relu})
     * @param groups G, divides C
     * @param eps ε added to the variance
     * @param relu whether the region ends with a ReLU
     */
    GroupNormFusion(String x, String gain, String bias, String y, int groups, double eps, boolean relu) {
        super(List.of(x, gain, bias), List.of(y));
        this.groups = groups;
        this.eps = eps;
        this.relu = relu;
    }



    @Override
    public Instance bind(INDArray[] in, INDArray[] out) {
        INDArray x = in[0];
        if (x.rank() != 4 || x.dataType() != DataType.FLOAT || !HostArrays.hostKernels()
                || !HostArrays.isCContiguous(x) || !HostArrays.isCContiguous(out[0])) {
            throw new UnsupportedOperationException("GroupNorm fusion needs FLOAT 'c' NCHW host arrays, got "
                    + x.dataType() + " " + Arrays.toString(x.shape()) + " order " + x.ordering());
        }
        return new Bound(x, in[1], in[2], out[0]);
    }

    /** One group on the heap: x, y (or dy, dx), dz, dz·x, and the per-channel scale and shift expanded per element. */
    private static final class Heap {
        final float[] x;
        final float[] y;
        final float[] dz;
        final float[] dzx;
        final float[] a;
        final float[] b;

        Heap(int n) {
            x = new float[n];
            y = new float[n];
            dz = new float[n];
            dzx = new float[n];
            a = new float[n];
            b = new float[n];
        }

        void expand(float[] scale, float[] shift, int first, int count, int hw) {
            for (int j = 0; j < count; j++) {
                java.util.Arrays.fill(a, j * hw, (j + 1) * hw, scale[first + j]);
                java.util.Arrays.fill(b, j * hw, (j + 1) * hw, shift[first + j]);
            }
        }
    }

    /** The kernel bound to one plan's arrays, with the statistics the backward pass reuses. */
    private final class Bound implements Instance {
        private final int b;
        private final int c;
        private final int hw;
        private final int cpg;
        private final ByteBuffer xb;
        private final FloatBuffer xf;
        private final FloatBuffer yf;
        private FloatBuffer dyf;
        private FloatBuffer dxf;
        private final int xo;
        private final ByteBuffer yb;
        private final int yo;
        private final INDArray gain;
        private final INDArray bias;
        private final float[] g;
        private final float[] be;
        private final double[] mean;
        private final double[] rstd;
        private final boolean[] varPositive;
        private final float[] a;
        private final float[] sh;
        private final double[] ga;
        private final double[] gb;
        private final double[][] scratch;
        /** Per-thread heap copies of one group for planes smaller than {@link #SMALL_PLANE}. */
        private final ThreadLocal<Heap> heap;
        private final Parallel pool;
        private final Parallel.RangeTask forwardTask = this::forwardRange;
        private ByteBuffer dyb;
        private int dyo;
        private ByteBuffer dxb;
        private int dxo;
        private final Parallel.RangeTask backwardTask = this::backwardRange;

        Bound(INDArray x, INDArray gain, INDArray bias, INDArray y) {
            long[] s = x.shape();
            this.b = Math.toIntExact(s[0]);
            this.c = Math.toIntExact(s[1]);
            this.hw = Math.toIntExact(s[2] * s[3]);
            if (c % groups != 0) {
                throw new IllegalArgumentException("channels " + c + " not divisible by groups " + groups);
            }
            this.cpg = c / groups;
            this.xb = HostArrays.bytes(x);
            this.xf = xb.asFloatBuffer();
            this.xo = HostArrays.base(x);
            this.yb = HostArrays.bytes(y);
            this.yf = yb.asFloatBuffer();
            this.yo = HostArrays.base(y);
            this.gain = gain;
            this.bias = bias;
            this.g = new float[c];
            this.be = new float[c];
            this.mean = new double[b * groups];
            this.rstd = new double[b * groups];
            this.varPositive = new boolean[b * groups];
            this.a = new float[b * c];
            this.sh = new float[b * c];
            this.ga = new double[b * c];
            this.gb = new double[b * c];
            int threads = Math.max(1, DinoRuntime.threads());
            this.scratch = new double[threads][2];
            int groupSize = cpg * hw;
            this.heap = ThreadLocal.withInitial(() -> new Heap(groupSize));
            this.pool = KernelPools.get(threads);
        }

        @Override
        public void forward() {
            for (int i = 0; i < c; i++) {
                g[i] = gain.getFloat(i);
                be[i] = bias.getFloat(i);
            }
            pool.forEach(b, 1, forwardTask);
        }

        private void forwardRange(int worker, int from, int to) {
            double[] out = scratch[worker];
            double count = (double) cpg * hw;
            for (int n = from; n < to; n++) {
                for (int gi = 0; gi < groups; gi++) {
                    int first = n * c + gi * cpg; // first channel plane of the group; the group is contiguous
                    sums(xb, xo + first * hw, cpg * hw, out);
                    double mu = out[0] / count;
                    double v = out[1] / count - mu * mu;
                    int k = n * groups + gi;
                    mean[k] = mu;
                    varPositive[k] = v > 0;
                    double r = 1.0 / Math.sqrt(Math.max(v, 0) + eps);
                    rstd[k] = r;
                    for (int ci = gi * cpg; ci < (gi + 1) * cpg; ci++) {
                        float ai = (float) (g[ci] * r);
                        a[n * c + ci] = ai;
                        sh[n * c + ci] = (float) (be[ci] - mu * ai);
                    }
                    affine(first, cpg);
                }
            }
        }

        @Override
        public Runnable backward(INDArray[] outputGrads, INDArray[] inputGrads) {
            INDArray dy = outputGrads[0];
            INDArray dx = inputGrads[0];
            if (!HostArrays.isCContiguous(dy) || (dx != null && !HostArrays.isCContiguous(dx))) {
                throw new UnsupportedOperationException("GroupNorm fusion needs 'c' gradient arrays");
            }
            dyb = HostArrays.bytes(dy);
            dyf = dyb.asFloatBuffer();
            dyo = HostArrays.base(dy);
            dxb = dx == null ? null : HostArrays.bytes(dx);
            dxf = dxb == null ? null : dxb.asFloatBuffer();
            dxo = dx == null ? 0 : HostArrays.base(dx);
            return () -> backward(inputGrads);
        }

        private void backward(INDArray[] inputGrads) {
            pool.forEach(b, 1, backwardTask);
            // parameter gradients: sums over samples, in sample order (independent of the thread count)
            for (int ci = 0; ci < c; ci++) {
                double dg = 0;
                double db = 0;
                for (int n = 0; n < b; n++) {
                    int k = n * groups + ci / cpg;
                    dg += (ga[n * c + ci] - gb[n * c + ci] * mean[k]) * rstd[k];
                    db += gb[n * c + ci];
                }
                if (inputGrads[1] != null) {
                    inputGrads[1].putScalar(ci, dg);
                }
                if (inputGrads[2] != null) {
                    inputGrads[2].putScalar(ci, db);
                }
            }
        }

        private void backwardRange(int worker, int from, int to) {
            double count = (double) cpg * hw;
            for (int n = from; n < to; n++) {
                for (int gi = 0; gi < groups; gi++) {
                    int k = n * groups + gi;
                    int first = n * c + gi * cpg;
                    masked(first, cpg);
                    double mu = mean[k];
                    double r = rstd[k];
                    double dr = 0;
                    double dmu = 0;
                    for (int ci = gi * cpg; ci < (gi + 1) * cpg; ci++) {
                        int j = n * c + ci;
                        dr += (ga[j] - gb[j] * mu) * g[ci];
                        dmu -= gb[j] * a[j];
                    }
                    double dex2 = 0;
                    if (varPositive[k]) {
                        dex2 = dr * -0.5 * r * r * r;
                        dmu -= 2 * mu * dex2;
                    }
                    if (dxb != null) {
                        inputGrad(first, cpg, (float) (dmu / count), (float) (2 * dex2 / count));
                    }
                }
            }
        }

        // ---------------------------------------------------------------- plane kernels (SIMD or plain Java)

        private void sums(ByteBuffer x, int off, int n, double[] out) {
            if (Simd.enabled()) {
                SimdLayers.sumAndSquares(x, off, n, out);
                return;
            }
            double s1 = 0;
            double s2 = 0;
            for (int i = 0; i < n; i++) {
                float v = x.getFloat((off + i) << 2);
                s1 += v;
                s2 += v * v;
            }
            out[0] = s1;
            out[1] = s2;
        }

        /** y = relu?(x·a + b) over the {@code count} channel planes from plane {@code first}. */
        private void affine(int first, int count) {
            if (Simd.enabled() && hw < SMALL_PLANE) {
                Heap h = heap.get();
                int n = count * hw;
                xf.get(xo + first * hw, h.x, 0, n);
                h.expand(a, sh, first, count, hw);
                SimdLayers.affineExpanded(h.x, h.a, h.b, h.y, n, relu);
                yf.put(yo + first * hw, h.y, 0, n);
                return;
            }
            if (Simd.enabled()) {
                SimdLayers.affineChannels(xb, xo + first * hw, yb, yo + first * hw, hw, count, a, sh, first, relu);
                return;
            }
            for (int j = first; j < first + count; j++) {
                for (int i = j * hw; i < (j + 1) * hw; i++) {
                    float v = xb.getFloat((xo + i) << 2) * a[j] + sh[j];
                    yb.putFloat((yo + i) << 2, relu ? Math.max(v, 0f) : v);
                }
            }
        }

        /** ga = Σ dz·x, gb = Σ dz per channel plane (small planes: dz kept on the heap for {@link #inputGrad}). */
        private void masked(int first, int count) {
            if (Simd.enabled() && hw < SMALL_PLANE) {
                Heap h = heap.get();
                int n = count * hw;
                xf.get(xo + first * hw, h.x, 0, n);
                dyf.get(dyo + first * hw, h.y, 0, n);
                h.expand(a, sh, first, count, hw);
                SimdLayers.maskedGradient(h.x, h.y, h.a, h.b, h.dz, h.dzx, n, relu);
                for (int j = 0; j < count; j++) {
                    double p = 0;
                    double q = 0;
                    for (int i = j * hw; i < (j + 1) * hw; i++) {
                        p += h.dzx[i];
                        q += h.dz[i];
                    }
                    ga[first + j] = p;
                    gb[first + j] = q;
                }
                return;
            }
            if (Simd.enabled()) {
                SimdLayers.maskedSumsChannels(dyb, dyo + first * hw, xb, xo + first * hw, hw, count, a, sh, first, relu, ga, gb);
                return;
            }
            for (int j = first; j < first + count; j++) {
                double p = 0;
                double q = 0;
                for (int i = j * hw; i < (j + 1) * hw; i++) {
                    float xv = xb.getFloat((xo + i) << 2);
                    float dz = relu && !(xv * a[j] + sh[j] > 0f) ? 0f : dyb.getFloat((dyo + i) << 2);
                    p += dz * xv;
                    q += dz;
                }
                ga[j] = p;
                gb[j] = q;
            }
        }

        /** dx = dz·a + k1 + x·k2 per channel plane (small planes: x and dz from {@link #masked}'s heap copies). */
        private void inputGrad(int first, int count, float k1, float k2) {
            if (Simd.enabled() && hw < SMALL_PLANE) {
                Heap h = heap.get(); // x, the expanded scale and dz from masked()
                int n = count * hw;
                SimdLayers.inputGradientExpanded(h.dz, h.x, h.a, k1, k2, h.y, n);
                dxf.put(dxo + first * hw, h.y, 0, n);
                return;
            }
            if (Simd.enabled()) {
                SimdLayers.inputGradientChannels(dyb, dyo + first * hw, xb, xo + first * hw, dxb, dxo + first * hw, hw, count, a,
                        sh, first, relu, k1, k2);
                return;
            }
            for (int j = first; j < first + count; j++) {
                for (int i = j * hw; i < (j + 1) * hw; i++) {
                    float xv = xb.getFloat((xo + i) << 2);
                    float dz = relu && !(xv * a[j] + sh[j] > 0f) ? 0f : dyb.getFloat((dyo + i) << 2);
                    dxb.putFloat((dxo + i) << 2, dz * a[j] + k1 + xv * k2);
                }
            }
        }
    }
}

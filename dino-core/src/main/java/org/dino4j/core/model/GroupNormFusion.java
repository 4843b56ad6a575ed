package org.dino4j.core.model;

import java.nio.ByteBuffer;
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
 * x {@code [B, H, W, C]} (NHWC, FLOAT), γ and β {@code [1, C, 1, 1]} → y = relu?((x − μ_g)/√(σ²_g + ε)·γ_c + β_c),
 * with {@link SmallResNet}'s statistics: μ_g = E[x] and σ²_g = max(E[x²] − μ_g², 0) over the group's channels and
 * pixels.
 *
 * <p>Forward, per sample: one pass for the per-channel Σx and Σx² (consecutive elements in the SIMD lanes, the
 * per-channel parameters tiled to {@link SimdLayers#period} so that any channel count vectorises), the group moments
 * from those, then one pass for y = x·a + b with a = γ·rstd, b = β − μ·a per channel. Backward, per sample: one pass for
 * the per-channel sums Σ dz·x and Σ dz (dz = dy where the pre-activation is positive), then dx = dz·a + k₁ + x·k₂ with
 * each group's k₁, k₂ — where SameDiff's graph of the same function makes a dozen full-size passes. Sums are
 * accumulated in float per block of {@link SimdLayers#BLOCK} pixels and added in double (SIMD), or in double (plain
 * Java).
 *
 * <p>Work is split over samples; the parameter gradients are summed over samples in order, so results do not depend
 * on the number of threads.
 */
final class GroupNormFusion extends FusedRegion {
    private final int groups;
    private final double eps;
    private final boolean relu;

    /**
     * @param x name of the GroupNorm input {@code [B, H, W, C]}
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
            throw new UnsupportedOperationException("GroupNorm fusion needs FLOAT 'c' NHWC host arrays, got "
                    + x.dataType() + " " + Arrays.toString(x.shape()) + " order " + x.ordering());
        }
        return new Bound(x, in[1], in[2], out[0]);
    }

    /**
     * Per-thread scratch: per-channel double sums, the input gradient's per-channel k₁, k₂, and for the SIMD kernels
     * the block accumulators and the sample's scale, shift, k₁ and k₂ tiled to the kernels' period
     * ({@link SimdLayers#period}).
     */
    private static final class Scratch {
        final double[] s1;
        final double[] s2;
        final float[] k1;
        final float[] k2;
        final float[] acc;
        final float[] at;
        final float[] bt;
        final float[] k1t;
        final float[] k2t;

        Scratch(int c, int period) {
            s1 = new double[c];
            s2 = new double[c];
            k1 = new float[c];
            k2 = new float[c];
            acc = new float[2 * period];
            at = new float[period];
            bt = new float[period];
            k1t = new float[period];
            k2t = new float[period];
        }
    }

    /** The kernel bound to one plan's arrays, with the statistics the backward pass reuses. */
    private final class Bound implements Instance {
        private final int b;
        private final int c;
        private final int hw;
        private final int cpg;
        private final ByteBuffer xb;
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
        private final Scratch[] scratch;
        /** Elements after which the SIMD kernels' per-channel parameters repeat. */
        private final int period;
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
            this.hw = Math.toIntExact(s[1] * s[2]);
            this.c = Math.toIntExact(s[3]);
            if (c % groups != 0) {
                throw new IllegalArgumentException("channels " + c + " not divisible by groups " + groups);
            }
            this.cpg = c / groups;
            this.xb = HostArrays.bytes(x);
            this.xo = HostArrays.base(x);
            this.yb = HostArrays.bytes(y);
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
            this.period = SimdLayers.period(c, Simd.floatLanes());
            this.scratch = new Scratch[threads];
            for (int i = 0; i < threads; i++) {
                scratch[i] = new Scratch(c, period);
            }
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
            Scratch t = scratch[worker];
            double count = (double) cpg * hw;
            for (int n = from; n < to; n++) {
                int base = n * hw * c;
                moments(xo + base, t);
                for (int gi = 0; gi < groups; gi++) {
                    double s1 = 0;
                    double s2 = 0;
                    for (int ci = gi * cpg; ci < (gi + 1) * cpg; ci++) {
                        s1 += t.s1[ci];
                        s2 += t.s2[ci];
                    }
                    double mu = s1 / count;
                    double v = s2 / count - mu * mu;
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
                }
                affine(base, n * c, t);
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
            dyo = HostArrays.base(dy);
            dxb = dx == null ? null : HostArrays.bytes(dx);
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
            Scratch t = scratch[worker];
            double count = (double) cpg * hw;
            for (int n = from; n < to; n++) {
                int base = n * hw * c;
                maskedSums(base, n * c, t);
                for (int gi = 0; gi < groups; gi++) {
                    int k = n * groups + gi;
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
                    Arrays.fill(t.k1, gi * cpg, (gi + 1) * cpg, (float) (dmu / count));
                    Arrays.fill(t.k2, gi * cpg, (gi + 1) * cpg, (float) (2 * dex2 / count));
                }
                if (dxb != null) {
                    inputGrad(base, n * c, t);
                }
            }
        }

        // ---------------------------------------------------------------- per-sample kernels (SIMD or plain Java)

        /** t.s1[ch] = Σ x, t.s2[ch] = Σ x² over the sample's pixels, from element {@code off}. */
        private void moments(int off, Scratch t) {
            if (Simd.enabled()) {
                SimdLayers.channelMoments(xb, off, hw * c, c, period, t.acc, t.s1, t.s2);
                return;
            }
            Arrays.fill(t.s1, 0);
            Arrays.fill(t.s2, 0);
            for (int p = 0; p < hw; p++) {
                for (int ch = 0; ch < c; ch++) {
                    float v = xb.getFloat((off + p * c + ch) << 2);
                    t.s1[ch] += v;
                    t.s2[ch] += (double) v * v;
                }
            }
        }

        /**
         * {@code tiled[i] = perChannel[off + i mod C]} for i &lt; period: per-channel values laid out as the SIMD
         * kernels read them.
         */
        private void tile(float[] perChannel, int off, float[] tiled) {
            for (int i = 0; i < period; i++) {
                tiled[i] = perChannel[off + i % c];
            }
        }

        /** y = relu?(x·a + b) over the sample from element {@code base}, scale and shift from {@code ao}. */
        private void affine(int base, int ao, Scratch t) {
            if (Simd.enabled()) {
                tile(a, ao, t.at);
                tile(sh, ao, t.bt);
                SimdLayers.affine(xb, xo + base, yb, yo + base, hw * c, period, t.at, t.bt, relu);
                return;
            }
            for (int e = 0; e < hw * c; e++) {
                int ch = e % c;
                float v = xb.getFloat((xo + base + e) << 2) * a[ao + ch] + sh[ao + ch];
                yb.putFloat((yo + base + e) << 2, relu ? Math.max(v, 0f) : v);
            }
        }

        /** ga = Σ dz·x, gb = Σ dz per channel of the sample (at {@code ao}). */
        private void maskedSums(int base, int ao, Scratch t) {
            if (Simd.enabled()) {
                tile(a, ao, t.at);
                tile(sh, ao, t.bt);
                SimdLayers.maskedSums(dyb, dyo + base, xb, xo + base, hw * c, c, period, t.at, t.bt, relu, t.acc, ga, gb,
                        ao);
                return;
            }
            Arrays.fill(ga, ao, ao + c, 0);
            Arrays.fill(gb, ao, ao + c, 0);
            for (int e = 0; e < hw * c; e++) {
                int ch = e % c;
                float xv = xb.getFloat((xo + base + e) << 2);
                float dz = relu && !(xv * a[ao + ch] + sh[ao + ch] > 0f) ? 0f : dyb.getFloat((dyo + base + e) << 2);
                ga[ao + ch] += (double) dz * xv;
                gb[ao + ch] += dz;
            }
        }

        /** dx = dz·a + k1 + x·k2 over the sample, k1 and k2 per channel. */
        private void inputGrad(int base, int ao, Scratch t) {
            if (Simd.enabled()) {
                tile(t.k1, 0, t.k1t);
                tile(t.k2, 0, t.k2t);
                // at and bt still hold this sample's tiles (maskedSums)
                SimdLayers.inputGradient(dyb, dyo + base, xb, xo + base, dxb, dxo + base, hw * c, period, t.at, t.bt, relu,
                        t.k1t, t.k2t);
                return;
            }
            for (int e = 0; e < hw * c; e++) {
                int ch = e % c;
                float xv = xb.getFloat((xo + base + e) << 2);
                float dz = relu && !(xv * a[ao + ch] + sh[ao + ch] > 0f) ? 0f : dyb.getFloat((dyo + base + e) << 2);
                dxb.putFloat((dxo + base + e) << 2, dz * a[ao + ch] + t.k1[ch] + xv * t.k2[ch]);
            }
        }
    }
}

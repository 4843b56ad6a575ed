package org.dino4j.core.model;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.dino4j.core.DinoRuntime;
import org.dino4j.core.exec.FusedOp;
import org.dino4j.core.util.HostArrays;
import org.dino4j.core.util.KernelPools;
import org.dino4j.core.util.Parallel;
import org.dino4j.core.util.Simd;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GroupNorm (Wu &amp; He 2018, Eq. 1–2), optionally followed by ReLU, as one fused kernel for execution plans:
 * x {@code [B, C, H, W]} (NCHW, FLOAT), γ and β {@code [1, C, 1, 1]} → y = relu?((x − μ_g)/√(σ²_g + ε)·γ_c + β_c).
 * It is {@link SmallResNet}'s GroupNorm formulation, with the same statistics (μ_g = E[x], σ²_g = max(E[x²] − μ_g², 0)
 * over the group's channels and pixels), computed in two passes over x forward (moments; y = x·a + b with
 * a = γ·rstd, b = β − μ·a) and two passes over x and dy backward (the sums Σ dz·x and Σ dz per channel, dz = dy
 * where the pre-activation is positive; then dx = dz·a + k₁ + x·k₂ per group), where SameDiff's graph of the same
 * function makes a dozen full-size passes. Moments and sums are accumulated in float lanes and combined in double.
 *
 * <p>Work is split over samples; the parameter gradients are summed over samples in order, so results do not depend
 * on the number of threads.
 */
final class GroupNormFusion implements FusedOp {
    private final List<String> inputs;
    private final List<String> outputs;
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
        this.inputs = List.of(x, gain, bias);
        this.outputs = List.of(y);
        this.groups = groups;
        this.eps = eps;
        this.relu = relu;
    }

    @Override
    public List<String> inputs() {
        return inputs;
    }

    @Override
    public List<String> outputs() {
        return outputs;
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
        private final double[][] scratch;
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
            this.scratch = new double[threads][2];
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
            for (int n = from; n < to; n++) {
                for (int gi = 0; gi < groups; gi++) {
                    double s1 = 0;
                    double s2 = 0;
                    for (int ci = gi * cpg; ci < (gi + 1) * cpg; ci++) {
                        sums(xb, xo + (n * c + ci) * hw, hw, out);
                        s1 += out[0] / hw;
                        s2 += out[1] / hw;
                    }
                    double mu = s1 / cpg;
                    double v = s2 / cpg - mu * mu;
                    int k = n * groups + gi;
                    mean[k] = mu;
                    varPositive[k] = v > 0;
                    double r = 1.0 / Math.sqrt(Math.max(v, 0) + eps);
                    rstd[k] = r;
                    for (int ci = gi * cpg; ci < (gi + 1) * cpg; ci++) {
                        float ai = (float) (g[ci] * r);
                        float bi = (float) (be[ci] - mu * ai);
                        a[n * c + ci] = ai;
                        sh[n * c + ci] = bi;
                        int off = (n * c + ci) * hw;
                        affine(xb, xo + off, yb, yo + off, hw, ai, bi);
                    }
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
            double[] out = scratch[worker];
            double count = (double) cpg * hw;
            for (int n = from; n < to; n++) {
                for (int gi = 0; gi < groups; gi++) {
                    int k = n * groups + gi;
                    double mu = mean[k];
                    double r = rstd[k];
                    double dr = 0;
                    double dmu = 0;
                    for (int ci = gi * cpg; ci < (gi + 1) * cpg; ci++) {
                        int j = n * c + ci;
                        masked(dyb, dyo + j * hw, xb, xo + j * hw, hw, a[j], sh[j], out);
                        ga[j] = out[0];
                        gb[j] = out[1];
                        dr += (out[0] - out[1] * mu) * g[ci];
                        dmu -= out[1] * a[j];
                    }
                    double dex2 = 0;
                    if (varPositive[k]) {
                        dex2 = dr * -0.5 * r * r * r;
                        dmu -= 2 * mu * dex2;
                    }
                    if (dxb == null) {
                        continue;
                    }
                    float k1 = (float) (dmu / count);
                    float k2 = (float) (2 * dex2 / count);
                    for (int ci = gi * cpg; ci < (gi + 1) * cpg; ci++) {
                        int j = n * c + ci;
                        inputGrad(dyb, dyo + j * hw, xb, xo + j * hw, dxb, dxo + j * hw, hw, a[j], sh[j], k1, k2);
                    }
                }
            }
        }

        // ---------------------------------------------------------------- span kernels (SIMD or plain Java)

        private void sums(ByteBuffer x, int off, int n, double[] out) {
            if (Simd.enabled()) {
                Simd.sumAndSquares(x, off, n, out);
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

        private void affine(ByteBuffer x, int xOff, ByteBuffer y, int yOff, int n, float ai, float bi) {
            if (Simd.enabled()) {
                Simd.affine(x, xOff, y, yOff, n, ai, bi, relu);
                return;
            }
            for (int i = 0; i < n; i++) {
                float v = x.getFloat((xOff + i) << 2) * ai + bi;
                y.putFloat((yOff + i) << 2, relu ? Math.max(v, 0f) : v);
            }
        }

        private void masked(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, int n, float ai, float bi, double[] out) {
            if (Simd.enabled()) {
                Simd.maskedSums(dy, dyOff, x, xOff, n, ai, bi, relu, out);
                return;
            }
            double p = 0;
            double q = 0;
            for (int i = 0; i < n; i++) {
                float xv = x.getFloat((xOff + i) << 2);
                float dz = relu && !(xv * ai + bi > 0f) ? 0f : dy.getFloat((dyOff + i) << 2);
                p += dz * xv;
                q += dz;
            }
            out[0] = p;
            out[1] = q;
        }

        private void inputGrad(ByteBuffer dy, int dyOff, ByteBuffer x, int xOff, ByteBuffer dx, int dxOff, int n,
                               float ai, float bi, float k1, float k2) {
            if (Simd.enabled()) {
                Simd.inputGradient(dy, dyOff, x, xOff, dx, dxOff, n, ai, bi, relu, k1, k2);
                return;
            }
            for (int i = 0; i < n; i++) {
                float xv = x.getFloat((xOff + i) << 2);
                float dz = relu && !(xv * ai + bi > 0f) ? 0f : dy.getFloat((dyOff + i) << 2);
                dx.putFloat((dxOff + i) << 2, dz * ai + k1 + xv * k2);
            }
        }
    }
}

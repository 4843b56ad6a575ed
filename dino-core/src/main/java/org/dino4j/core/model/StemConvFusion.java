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
 * The stem convolution of {@link SmallResNet} — 3×3, stride 1, SAME (zero padding 1), no bias, few input channels
 * (images: 1 or 3) — as a fused kernel for execution plans: images x {@code [B, Ci, H, W]} (NCHW, as the data
 * arrives), w {@code [3, 3, Ci, Co]} → y {@code [B, H, W, Co]} (NHWC, the backbone's layout),
 * y[b,i,j,o] = Σ_{u,v,c} w[u,v,c,o]·x[b,c,i+u−1,j+v−1]: the region also takes the place of the transpose to
 * channels-last in front of the convolution.
 *
 * <p>Why: with one or three input channels a convolution is nine (or 27) multiply-adds per output, too little work for
 * the im2col/oneDNN machinery, and SameDiff's backward also computes the gradient of the input images, which nobody
 * needs. Here each sample's zero-padded planes are copied once to a per-thread buffer of row length W + 2; each output
 * pixel's channels are computed in float lanes from the 9·Ci input values (fused multiply-adds, taps then input
 * channels, in that order). The backward pass computes dL/dw only (accumulated in float over blocks of rows, the
 * blocks added in double per sample; dL/dx, when a plan asks for it, is not supported and the plan keeps SameDiff's ops). Weight
 * gradients are summed per sample, then over samples in order, so results do not depend on the number of threads;
 * the plain-Java path computes the same fused multiply-adds in the same order.
 */
final class StemConvFusion extends FusedRegion {
    /** Largest number of input channels fused (more channels are left to SameDiff's convolution). */
    static final int MAX_IN_CHANNELS = 4;

    /**
     * @param x name of the input images {@code [B, Ci, H, W]}
     * @param w name of the weights {@code [3, 3, Ci, Co]}
     * @param y name of the convolution output {@code [B, H, W, Co]}
     */
    StemConvFusion(String x, String w, String y) {
        super(List.of(x, w), List.of(y));
    }

    @Override
    public Instance bind(INDArray[] in, INDArray[] out) {
        INDArray x = in[0];
        INDArray w = in[1];
        INDArray y = out[0];
        if (x.dataType() != DataType.FLOAT || !HostArrays.hostKernels() || x.rank() != 4 || w.rank() != 4
                || w.size(0) != 3 || w.size(1) != 3 || w.size(2) != x.size(1) || x.size(1) > MAX_IN_CHANNELS
                || !HostArrays.isCContiguous(x) || !HostArrays.isCContiguous(w) || !HostArrays.isCContiguous(y)
                || y.size(0) != x.size(0) || y.size(3) != w.size(3) || y.size(1) != x.size(2) || y.size(2) != x.size(3)) {
            throw new UnsupportedOperationException("stem convolution fusion needs FLOAT 'c' NCHW x, [3, 3, Ci, Co] w "
                    + "(Ci <= " + MAX_IN_CHANNELS + "), NHWC y, stride 1; got x " + Arrays.toString(x.shape()) + " w "
                    + Arrays.toString(w.shape()) + " y " + Arrays.toString(y.shape()));
        }
        return new Bound(x, w, y);
    }

    private static final class Bound implements Instance {
        private final int b;
        private final int ci;
        private final int co;
        private final int h;
        private final int wd;
        /** Row length of the padded planes. */
        private final int pw;
        /** Elements of one padded plane. */
        private final int plane;
        private final ByteBuffer xb;
        private final int xo;
        private final FloatBuffer yf;
        private final int yo;
        private final INDArray w;
        /** Output channels rounded up to whole vectors. */
        private final int cp;
        /** ND4J's weights flattened with rows of cp: wf[(t·Ci + c)·cp + o] for tap t = 3u + v, zeros past Co. */
        private final float[] wf;
        /** Offset of window value k = t·Ci + c (tap t = 3u + v, input channel c) from the window's top-left. */
        private final int[] window;
        private final Parallel pool = KernelPools.get(Math.max(1, DinoRuntime.threads()));
        private final float[][] padded;
        private final FloatBuffer xf;
        /** Per-thread float accumulators of one output row's weight gradient. */
        private final float[][] acc;
        /** Per-thread output (or output-gradient) row, {@code W·Co} floats and a vector's slack. */
        private final float[][] rows;
        private final Parallel.RangeTask forwardTask = this::forwardRange;
        private final Parallel.RangeTask backwardTask = this::backwardRange;
        private FloatBuffer dyf;
        private int dyo;
        private double[] dwPerSample;

        Bound(INDArray x, INDArray w, INDArray y) {
            long[] s = x.shape();
            this.b = Math.toIntExact(s[0]);
            this.ci = Math.toIntExact(s[1]);
            this.h = Math.toIntExact(s[2]);
            this.wd = Math.toIntExact(s[3]);
            this.co = Math.toIntExact(w.size(3));
            this.pw = wd + 2;
            this.plane = (h + 2) * pw;
            this.xb = HostArrays.bytes(x);
            this.xf = xb.asFloatBuffer();
            this.xo = HostArrays.base(x);
            this.yf = HostArrays.bytes(y).asFloatBuffer();
            this.yo = HostArrays.base(y);
            this.w = w;
            int lanes = Simd.enabled() ? Simd.floatLanes() : 1;
            this.cp = (co + lanes - 1) / lanes * lanes;
            this.wf = new float[9 * ci * cp];
            this.window = new int[9 * ci];
            for (int t = 0; t < 9; t++) {
                for (int c = 0; c < ci; c++) {
                    window[t * ci + c] = c * plane + (t / 3) * pw + t % 3;
                }
            }
            int threads = pool.threads();
            this.padded = new float[threads][ci * plane];
            this.acc = new float[threads][9 * ci * cp];
            this.rows = new float[threads][wd * co + cp];
        }

        @Override
        public void forward() {
            for (int k = 0; k < 9 * ci; k++) {
                for (int o = 0; o < co; o++) {
                    wf[k * cp + o] = w.getFloat((long) k * co + o);
                }
            }
            pool.forEach(b, 1, forwardTask);
        }

        /** Copies sample n's planes into the thread's zero-padded buffer (row length W + 2, one pixel of border). */
        private void pad(int n, float[] p) {
            for (int c = 0; c < ci; c++) {
                int base = c * plane;
                for (int i = 0; i < h; i++) {
                    int src = xo + ((n * ci + c) * h + i) * wd;
                    int dst = base + (i + 1) * pw + 1;
                    xf.get(src, p, dst, wd);
                }
            }
        }

        private void forwardRange(int worker, int from, int to) {
            float[] p = padded[worker];
            float[] row = rows[worker];
            for (int n = from; n < to; n++) {
                pad(n, p);
                for (int i = 0; i < h; i++) {
                    if (Simd.enabled()) {
                        SimdLayers.stemConvRow(p, i * pw, window, window.length, wf, co, cp, row, wd);
                    } else {
                        convRow(p, i * pw, row);
                    }
                    yf.put(yo + ((n * h + i) * wd) * co, row, 0, wd * co);
                }
            }
        }

        /** Plain-Java {@link SimdLayers#stemConvRow}: the same fused multiply-adds in the same order. */
        private void convRow(float[] p, int r, float[] row) {
            for (int j = 0; j < wd; j++) {
                for (int o = 0; o < co; o++) {
                    float a = 0f;
                    for (int k = 0; k < window.length; k++) {
                        a = Math.fma(wf[k * cp + o], p[r + window[k] + j], a);
                    }
                    row[j * co + o] = a;
                }
            }
        }

        @Override
        public Runnable backward(INDArray[] outputGrads, INDArray[] inputGrads) {
            if (inputGrads[0] != null) {
                throw new UnsupportedOperationException("stem convolution fusion computes no input gradient");
            }
            INDArray dy = outputGrads[0];
            INDArray dw = inputGrads[1];
            if (dw == null) {
                return () -> { };
            }
            if (!HostArrays.isCContiguous(dy) || !HostArrays.isCContiguous(dw)) {
                throw new UnsupportedOperationException("stem convolution fusion needs 'c' gradient arrays");
            }
            dyf = HostArrays.bytes(dy).asFloatBuffer();
            dyo = HostArrays.base(dy);
            int per = 9 * ci * co;
            dwPerSample = new double[b * per];
            return () -> {
                pool.forEach(b, 1, backwardTask);
                for (int k = 0; k < per; k++) {
                    double sum = 0;
                    for (int n = 0; n < b; n++) {
                        sum += dwPerSample[n * per + k];
                    }
                    dw.putScalar(k, sum);
                }
            };
        }

        private void backwardRange(int worker, int from, int to) {
            float[] p = padded[worker];
            float[] g = acc[worker];
            float[] row = rows[worker];
            int per = 9 * ci * co;
            for (int n = from; n < to; n++) {
                pad(n, p);
                Arrays.fill(dwPerSample, n * per, (n + 1) * per, 0);
                // float sums over blocks of rows (about SimdLayers.BLOCK pixels), added in double per block
                int rowsPerBlock = Math.max(1, SimdLayers.BLOCK / wd);
                for (int i0 = 0; i0 < h; i0 += rowsPerBlock) {
                    Arrays.fill(g, 0f);
                    for (int i = i0; i < Math.min(h, i0 + rowsPerBlock); i++) {
                        dyf.get(dyo + ((n * h + i) * wd) * co, row, 0, wd * co);
                        if (Simd.enabled()) {
                            SimdLayers.stemWeightGradientRow(p, i * pw, window, window.length, row, co, cp, wd, g);
                        } else {
                            weightGradientRow(p, i * pw, row, g);
                        }
                    }
                    for (int k = 0; k < 9 * ci; k++) {
                        for (int o = 0; o < co; o++) {
                            dwPerSample[n * per + k * co + o] += g[k * cp + o];
                        }
                    }
                }
            }
        }

        /** Plain-Java {@link SimdLayers#stemWeightGradientRow}: the same fused multiply-adds in the same order. */
        private void weightGradientRow(float[] p, int r, float[] row, float[] g) {
            for (int j = 0; j < wd; j++) {
                for (int o = 0; o < co; o++) {
                    float d = row[j * co + o];
                    for (int k = 0; k < window.length; k++) {
                        g[k * cp + o] = Math.fma(d, p[r + window[k] + j], g[k * cp + o]);
                    }
                }
            }
        }
    }
}

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
 * (images: 1 or 3) — as a fused kernel for execution plans: x {@code [B, Ci, H, W]} (NCHW), w
 * {@code [3, 3, Ci, Co]} → y {@code [B, Co, H, W]}, y[b,o,i,j] = Σ_{c,u,v} w[u,v,c,o]·x[b,c,i+u−1,j+v−1].
 *
 * <p>Why: with one or three input channels a convolution is nine (or 27) multiply-adds per output, too little work for
 * the im2col/oneDNN machinery, and SameDiff's backward also computes the gradient of the input images, which nobody
 * needs. Here each sample's zero-padded planes are copied once to a per-thread buffer of row length W + 2; an output
 * row is computed for all output channels from nine shifted input vectors loaded once (fused multiply-adds). The
 * backward pass computes dL/dw only (nine dot products of dy with the shifted planes; dL/dx, when a plan asks for
 * it, is not supported and the plan keeps SameDiff's ops). Weight gradients are summed per sample, then over samples
 * in order, so results do not depend on the number of threads; the SIMD and plain-Java paths round differently
 * (fused multiply-adds).
 */
final class StemConvFusion extends FusedRegion {
    /** Floats past a padded plane that masked vector loads of the last row may address (never read). */
    private static final int SIMD_SLACK = 64;

    /** Largest number of input channels fused (more channels are left to SameDiff's convolution). */
    static final int MAX_IN_CHANNELS = 4;


    /**
     * @param x name of the input images {@code [B, Ci, H, W]}
     * @param w name of the weights {@code [3, 3, Ci, Co]}
     * @param y name of the convolution output {@code [B, Co, H, W]}
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
                || y.size(0) != x.size(0) || y.size(1) != w.size(3) || y.size(2) != x.size(2) || y.size(3) != x.size(3)) {
            throw new UnsupportedOperationException("stem convolution fusion needs FLOAT 'c' NCHW x, [3, 3, Ci, Co] w "
                    + "(Ci <= " + MAX_IN_CHANNELS + "), stride 1; got x " + Arrays.toString(x.shape()) + " w "
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
        /** Elements of one padded plane (one extra row so the last taps stay inside). */
        private final int plane;
        private final ByteBuffer xb;
        private final int xo;
        private final ByteBuffer yb;
        private final int yo;
        private final INDArray w;
        /** Weights by (output channel, input channel, tap): wt[(o·Ci + c)·9 + u·3 + v] (backward). */
        private final float[] wt;
        /** Weights by input channel, then (output channel, tap): wc[c][o·9 + u·3 + v] (forward). */
        private final float[][] wc;
        private final int[] tapOffset = new int[9];
        private final Parallel pool = KernelPools.get(Math.max(1, DinoRuntime.threads()));
        private final float[][] padded;
        /** Per-thread output planes of one sample (plane stride H·W + slack), copied to y in bulk. */
        private final float[][] outputs;
        private final FloatBuffer xf;
        private final FloatBuffer yf;
        private FloatBuffer dyf;
        private final float[][] acc;
        private final Parallel.RangeTask forwardTask = this::forwardRange;
        private final Parallel.RangeTask backwardTask = this::backwardRange;
        private ByteBuffer dyb;
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
            this.plane = (h + 3) * pw;
            this.xb = HostArrays.bytes(x);
            this.xf = xb.asFloatBuffer();
            this.xo = HostArrays.base(x);
            this.yb = HostArrays.bytes(y);
            this.yf = yb.asFloatBuffer();
            this.yo = HostArrays.base(y);
            this.w = w;
            this.wt = new float[co * ci * 9];
            this.wc = new float[ci][co * 9];
            for (int u = 0; u < 3; u++) {
                for (int v = 0; v < 3; v++) {
                    tapOffset[u * 3 + v] = u * pw + v;
                }
            }
            int threads = pool.threads();
            this.padded = new float[threads][ci * plane + SIMD_SLACK];
            this.outputs = new float[threads][co * (h * wd + SIMD_SLACK)];
            this.acc = new float[threads][h * pw];
        }

        @Override
        public void forward() {
            for (int u = 0; u < 3; u++) {
                for (int v = 0; v < 3; v++) {
                    for (int c = 0; c < ci; c++) {
                        for (int o = 0; o < co; o++) {
                            float wv = w.getFloat(((long) (u * 3 + v) * ci + c) * co + o);
                            wt[(o * ci + c) * 9 + u * 3 + v] = wv;
                            wc[c][o * 9 + u * 3 + v] = wv;
                        }
                    }
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
            float[] out = outputs[worker];
            int planeOut = h * wd;
            int stride = planeOut + SIMD_SLACK;
            for (int n = from; n < to; n++) {
                pad(n, p);
                for (int i = 0; i < h; i++) {
                    for (int c = 0; c < ci; c++) {
                        int r = c * plane + i * pw;
                        if (Simd.enabled()) {
                            SimdLayers.convRow3x3(p, r, pw, wc[c], co, out, i * wd, stride, wd, c > 0);
                        } else {
                            convRow(p, r, wc[c], out, i * wd, stride, c > 0);
                        }
                    }
                }
                for (int o = 0; o < co; o++) {
                    yf.put(yo + (n * co + o) * planeOut, out, o * stride, planeOut);
                }
            }
        }

        /** Plain-Java {@link SimdLayers#convRow3x3}. */
        private void convRow(float[] p, int r, float[] w, float[] out, int oOff, int stride, boolean accumulate) {
            for (int o = 0; o < co; o++) {
                for (int j = 0; j < wd; j++) {
                    float a = 0f;
                    for (int u = 0; u < 3; u++) {
                        for (int v = 0; v < 3; v++) {
                            a += w[o * 9 + u * 3 + v] * p[r + u * pw + v + j];
                        }
                    }
                    int at = o * stride + oOff + j;
                    out[at] = accumulate ? out[at] + a : a;
                }
            }
        }

        /** out[t] = Σ_k g[k]·p[base + off_t + k] for the 9 taps. */
        private void dots(float[] g, float[] p, int base, int n, double[] out) {
            if (Simd.enabled()) {
                SimdLayers.dot9(g, p, base, tapOffset, n, out);
                return;
            }
            java.util.Arrays.fill(out, 0);
            for (int k = 0; k < n; k++) {
                for (int t = 0; t < 9; t++) {
                    out[t] += g[k] * p[base + tapOffset[t] + k];
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
            dyb = HostArrays.bytes(dy);
            dyf = dyb.asFloatBuffer();
            dyo = HostArrays.base(dy);
            dwPerSample = new double[b * co * ci * 9];
            return () -> {
                pool.forEach(b, 1, backwardTask);
                int per = co * ci * 9;
                for (int u = 0; u < 3; u++) {
                    for (int v = 0; v < 3; v++) {
                        for (int c = 0; c < ci; c++) {
                            for (int o = 0; o < co; o++) {
                                int k = (o * ci + c) * 9 + u * 3 + v;
                                double sum = 0;
                                for (int n = 0; n < b; n++) {
                                    sum += dwPerSample[n * per + k];
                                }
                                dw.putScalar(((long) (u * 3 + v) * ci + c) * co + o, sum);
                            }
                        }
                    }
                }
            };
        }

        private void backwardRange(int worker, int from, int to) {
            double[] d9 = new double[9];
            float[] p = padded[worker];
            float[] g = acc[worker];
            float[] dys = outputs[worker];
            int len = h * pw;
            int per = co * ci * 9;
            int planeOut = h * wd;
            for (int n = from; n < to; n++) {
                pad(n, p);
                dyf.get(dyo + n * co * planeOut, dys, 0, co * planeOut); // the sample's dy, one bulk copy
                for (int o = 0; o < co; o++) {
                    // dy of (n, o) laid out with row length W + 2 (the two junk columns stay zero)
                    for (int i = 0; i < h; i++) {
                        System.arraycopy(dys, o * planeOut + i * wd, g, i * pw, wd);
                    }
                    for (int c = 0; c < ci; c++) {
                        dots(g, p, c * plane, len, d9);
                        System.arraycopy(d9, 0, dwPerSample, n * per + (o * ci + c) * 9, 9);
                    }
                }
            }
        }
    }
}

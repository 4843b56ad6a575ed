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
 * {@link Activations#gelu} (tanh form, Hendrycks &amp; Gimpel 2016) as one fused element-wise kernel for execution plans:
 * y = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) forward and dx = dy·gelu'(x) backward, one pass each, where
 * SameDiff's graph of the same formula runs about ten ops each way. FLOAT, any shape, 'c' contiguous; split over
 * threads by contiguous ranges (element-wise, so the result does not depend on the thread count).
 */
final class GeluFusion extends FusedRegion {
    private static final float C = (float) Math.sqrt(2.0 / Math.PI);
    private static final float A = 0.044715f;
    /** Elements per task chunk. */
    private static final int GRAIN = 1 << 14;


    /**
     * @param x name of the input
     * @param y name of the output
     */
    GeluFusion(String x, String y) {
        super(List.of(x), List.of(y));
    }



    @Override
    public Instance bind(INDArray[] in, INDArray[] out) {
        INDArray x = in[0];
        if (x.dataType() != DataType.FLOAT || !HostArrays.hostKernels() || x.length() > Integer.MAX_VALUE / 4) {
            throw new UnsupportedOperationException("GELU fusion needs FLOAT host arrays, got " + x.dataType() + " "
                    + Arrays.toString(x.shape()));
        }
        sameDenseLayout(x, out[0]);
        return new Bound(x, out[0]);
    }

    @Override
    public boolean outputsLikeFirstInput() {
        return true;
    }

    /** The kernel walks buffers linearly: every array must be dense with {@code x}'s strides. */
    static void sameDenseLayout(INDArray x, INDArray other) {
        boolean dense = HostArrays.isCContiguous(x) || HostArrays.isFContiguous(x);
        if (!dense || !Arrays.equals(x.shape(), other.shape()) || !Arrays.equals(x.stride(), other.stride())) {
            throw new UnsupportedOperationException("GELU fusion needs dense arrays of one layout, got strides "
                    + Arrays.toString(x.stride()) + " and " + Arrays.toString(other.stride()));
        }
    }

    private static final class Bound implements Instance {
        private final INDArray x;
        private final int n;
        private final ByteBuffer xb;
        private final int xo;
        private final ByteBuffer yb;
        private final int yo;
        private final Parallel pool = KernelPools.get(Math.max(1, DinoRuntime.threads()));
        private final Parallel.RangeTask forwardTask = this::forwardRange;
        private final Parallel.RangeTask backwardTask = this::backwardRange;
        private ByteBuffer dyb;
        private int dyo;
        private ByteBuffer dxb;
        private int dxo;

        Bound(INDArray x, INDArray y) {
            this.x = x;
            this.n = (int) x.length();
            this.xb = HostArrays.bytes(x);
            this.xo = HostArrays.base(x);
            this.yb = HostArrays.bytes(y);
            this.yo = HostArrays.base(y);
        }

        @Override
        public void forward() {
            pool.forEach(chunks(), 1, forwardTask);
        }

        private int chunks() {
            return (n + GRAIN - 1) / GRAIN;
        }

        private void forwardRange(int worker, int from, int to) {
            int a = from * GRAIN;
            int len = Math.min(n, to * GRAIN) - a;
            if (Simd.enabled()) {
                SimdLayers.gelu(xb, xo + a, yb, yo + a, len);
                return;
            }
            for (int i = a; i < a + len; i++) {
                float v = xb.getFloat((xo + i) << 2);
                float t = (float) Math.tanh((v + v * v * v * A) * C);
                yb.putFloat((yo + i) << 2, v * (t + 1f) * 0.5f);
            }
        }

        @Override
        public Runnable backward(INDArray[] outputGrads, INDArray[] inputGrads) {
            INDArray dx = inputGrads[0];
            if (dx == null) {
                return () -> { };
            }
            INDArray dy = outputGrads[0];
            sameDenseLayout(x, dy);
            sameDenseLayout(x, dx);
            dyb = HostArrays.bytes(dy);
            dyo = HostArrays.base(dy);
            dxb = HostArrays.bytes(dx);
            dxo = HostArrays.base(dx);
            return () -> pool.forEach(chunks(), 1, backwardTask);
        }

        private void backwardRange(int worker, int from, int to) {
            int a = from * GRAIN;
            int len = Math.min(n, to * GRAIN) - a;
            if (Simd.enabled()) {
                SimdLayers.geluBackward(xb, xo + a, dyb, dyo + a, dxb, dxo + a, len);
                return;
            }
            for (int i = a; i < a + len; i++) {
                float v = xb.getFloat((xo + i) << 2);
                float t = (float) Math.tanh((v + v * v * v * A) * C);
                float du = (v * v * (3f * A) + 1f) * C;
                float d = (t + 1f) * 0.5f + v * 0.5f * (1f - t * t) * du;
                dxb.putFloat((dxo + i) << 2, dyb.getFloat((dyo + i) << 2) * d);
            }
        }
    }
}

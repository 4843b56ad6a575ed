package org.dino4j.core.model;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import org.dino4j.core.exec.FusedRegion;
import org.dino4j.core.util.HostArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * L2 normalisation of the vectors of a matrix along one dimension as one fused kernel for execution plans — the
 * head's two normalisations (Caron et al. 2021, §3.1 and the official head): the bottleneck features
 * {@code y = x / max(‖x‖, ε)} per row ({@code dim} 1, written in the graph as {@code relu(‖x‖ − ε) + ε}) and the
 * weight-normalised last layer {@code W = V / ‖V‖} per column ({@code dim} 0, ε 0).
 *
 * <p>Backward, with {@code n} the divisor: {@code dx = (dy − y·(y·dy)) / n} where the norm is above ε, and
 * {@code dx = dy / ε} where the floor is active (the norm's gradient is cut there, as ReLU's is in the graph).
 * SameDiff's graph runs these as a reduction, scalar ops and a broadcast division whose backward pass reduces again
 * ({@code divide_bp}, {@code reduce_norm2_bp}); the kernel makes two passes over a heap copy each way.
 *
 * <p>FLOAT rank-2 arrays, dense, all in one layout ('c' or 'f'; the plan gives the output the input's layout, and
 * other gradient layouts keep SameDiff's ops); loops run in memory order over heap copies; single-threaded: the
 * matrices are small ({@code [2B, 128]}, {@code [128, K]}).
 */
final class L2NormalizeFusion extends FusedRegion {
    private final int dim;
    private final float eps;

    /**
     * @param x   name of the input {@code [R, D]}
     * @param y   name of the output, same shape
     * @param dim 1: normalise each row; 0: each column
     * @param eps the floor of the norm ({@code relu(‖x‖ − ε) + ε} in the graph); 0 for none
     */
    L2NormalizeFusion(String x, String y, int dim, double eps) {
        super(List.of(x), List.of(y));
        if (dim != 0 && dim != 1) {
            throw new IllegalArgumentException("dim must be 0 or 1, got " + dim);
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("eps must be >= 0, got " + eps);
        }
        this.dim = dim;
        this.eps = (float) eps;
    }



    @Override
    public boolean outputsLikeFirstInput() {
        return true;
    }

    @Override
    public Instance bind(INDArray[] in, INDArray[] out) {
        INDArray x = in[0];
        if (x.dataType() != DataType.FLOAT || !HostArrays.hostKernels() || x.rank() != 2
                || x.length() > Integer.MAX_VALUE / 4) {
            throw new UnsupportedOperationException("L2 normalisation fusion needs a FLOAT rank-2 host array, got "
                    + x.dataType() + " " + Arrays.toString(x.shape()));
        }
        Dense.of(x);
        Dense.of(out[0]);
        return new Bound(x, out[0]);
    }

    /** A dense rank-2 FLOAT array: its buffer, base and the strides of its two dimensions. */
    private record Dense(FloatBuffer buf, int base, int s0, int s1, int length) {
        static Dense of(INDArray a) {
            if (a.rank() != 2 || a.dataType() != DataType.FLOAT
                    || !(HostArrays.isCContiguous(a) || HostArrays.isFContiguous(a))) {
                throw new UnsupportedOperationException("L2 normalisation fusion needs dense FLOAT matrices, got "
                        + a.dataType() + " " + Arrays.toString(a.shape()) + " strides " + Arrays.toString(a.stride()));
            }
            return new Dense(HostArrays.floats(a), HostArrays.base(a), (int) a.stride(0), (int) a.stride(1),
                    (int) a.length());
        }

        void read(float[] to) {
            buf.get(base, to, 0, length);
        }

        void write(float[] from) {
            buf.put(base, from, 0, length);
        }
    }

    private final class Bound implements Instance {
        private final Dense x;
        private final Dense y;
        private final int rows;
        private final int cols;
        /** Outer and inner loop lengths in x's memory order ('c': rows then columns; 'f': columns then rows). */
        private final int outer;
        private final int inner;
        /** Whether a normalised vector is contiguous in x's memory (rows of 'c', columns of 'f'). */
        private final boolean along;
        private final float[] xs;
        private final float[] ys;
        /** The divisor of each vector. */
        private final float[] n;
        /** Whether the norm (not the floor) is the divisor of each vector. */
        private final boolean[] active;
        private final double[] acc;
        private float[] dys;
        private float[] dxs;

        Bound(INDArray xa, INDArray ya) {
            this.x = Dense.of(xa);
            this.y = Dense.of(ya);
            if (x.s0() != y.s0() || x.s1() != y.s1()) {
                throw new UnsupportedOperationException("L2 normalisation fusion needs the output in the input's layout");
            }
            this.rows = (int) xa.size(0);
            this.cols = (int) xa.size(1);
            boolean c = x.s1() == 1 && (x.s0() == cols || rows == 1);
            this.outer = c ? rows : cols;
            this.inner = c ? cols : rows;
            this.along = c == (dim == 1);
            this.xs = new float[x.length()];
            this.ys = new float[x.length()];
            int vectors = dim == 1 ? rows : cols;
            this.n = new float[vectors];
            this.active = new boolean[vectors];
            this.acc = new double[vectors];
        }

        @Override
        public void forward() {
            x.read(xs);
            sums(xs, xs, acc);
            for (int v = 0; v < n.length; v++) {
                float norm = (float) Math.sqrt(acc[v]);
                active[v] = eps == 0f || norm - eps > 0f;
                n[v] = eps == 0f ? norm : (active[v] ? (norm - eps) + eps : eps);
            }
            for (int o = 0; o < outer; o++) {
                int m = o * inner;
                if (along) {
                    float d = n[o];
                    for (int k = 0; k < inner; k++) {
                        ys[m + k] = xs[m + k] / d;
                    }
                } else {
                    for (int k = 0; k < inner; k++) {
                        ys[m + k] = xs[m + k] / n[k];
                    }
                }
            }
            y.write(ys);
        }

        /** {@code out[v] = Σ a·b} over each vector v, a and b in x's memory order. */
        private void sums(float[] a, float[] b, double[] out) {
            java.util.Arrays.fill(out, 0);
            for (int o = 0; o < outer; o++) {
                int m = o * inner;
                if (along) {
                    double s = 0;
                    for (int k = 0; k < inner; k++) {
                        s += (double) a[m + k] * b[m + k];
                    }
                    out[o] = s;
                } else {
                    for (int k = 0; k < inner; k++) {
                        out[k] += (double) a[m + k] * b[m + k];
                    }
                }
            }
        }

        @Override
        public Runnable backward(INDArray[] outputGrads, INDArray[] inputGrads) {
            if (inputGrads[0] == null) {
                return () -> { };
            }
            Dense dy = Dense.of(outputGrads[0]);
            Dense dx = Dense.of(inputGrads[0]);
            if (dy.s0() != x.s0() || dy.s1() != x.s1() || dx.s0() != x.s0() || dx.s1() != x.s1()) {
                throw new UnsupportedOperationException("L2 normalisation fusion needs gradients in the input's layout");
            }
            dys = new float[dy.length()];
            dxs = new float[dx.length()];
            return () -> backward(dy, dx);
        }

        private void backward(Dense dy, Dense dx) {
            dy.read(dys);
            sums(ys, dys, acc);
            for (int o = 0; o < outer; o++) {
                int m = o * inner;
                for (int k = 0; k < inner; k++) {
                    int v = along ? o : k;
                    float g = dys[m + k];
                    dxs[m + k] = active[v] ? (float) ((g - ys[m + k] * acc[v]) / n[v]) : g / n[v];
                }
            }
            dx.write(dxs);
        }
    }
}

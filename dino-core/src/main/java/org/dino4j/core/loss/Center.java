package org.dino4j.core.loss;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.dino4j.core.util.HostArrays;
import org.dino4j.core.util.Parallel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The teacher center of {@link DinoLoss}, {@code c [1, K]} (Caron et al. 2021, §3.1 "Avoiding collapse", eq. 4):
 * {@code c ← m·c + (1−m)·(1/2B) Σ_rows z_t}, starting from zeros, with momentum m (DINO: 0.9).
 *
 * <p>The update is in place on {@link #center()} (same array object every time) and reads z_t once: column
 * blocks are split across workers and each block sums the rows in row order, so the result is bit-identical for
 * every thread count. The official code all-reduces the batch sum over GPUs before dividing by the global batch;
 * here the batch is that of one process.
 *
 * <p>FLOAT 'c'-contiguous teacher logits on the CPU backend use the Java kernel; anything else falls back to
 * ND4J ops. Not thread-safe.
 */
final class Center implements AutoCloseable {

    private final INDArray center;
    private final double momentum;
    private final int k;
    private final Parallel pool;
    private final boolean ownsPool;
    private final boolean hostCenter;
    private final FloatBuffer cBuf;
    private final int cBase;
    private final double[] colSum;
    private final float[][] rowScratch;
    private final Parallel.RangeTask columnTask = this::columns;

    private FloatBuffer tBuf;
    private int tBase;
    private int rows;

    /**
     * @param k        K, the number of logits ({@code >= 1})
     * @param momentum m in {@code [0, 1)} (DINO default 0.9)
     * @param threads  number of threads (caller included), {@code >= 1}
     */
    public Center(int k, double momentum, int threads) {
        this(k, momentum, new Parallel(threads), true);
    }

    /**
     * @param k        K, the number of logits ({@code >= 1})
     * @param momentum m in {@code [0, 1)} (DINO default 0.9)
     * @param pool     a shared worker pool (not closed by {@link #close()})
     */
    public Center(int k, double momentum, Parallel pool) {
        this(k, momentum, pool, false);
    }

    private Center(int k, double momentum, Parallel pool, boolean ownsPool) {
        if (k < 1) {
            if (ownsPool) {
                pool.close();
            }
            throw new IllegalArgumentException("k (center length) must be >= 1, got " + k);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            if (ownsPool) {
                pool.close();
            }
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        this.k = k;
        this.momentum = momentum;
        this.pool = pool;
        this.ownsPool = ownsPool;
        this.center = Nd4j.zeros(DataType.FLOAT, 1, k);
        this.hostCenter = HostArrays.hostReady(center, DataType.FLOAT);
        this.cBuf = hostCenter ? HostArrays.floats(center) : null;
        this.cBase = hostCenter ? HostArrays.base(center) : 0;
        this.colSum = new double[k];
        this.rowScratch = new float[pool.threads()][0];
    }

    /** @return the live center {@code [1, K]} FLOAT (the same object after every update; assign to restore) */
    public INDArray center() {
        return center;
    }

    /** @return the momentum m */
    public double momentum() {
        return momentum;
    }

    /**
     * {@code c ← m·c + (1−m)·mean_rows(z_t)} in place.
     *
     * @param teacherLogits {@code [2B, K]} (any number of rows {@code >= 1})
     * @throws IllegalArgumentException if null, not rank 2, or not K columns
     */
    public void update(INDArray teacherLogits) {
        long[] s = HostArrays.requireMatrix(teacherLogits, "teacher logits");
        if (s[1] != k || s[0] < 1) {
            throw new IllegalArgumentException("teacher logits must have shape [rows >= 1, " + k + "], got "
                    + Arrays.toString(s));
        }
        if (hostCenter && HostArrays.hostReady(teacherLogits, DataType.FLOAT)) {
            rows = (int) s[0];
            tBuf = HostArrays.floats(teacherLogits);
            tBase = HostArrays.base(teacherLogits);
            try {
                pool.forEach(k, Math.max(1, 32768 / rows), columnTask);
            } finally {
                tBuf = null;
            }
        } else {
            INDArray mean = teacherLogits.castTo(center.dataType()).mean(true, 0);
            center.muli(momentum).addi(mean.muli(1 - momentum));
        }
    }

    private void columns(int worker, int from, int to) {
        double[] acc = colSum;
        Arrays.fill(acc, from, to, 0.0);
        int len = to - from;
        if (rowScratch[worker].length < len) {
            rowScratch[worker] = new float[len];
        }
        float[] x = rowScratch[worker];
        for (int r = 0; r < rows; r++) {
            tBuf.get(tBase + r * k + from, x, 0, len);
            for (int i = 0; i < len; i++) {
                acc[from + i] += x[i];
            }
        }
        double a = (1 - momentum) / rows;
        for (int i = from; i < to; i++) {
            int idx = cBase + i;
            cBuf.put(idx, (float) (momentum * cBuf.get(idx) + a * acc[i]));
        }
    }

    /** Stops the worker threads if this instance created them. */
    @Override
    public void close() {
        if (ownsPool) {
            pool.close();
        }
    }
}

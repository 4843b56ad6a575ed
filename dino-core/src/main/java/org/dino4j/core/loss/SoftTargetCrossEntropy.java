package org.dino4j.core.loss;

import java.nio.FloatBuffer;
import org.dino4j.core.util.HostArrays;
import org.dino4j.core.util.Parallel;
import org.dino4j.core.util.Simd;
import org.dino4j.core.util.SimdLoss;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The student side of the DINO loss when the teacher targets are already regrouped per student row (as
 * {@link TeacherTargets} produces them): a row-weighted soft-target cross-entropy and its gradient,
 * <pre>
 *   L        = Σ_r w_r · (−Σ_k t_{r,k} · log softmax(z_r/τ)_k)
 *            = Σ_r w_r · (n_r · lse(z_r/τ) − Σ_k t_{r,k} z_{r,k}/τ),        n_r = Σ_k t_{r,k}
 *   dL/dz_r  = (w_r/τ) · (n_r · softmax(z_r/τ) − t_r)
 * </pre>
 * (Caron et al. 2021, Eq. 1–3, with the pairs regrouped by student view: {@link TeacherTargets} gives t and w).
 * Inputs: logits z {@code [R, K]}, targets t {@code [R, K]} (rows need not sum to 1; n_r is computed), row
 * weights w {@code [R]} or {@code [R, 1]}, temperature τ &gt; 0. The targets are data: nothing is differentiated
 * through them (stop-gradient).
 *
 * <p>This is the student kernel of {@link DinoLoss}, the loss {@code DinoModel} trains with: the model computes z in
 * its SameDiff graph, this kernel computes L and dL/dz outside it, and the graph back-propagates dL/dz (see
 * {@code DinoModel#lossAndGradients}). SameDiff's own log-softmax forward + backward took ~350 ms per reference step
 * (2048 × 4096); this kernel took 24 ms on 2 threads, 35 ms on 1 (docs/performance.md).
 *
 * <p>Paths: FLOAT host arrays run the Java kernel (vector
 * lanes when {@link Simd#enabled()}, else scalar loops with {@link FastExp}), rows split across {@link Parallel}
 * workers, per-row losses summed in row order (bit-identical for every thread count); anything else (DOUBLE,
 * strided views, CUDA) evaluates the same formula with ND4J ops (allocating). Scratch grows once.
 *
 * <p><b>Layouts.</b> Logits and gradient may each be 'c'-contiguous or dense column-major ('f', strides
 * {@code [1, R]}), with the same numbers either way: SameDiff's matmul returns the head's logits in 'f' order, and a
 * gradient in the same order keeps the graph's {@code z ⊙ dL/dz} a same-layout element-wise product (mixed layouts
 * take ND4J's slow generic path).
 * Column-major rows are gathered and scattered in blocks of {@value #BLOCK} rows (contiguous runs of
 * {@value #BLOCK} floats per column). Targets and weights are 'c'.
 *
 * <p>Not thread-safe: one call at a time per instance.
 */
final class SoftTargetCrossEntropy implements AutoCloseable {
    /** Rows per gather/scatter block of the column-major layout. */
    static final int BLOCK = 16;

    private final Parallel pool;
    private final boolean ownsPool;
    private final boolean simd;
    private final Parallel.RangeTask rowsTask = this::rows;
    /** Per worker: {@link #BLOCK} logit rows. */
    private float[][][] zRows;
    private float[][] tRow;
    private float[][] column;
    private final double[][] sums;
    private double[] rowLoss = new double[0];

    // state of the current call
    private FloatBuffer zBuf;
    private FloatBuffer tBuf;
    private FloatBuffer wBuf;
    private FloatBuffer gBuf;
    private int zBase;
    private int tBase;
    private int wBase;
    private int gBase;
    private int k;
    private int rowsTotal;
    private boolean zColMajor;
    private boolean gColMajor;
    private double invTau;

    /**
     * A kernel with its own pool.
     *
     * @param threads number of threads (caller included), {@code >= 1}
     */
    public SoftTargetCrossEntropy(int threads) {
        this(new Parallel(threads), true);
    }

    /**
     * A kernel sharing an existing pool (not closed by {@link #close()}).
     *
     * @param pool the worker pool
     */
    public SoftTargetCrossEntropy(Parallel pool) {
        this(pool, false);
    }

    private SoftTargetCrossEntropy(Parallel pool, boolean ownsPool) {
        this.pool = pool;
        this.ownsPool = ownsPool;
        this.simd = Simd.enabled();
        this.zRows = new float[pool.threads()][BLOCK][0];
        this.tRow = new float[pool.threads()][0];
        this.column = new float[pool.threads()][BLOCK];
        this.sums = new double[pool.threads()][2];
    }

    /**
     * Loss and gradient.
     *
     * @param logits     z {@code [R, K]}
     * @param targets    t {@code [R, K]}, same data type as z
     * @param rowWeights w {@code [R]} or {@code [R, 1]}, same data type
     * @param tau        temperature τ &gt; 0 (DINO's student temperature, 0.1)
     * @param gradOut    receives dL/dz {@code [R, K]}, or null for the loss only; must not alias the inputs
     * @return L
     * @throws IllegalArgumentException on bad shapes, types or τ (the message names the argument)
     */
    public double lossAndGradient(INDArray logits, INDArray targets, INDArray rowWeights, double tau, INDArray gradOut) {
        long[] sh = HostArrays.requireMatrix(logits, "logits");
        long[] tsh = HostArrays.requireMatrix(targets, "targets");
        if (tsh[0] != sh[0] || tsh[1] != sh[1]) {
            throw new IllegalArgumentException("targets must have the shape of logits " + java.util.Arrays.toString(sh)
                    + ", got " + java.util.Arrays.toString(tsh));
        }
        if (rowWeights == null || rowWeights.length() != sh[0] || rowWeights.rank() > 2
                || (rowWeights.rank() == 2 && rowWeights.size(1) != 1)) {
            throw new IllegalArgumentException("rowWeights must be [" + sh[0] + "] or [" + sh[0] + ", 1], got "
                    + (rowWeights == null ? "null" : java.util.Arrays.toString(rowWeights.shape())));
        }
        if (gradOut != null && (gradOut.rank() != 2 || gradOut.size(0) != sh[0] || gradOut.size(1) != sh[1])) {
            throw new IllegalArgumentException("gradOut must be " + java.util.Arrays.toString(sh) + ", got "
                    + java.util.Arrays.toString(gradOut.shape()));
        }
        DataType dt = logits.dataType();
        if (targets.dataType() != dt || rowWeights.dataType() != dt || (gradOut != null && gradOut.dataType() != dt)) {
            throw new IllegalArgumentException("logits, targets, rowWeights and gradOut must share one data type, got "
                    + dt + ", " + targets.dataType() + ", " + rowWeights.dataType()
                    + (gradOut == null ? "" : ", " + gradOut.dataType()));
        }
        HostArrays.requirePositive(tau, "tau");
        boolean zc = HostArrays.hostReady(logits, DataType.FLOAT);
        boolean gc = gradOut != null && HostArrays.hostReady(gradOut, DataType.FLOAT);
        boolean fast = (zc || columnMajor(logits)) && (gradOut == null || gc || columnMajor(gradOut))
                && HostArrays.hostReady(targets, DataType.FLOAT) && HostArrays.hostReady(rowWeights, DataType.FLOAT);
        if (!fast) {
            return nd4j(logits, targets, rowWeights, tau, gradOut);
        }
        int rows = Math.toIntExact(sh[0]);
        k = Math.toIntExact(sh[1]);
        rowsTotal = rows;
        zColMajor = !zc;
        gColMajor = gradOut != null && !gc;
        for (int w = 0; w < zRows.length; w++) {
            if (tRow[w].length < k) {
                for (int j = 0; j < BLOCK; j++) {
                    zRows[w][j] = new float[k];
                }
                tRow[w] = new float[k];
            }
        }
        if (rowLoss.length < rows) {
            rowLoss = new double[rows];
        }
        invTau = 1.0 / tau;
        zBuf = HostArrays.floats(logits);
        zBase = HostArrays.base(logits);
        tBuf = HostArrays.floats(targets);
        tBase = HostArrays.base(targets);
        wBuf = HostArrays.floats(rowWeights);
        wBase = HostArrays.base(rowWeights);
        gBuf = gradOut == null ? null : HostArrays.floats(gradOut);
        gBase = gradOut == null ? 0 : HostArrays.base(gradOut);
        try {
            pool.forEach(rows, Math.max(1, 16384 / k), rowsTask);
        } finally {
            zBuf = tBuf = wBuf = gBuf = null;
        }
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            sum += rowLoss[r];
        }
        return sum;
    }

    /**
     * Whether a Java kernel can use {@code a} as a dense column-major matrix: host kernels on, FLOAT, strides
     * {@code [1, rows]}, int-addressable.
     */
    static boolean columnMajor(INDArray a) {
        return HostArrays.hostKernels() && a.dataType() == DataType.FLOAT && a.rank() == 2 && a.stride(0) == 1
                && a.stride(1) == a.size(0) && a.offset() + a.length() <= Integer.MAX_VALUE;
    }

    /** Rows [from, to) in blocks: gather the logit rows, compute loss and gradient rows, scatter the gradient. */
    private void rows(int worker, int from, int to) {
        float[][] xs = zRows[worker];
        float[] col = column[worker];
        int kk = k;
        for (int r0 = from; r0 < to; r0 += BLOCK) {
            int nb = Math.min(BLOCK, to - r0);
            if (zColMajor) {
                for (int i = 0; i < kk; i++) {
                    zBuf.get(zBase + i * rowsTotal + r0, col, 0, nb);
                    for (int j = 0; j < nb; j++) {
                        xs[j][i] = col[j];
                    }
                }
            } else {
                for (int j = 0; j < nb; j++) {
                    zBuf.get(zBase + (r0 + j) * kk, xs[j], 0, kk);
                }
            }
            for (int j = 0; j < nb; j++) {
                row(worker, r0 + j, xs[j]);
            }
            if (gBuf == null) {
                continue;
            }
            if (gColMajor) {
                for (int i = 0; i < kk; i++) {
                    for (int j = 0; j < nb; j++) {
                        col[j] = xs[j][i];
                    }
                    gBuf.put(gBase + i * rowsTotal + r0, col, 0, nb);
                }
            } else {
                for (int j = 0; j < nb; j++) {
                    gBuf.put(gBase + (r0 + j) * kk, xs[j], 0, kk);
                }
            }
        }
    }

    /** One row: loss_r into {@link #rowLoss}; with a gradient wanted, x becomes the gradient row. */
    private void row(int worker, int r, float[] x) {
        float[] t = tRow[worker];
        double[] acc = sums[worker];
        int kk = k;
        tBuf.get(tBase + r * kk, t, 0, kk);
        double w = wBuf.get(wBase + r);
        double n = 0;
        for (int i = 0; i < kk; i++) {
            n += t[i];
        }
        float max;
        double sum;
        double dot;
        if (simd) {
            max = SimdLoss.max(x, kk);
            SimdLoss.expSumDot(x, kk, max, invTau, t, 0, -1, acc);
            sum = acc[0];
            dot = acc[1];
        } else {
            max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < kk; i++) {
                if (x[i] > max) {
                    max = x[i];
                }
            }
            sum = 0;
            dot = 0;
            for (int i = 0; i < kk; i++) {
                double e = FastExp.exp(((double) x[i] - max) * invTau);
                sum += e;
                dot += t[i] * (double) x[i];
                x[i] = (float) e;
            }
        }
        double lse = max * invTau + Math.log(sum);
        rowLoss[r] = w * (n * lse - dot * invTau);
        if (gBuf != null) {
            double a = w * invTau * n / sum;
            double g = w * invTau;
            if (simd) {
                SimdLoss.gradRow(x, kk, a, g, t, 0, -1);
            } else {
                for (int i = 0; i < kk; i++) {
                    x[i] = (float) (a * x[i] - g * t[i]);
                }
            }
        }
    }

    /** The same formula with ND4J ops (any type, layout or backend); allocates. */
    private static double nd4j(INDArray logits, INDArray targets, INDArray rowWeights, double tau, INDArray gradOut) {
        long rows = logits.size(0);
        INDArray w = rowWeights.reshape(rows, 1);
        INDArray s = logits.div(tau);
        s.subiColumnVector(s.max(true, 1));
        INDArray lse = Transforms.log(Transforms.exp(s, true).sum(true, 1), false);
        INDArray logp = s.subiColumnVector(lse);
        INDArray n = targets.sum(true, 1);
        double loss = -targets.mul(logp).sum(true, 1).muli(w).sumNumber().doubleValue();
        if (gradOut != null) {
            gradOut.assign(Transforms.exp(logp, false).muliColumnVector(n).subi(targets).muliColumnVector(w).divi(tau));
        }
        return loss;
    }

    /** Stops the worker threads if this kernel created them. */
    @Override
    public void close() {
        if (ownsPool) {
            pool.close();
        }
    }
}

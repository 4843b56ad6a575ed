package org.dino4j.core.loss;

import java.nio.FloatBuffer;
import org.dino4j.core.util.FastExp;
import org.dino4j.core.util.HostArrays;
import org.dino4j.core.util.Parallel;
import org.dino4j.core.util.Simd;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The DINO loss (Caron et al. 2021, eq. 1–3) and its analytic gradient dL/dz_s as a multi-threaded CPU kernel.
 *
 * <p>Inputs: student logits {@code z_s [(2+N)·B, K]} (view-major), teacher logits {@code z_t [2B, K]}, center
 * {@code c [1, K]}, temperatures τ_s, τ_t. The teacher is never differentiated (stop-gradient).
 *
 * <p><b>Cost grows with crops, not pairs.</b> The P = 2(N+1) pairs are regrouped per student view j:
 * {@code q_j = Σ_{i global, i≠j} p_t[i]} with {@code n_j = Σ_k q_j[k]} teacher views (1 for a global view,
 * 2 for a local one). With {@code s = z_s/τ_s}, {@code lse = max(s) + log Σ exp(s − max)}, per student row
 * <pre>
 *   loss_row = −Σ_k q_k·s_k + n_j·lse,     L = Σ_rows loss_row / (P·B),
 *   dL/dz_s  = (n_j·softmax(s) − q) / (P·B·τ_s).
 * </pre>
 * Passes: one over the teacher rows (softmax into a reusable buffer), then per student row a max pass, one
 * {@code exp} pass (sum, target dot product, exponentials kept) and one gradient write pass. With
 * {@link Simd#enabled()} (JVM started with {@code --add-modules jdk.incubator.vector}) every pass runs on vector
 * lanes in double precision with the JDK's vector {@code exp} (4–7× faster per row than the scalar pass in a
 * probe); otherwise scalar loops with {@link FastExp#exp} (relative error &lt; 1e-8). The two paths agree to
 * ~1e-7 relative (different exponential approximations), each is deterministic.
 *
 * <p><b>Threads and determinism.</b> Rows are split across {@link Parallel} workers; each row is computed by one
 * thread in a fixed order and the per-row partial losses are summed in row order afterwards, so the result is
 * bit-identical for every thread count.
 *
 * <p><b>Memory.</b> Scratch (teacher probabilities {@code 2B·K} floats, one row per worker, per-row losses) is
 * sized at construction or grown once when a larger input arrives; a call then allocates only a few small
 * wrapper objects (NIO buffer views), nothing proportional to B or K.
 *
 * <p><b>Backends and types.</b> The Java kernel runs when {@link HostArrays#hostKernels()} is true and all arrays
 * are FLOAT and 'c'-contiguous; otherwise (DOUBLE inputs, 'f'/strided views, the CUDA backend) the same formula
 * is evaluated with ND4J ops (allocating). {@code gradOut} may be the student array itself (in-place).
 *
 * <p>Not thread-safe: one call at a time per instance.
 */
public final class FusedDinoLoss implements AutoCloseable {

    private final Parallel pool;
    private final boolean ownsPool;
    private final Parallel.RangeTask teacherTask = this::teacherRows;
    private final Parallel.RangeTask studentTask = this::studentRows;

    private float[] probs = new float[0];
    private float[] centerRow = new float[0];
    private float[][] rowScratch;
    /** Per worker: the two sums of {@link Simd#expSumDot}. */
    private final double[][] sums;
    /** Whether the row passes run on {@link Simd} (else the scalar loops with {@link FastExp}). */
    private final boolean simd;
    private double[] rowLoss = new double[0];

    // State of the current call (read by the range tasks).
    private FloatBuffer sBuf;
    private FloatBuffer tBuf;
    private FloatBuffer gBuf;
    private int sBase;
    private int tBase;
    private int gBase;
    private int batch;
    private int k;
    private double invTauS;
    private double invTauT;
    private double gradScale;
    private boolean withGrad;

    /**
     * A kernel with its own pool of {@code threads} threads; scratch grows on first use.
     *
     * @param threads number of threads (caller included), {@code >= 1}
     */
    public FusedDinoLoss(int threads) {
        this(new Parallel(threads), true, 0, 0, 0);
    }

    /**
     * A kernel with its own pool and scratch pre-sized for {@code B}, {@code N} local crops and {@code K}.
     *
     * @param batch     B, images per batch ({@code >= 1})
     * @param numLocal  N, local crops ({@code >= 0})
     * @param k         K, logit columns ({@code >= 2})
     * @param threads   number of threads (caller included), {@code >= 1}
     */
    public FusedDinoLoss(int batch, int numLocal, int k, int threads) {
        this(new Parallel(threads), true, batch, numLocal, k);
        if (batch < 1 || numLocal < 0 || k < 2) {
            throw new IllegalArgumentException("need batch >= 1, numLocal >= 0, k >= 2; got batch=" + batch
                    + ", numLocal=" + numLocal + ", k=" + k);
        }
    }

    /**
     * A kernel sharing an existing pool (not closed by {@link #close()}).
     *
     * @param pool the worker pool
     */
    public FusedDinoLoss(Parallel pool) {
        this(pool, false, 0, 0, 0);
    }

    private FusedDinoLoss(Parallel pool, boolean ownsPool, int batch, int numLocal, int k) {
        this.pool = pool;
        this.ownsPool = ownsPool;
        this.rowScratch = new float[pool.threads()][0];
        this.sums = new double[pool.threads()][2];
        this.simd = Simd.enabled();
        if (batch > 0 && k > 0) {
            ensureCapacity(batch, k, 2 + numLocal);
        }
    }

    /**
     * Loss and gradient.
     *
     * @param student student logits {@code [(2+N)B, K]}
     * @param teacher teacher logits {@code [2B, K]}
     * @param center  center {@code [1, K]}
     * @param tauS    student temperature τ_s (> 0; DINO: 0.1)
     * @param tauT    teacher temperature τ_t (> 0; DINO: 0.04 warming up to 0.04–0.07)
     * @param gradOut receives dL/dz_s, shape of {@code student}; may be {@code student} itself
     * @return the loss L
     * @throws IllegalArgumentException on bad shapes or temperatures (message names the argument)
     */
    public double lossAndGradient(INDArray student, INDArray teacher, INDArray center, double tauS, double tauT,
                                  INDArray gradOut) {
        LossShapes sh = validate(student, teacher, center, tauS, tauT);
        LossShapes.requireSameShape(gradOut, student, "gradOut", "student logits");
        if (fast(student, teacher, center) && HostArrays.hostReady(gradOut, DataType.FLOAT)) {
            return run(sh, student, teacher, center, tauS, tauT, gradOut);
        }
        return nd4j(sh, student, teacher, center, tauS, tauT, gradOut);
    }

    /**
     * Forward only: the loss L, no gradient.
     *
     * @see #lossAndGradient(INDArray, INDArray, INDArray, double, double, INDArray)
     */
    public double loss(INDArray student, INDArray teacher, INDArray center, double tauS, double tauT) {
        LossShapes sh = validate(student, teacher, center, tauS, tauT);
        if (fast(student, teacher, center)) {
            return run(sh, student, teacher, center, tauS, tauT, null);
        }
        return nd4j(sh, student, teacher, center, tauS, tauT, null);
    }

    private static LossShapes validate(INDArray student, INDArray teacher, INDArray center, double tauS,
                                       double tauT) {
        HostArrays.requirePositive(tauS, "tauS (student temperature)");
        HostArrays.requirePositive(tauT, "tauT (teacher temperature)");
        return LossShapes.of(student, teacher, center);
    }

    private static boolean fast(INDArray student, INDArray teacher, INDArray center) {
        return HostArrays.hostReady(student, DataType.FLOAT) && HostArrays.hostReady(teacher, DataType.FLOAT)
                && HostArrays.hostReady(center, DataType.FLOAT);
    }

    private void ensureCapacity(int b, int kk, int views) {
        if (probs.length < 2 * b * kk) {
            probs = new float[2 * b * kk];
        }
        if (centerRow.length < kk) {
            centerRow = new float[kk];
        }
        for (int w = 0; w < rowScratch.length; w++) {
            if (rowScratch[w].length < kk) {
                rowScratch[w] = new float[kk];
            }
        }
        if (rowLoss.length < views * b) {
            rowLoss = new double[views * b];
        }
    }

    private double run(LossShapes sh, INDArray student, INDArray teacher, INDArray center, double tauS,
                       double tauT, INDArray gradOut) {
        ensureCapacity(sh.batch(), sh.k(), sh.views());
        batch = sh.batch();
        k = sh.k();
        invTauS = 1.0 / tauS;
        invTauT = 1.0 / tauT;
        gradScale = 1.0 / ((double) sh.pairs() * sh.batch() * tauS);
        withGrad = gradOut != null;
        sBuf = HostArrays.floats(student);
        sBase = HostArrays.base(student);
        tBuf = HostArrays.floats(teacher);
        tBase = HostArrays.base(teacher);
        HostArrays.floats(center).get(HostArrays.base(center), centerRow, 0, k);
        if (withGrad) {
            gBuf = HostArrays.floats(gradOut);
            gBase = HostArrays.base(gradOut);
        }
        int rows = sh.views() * batch;
        int grain = Math.max(1, 16384 / k);
        try {
            pool.forEach(2 * batch, grain, teacherTask);
            pool.forEach(rows, grain, studentTask);
        } finally {
            sBuf = null;
            tBuf = null;
            gBuf = null;
        }
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            sum += rowLoss[r];
        }
        return sum / ((double) sh.pairs() * batch);
    }

    /** p_t = softmax((z_t − c)/τ_t), row by row into {@link #probs}. */
    private void teacherRows(int worker, int from, int to) {
        float[] x = rowScratch[worker];
        int kk = k;
        float[] c = centerRow;
        for (int r = from; r < to; r++) {
            tBuf.get(tBase + r * kk, x, 0, kk);
            TeacherSoftmax.row(x, c, invTauT, probs, r * kk, kk);
        }
    }

    /** Per student row: loss_row into {@link #rowLoss} and, if wanted, the gradient row. */
    private void studentRows(int worker, int from, int to) {
        float[] x = rowScratch[worker];
        float[] p = probs;
        int kk = k;
        int b = batch;
        for (int r = from; r < to; r++) {
            int view = r / b;
            int img = r - view * b;
            int qa;
            int qb;
            if (view == 0) {
                qa = (b + img) * kk;
                qb = -1;
            } else if (view == 1) {
                qa = img * kk;
                qb = -1;
            } else {
                qa = img * kk;
                qb = (b + img) * kk;
            }
            int n = qb < 0 ? 1 : 2;
            sBuf.get(sBase + r * kk, x, 0, kk);
            if (simd) {
                simdRow(x, r, n, qa, qb, kk, sums[worker]);
                continue;
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < kk; i++) {
                if (x[i] > max) {
                    max = x[i];
                }
            }
            double sum = 0;
            double dot = 0;
            if (qb < 0) {
                for (int i = 0; i < kk; i++) {
                    double e = FastExp.exp(((double) x[i] - max) * invTauS);
                    sum += e;
                    dot += p[qa + i] * x[i];
                    x[i] = (float) e;
                }
            } else {
                for (int i = 0; i < kk; i++) {
                    double e = FastExp.exp(((double) x[i] - max) * invTauS);
                    sum += e;
                    dot += (p[qa + i] + p[qb + i]) * x[i];
                    x[i] = (float) e;
                }
            }
            double lse = max * invTauS + Math.log(sum);
            rowLoss[r] = -dot * invTauS + n * lse;
            if (withGrad) {
                double a = n * gradScale / sum;
                double g = gradScale;
                if (qb < 0) {
                    for (int i = 0; i < kk; i++) {
                        x[i] = (float) (a * x[i] - g * p[qa + i]);
                    }
                } else {
                    for (int i = 0; i < kk; i++) {
                        x[i] = (float) (a * x[i] - g * (p[qa + i] + p[qb + i]));
                    }
                }
                gBuf.put(gBase + r * kk, x, 0, kk);
            }
        }
    }

    /** {@link #studentRows}' body on the SIMD kernels ({@link Simd}): same passes, vector lanes. */
    private void simdRow(float[] x, int r, int n, int qa, int qb, int kk, double[] acc) {
        float max = Simd.max(x, kk);
        Simd.expSumDot(x, kk, max, invTauS, probs, qa, qb, acc);
        double sum = acc[0];
        double lse = max * invTauS + Math.log(sum);
        rowLoss[r] = -acc[1] * invTauS + n * lse;
        if (withGrad) {
            Simd.gradRow(x, kk, n * gradScale / sum, gradScale, probs, qa, qb);
            gBuf.put(gBase + r * kk, x, 0, kk);
        }
    }

    /** The same formula with ND4J ops (any data type, any backend, strided inputs); allocates. */
    static double nd4j(LossShapes sh, INDArray student, INDArray teacher, INDArray center, double tauS,
                       double tauT, INDArray gradOut) {
        int b = sh.batch();
        int views = sh.views();
        DataType dt = student.dataType();
        INDArray pt = teacher.castTo(dt).subRowVector(center.castTo(dt)).divi(tauT);
        pt = Transforms.softmax(pt, false);
        INDArray q = Nd4j.create(dt, (long) views * b, sh.k());
        INDArray n = Nd4j.create(dt, (long) views * b, 1);
        INDArray pt0 = pt.get(NDArrayIndex.interval(0, b), NDArrayIndex.all());
        INDArray pt1 = pt.get(NDArrayIndex.interval(b, 2 * b), NDArrayIndex.all());
        q.get(NDArrayIndex.interval(0, b), NDArrayIndex.all()).assign(pt1);
        q.get(NDArrayIndex.interval(b, 2 * b), NDArrayIndex.all()).assign(pt0);
        n.get(NDArrayIndex.interval(0, 2 * b), NDArrayIndex.all()).assign(1);
        if (views > 2) {
            INDArray sumPt = pt0.add(pt1);
            for (int v = 2; v < views; v++) {
                q.get(NDArrayIndex.interval((long) v * b, (long) (v + 1) * b), NDArrayIndex.all()).assign(sumPt);
            }
            n.get(NDArrayIndex.interval(2L * b, (long) views * b), NDArrayIndex.all()).assign(2);
        }
        INDArray s = student.div(tauS);
        s.subiColumnVector(s.max(true, 1));
        INDArray lse = Transforms.log(Transforms.exp(s, true).sum(true, 1), false);
        INDArray logp = s.subiColumnVector(lse);
        double norm = (double) sh.pairs() * b;
        double loss = -q.mul(logp).sumNumber().doubleValue() / norm;
        if (gradOut != null) {
            INDArray g = Transforms.exp(logp, false).muliColumnVector(n).subi(q).muli(1.0 / (norm * tauS));
            gradOut.assign(g);
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

package org.dino4j.core.loss;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.dino4j.core.util.HostArrays;
import org.dino4j.core.util.Parallel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The teacher half of the DINO loss (Caron et al. 2021, eq. 1–3), one of {@link DinoLoss}'s two kernels.
 *
 * <p>From teacher logits {@code z_t [2B, K]}, center {@code c [1, K]} and τ_t it writes
 * <ul>
 *   <li>{@code p_t = softmax((z_t − c)/τ_t)} into {@code probsOut [2B, K]} (the graph's
 *       {@code "teacher_probs"});</li>
 *   <li>the regrouped, row-normalised targets {@code T [(2+N)B, K]}: for student view j,
 *       {@code T[j,b] = q_j[b]/n_j} with {@code q_j = Σ_{i global, i≠j} p_t[i]} and n_j its number of teacher
 *       views (view 0 → p_t[1], view 1 → p_t[0], local views → (p_t[0] + p_t[1])/2);</li>
 * </ul>
 * so that, with the per-view weights {@code w_j = n_j/(P·B)} ({@link #viewWeight}),
 * {@code L = Σ_j Σ_b w_j · CE(T[j,b,:], softmax(z_s[j,b,:]/τ_s))} equals the DINO loss. Because T enters the
 * graph as data (a placeholder), no gradient can reach the teacher.
 *
 * <p>Monitoring statistics of the same call (natural log): {@link #meanEntropy()} = mean over the 2B rows of
 * H(p_t), and {@link #batchMeanEntropy()} = H(p̄_t) of the batch-mean teacher distribution. DINO's collapse
 * analysis (paper §5.3) watches exactly these two: sharpening drives H(p_t) to 0, centering keeps H(p̄_t) high.
 *
 * <p>Threads, determinism and memory as in the student kernel ({@link SoftTargetCrossEntropy}): rows (or column blocks) split across workers,
 * reductions in fixed order, scratch grown once. FLOAT 'c'-contiguous arrays on the CPU backend use the Java
 * kernel; anything else falls back to ND4J ops. Not thread-safe.
 */
final class TeacherTargets implements AutoCloseable {

    private final Parallel pool;
    private final boolean ownsPool;
    private final Parallel.RangeTask teacherTask = this::teacherRows;
    private final Parallel.RangeTask targetTask = this::targetRows;
    private final Parallel.RangeTask columnTask = this::columns;

    private float[] probs = new float[0];
    private float[] centerRow = new float[0];
    private float[][] rowScratch;
    private double[] rowEntropy = new double[0];
    private double[] colTerm = new double[0];

    private FloatBuffer tBuf;
    private FloatBuffer pBuf;
    private FloatBuffer qBuf;
    private int tBase;
    private int pBase;
    private int qBase;
    private int batch;
    private int k;
    private double invTauT;

    private double meanEntropy = Double.NaN;
    private double batchMeanEntropy = Double.NaN;

    /** @param threads number of threads (caller included), {@code >= 1} */
    public TeacherTargets(int threads) {
        this(new Parallel(threads), true);
    }

    /** @param pool a shared worker pool (not closed by {@link #close()}) */
    public TeacherTargets(Parallel pool) {
        this(pool, false);
    }

    private TeacherTargets(Parallel pool, boolean ownsPool) {
        this.pool = pool;
        this.ownsPool = ownsPool;
        this.rowScratch = new float[pool.threads()][0];
    }

    /**
     * The weight of student view j in {@code L = Σ_j Σ_b w_j · CE(T[j,b], ·)}: {@code n_j/(P·B)} with
     * P = 2(N+1).
     *
     * @param view     j in {@code [0, 2+N)}
     * @param numLocal N, {@code >= 0}
     * @param batch    B, {@code >= 1}
     */
    public static double viewWeight(int view, int numLocal, int batch) {
        if (numLocal < 0 || batch < 1 || view < 0 || view >= 2 + numLocal) {
            throw new IllegalArgumentException("need numLocal >= 0, batch >= 1, 0 <= view < 2+numLocal; got view="
                    + view + ", numLocal=" + numLocal + ", batch=" + batch);
        }
        return LossShapes.teacherViewsFor(view) / (2.0 * (numLocal + 1) * batch);
    }

    /**
     * Writes the per-row weights {@code w_row = w_{row / B}} into {@code out} ({@code (2+N)B} elements, e.g.
     * {@code [(2+N)B]} or {@code [(2+N)B, 1]}).
     */
    public static void rowWeights(int numLocal, int batch, INDArray out) {
        long rows = (long) (2 + numLocal) * batch;
        if (out == null || out.length() != rows) {
            throw new IllegalArgumentException("row weights need " + rows + " elements ((2+numLocal)·batch), got "
                    + (out == null ? "null" : Arrays.toString(out.shape())));
        }
        INDArray flat = out.reshape(rows);
        for (int v = 0; v < 2 + numLocal; v++) {
            flat.get(NDArrayIndex.interval((long) v * batch, (long) (v + 1) * batch))
                    .assign(viewWeight(v, numLocal, batch));
        }
        if (flat != out && !flat.isView()) {
            out.assign(flat.reshape(out.shape()));
        }
    }

    /**
     * Computes p_t, the targets and the entropy statistics.
     *
     * @param teacher    teacher logits {@code [2B, K]}
     * @param center     center {@code [1, K]}
     * @param tauT       teacher temperature, {@code > 0}
     * @param numLocal   N, number of local crops, {@code >= 0}
     * @param probsOut   receives p_t {@code [2B, K]}
     * @param targetsOut receives T {@code [(2+N)B, K]} (rows sum to 1)
     * @throws IllegalArgumentException on bad shapes or τ_t (message names the argument)
     */
    public void compute(INDArray teacher, INDArray center, double tauT, int numLocal, INDArray probsOut,
                        INDArray targetsOut) {
        HostArrays.requirePositive(tauT, "tauT (teacher temperature)");
        if (numLocal < 0) {
            throw new IllegalArgumentException("numLocal must be >= 0, got " + numLocal);
        }
        HostArrays.requireMatrix(targetsOut, "targetsOut");
        LossShapes sh = LossShapes.of(targetsOut, "targetsOut", teacher, center);
        if (sh.views() != 2 + numLocal) {
            throw new IllegalArgumentException("targetsOut must have (2+numLocal)·B = " + (2 + numLocal) * sh.batch()
                    + " rows, got " + targetsOut.size(0));
        }
        LossShapes.requireSameShape(probsOut, teacher, "probsOut", "teacher logits");
        DataType f = DataType.FLOAT;
        if (HostArrays.hostReady(teacher, f) && HostArrays.hostReady(center, f) && HostArrays.hostReady(probsOut, f)
                && HostArrays.hostReady(targetsOut, f)) {
            run(sh, teacher, center, tauT, probsOut, targetsOut);
        } else {
            nd4j(sh, teacher, center, tauT, probsOut, targetsOut);
        }
    }

    /** @return mean over the 2B teacher rows of H(p_t) = −Σ_k p log p (nats), from the last {@link #compute} */
    public double meanEntropy() {
        return meanEntropy;
    }

    /** @return H(p̄_t), the entropy (nats) of the mean of the 2B rows of p_t, from the last {@link #compute} */
    public double batchMeanEntropy() {
        return batchMeanEntropy;
    }

    private void run(LossShapes sh, INDArray teacher, INDArray center, double tauT, INDArray probsOut,
                     INDArray targetsOut) {
        batch = sh.batch();
        k = sh.k();
        int rowsT = 2 * batch;
        if (probs.length < rowsT * k) {
            probs = new float[rowsT * k];
        }
        if (centerRow.length < k) {
            centerRow = new float[k];
        }
        for (int w = 0; w < rowScratch.length; w++) {
            if (rowScratch[w].length < k) {
                rowScratch[w] = new float[k];
            }
        }
        if (rowEntropy.length < rowsT) {
            rowEntropy = new double[rowsT];
        }
        if (colTerm.length < k) {
            colTerm = new double[k];
        }
        invTauT = 1.0 / tauT;
        tBuf = HostArrays.floats(teacher);
        tBase = HostArrays.base(teacher);
        pBuf = HostArrays.floats(probsOut);
        pBase = HostArrays.base(probsOut);
        qBuf = HostArrays.floats(targetsOut);
        qBase = HostArrays.base(targetsOut);
        HostArrays.floats(center).get(HostArrays.base(center), centerRow, 0, k);
        int grain = Math.max(1, 16384 / k);
        try {
            pool.forEach(rowsT, grain, teacherTask);
            pool.forEach(sh.views() * batch, grain, targetTask);
            pool.forEach(k, Math.max(1, 16384 / rowsT), columnTask);
        } finally {
            tBuf = null;
            pBuf = null;
            qBuf = null;
        }
        double h = 0;
        for (int r = 0; r < rowsT; r++) {
            h += rowEntropy[r];
        }
        meanEntropy = h / rowsT;
        double hm = 0;
        for (int i = 0; i < k; i++) {
            hm += colTerm[i];
        }
        batchMeanEntropy = hm;
    }

    private void teacherRows(int worker, int from, int to) {
        float[] x = rowScratch[worker];
        float[] c = centerRow;
        int kk = k;
        for (int r = from; r < to; r++) {
            tBuf.get(tBase + r * kk, x, 0, kk);
            int o = r * kk;
            rowEntropy[r] = TeacherSoftmax.row(x, c, invTauT, probs, o, kk);
            pBuf.put(pBase + o, probs, o, kk);
        }
    }

    private void targetRows(int worker, int from, int to) {
        float[] x = rowScratch[worker];
        float[] p = probs;
        int kk = k;
        int b = batch;
        for (int r = from; r < to; r++) {
            int view = r / b;
            int img = r - view * b;
            if (view == 0) {
                qBuf.put(qBase + r * kk, p, (b + img) * kk, kk);
            } else if (view == 1) {
                qBuf.put(qBase + r * kk, p, img * kk, kk);
            } else {
                int a = img * kk;
                int c = (b + img) * kk;
                for (int i = 0; i < kk; i++) {
                    x[i] = 0.5f * (p[a + i] + p[c + i]);
                }
                qBuf.put(qBase + r * kk, x, 0, kk);
            }
        }
    }

    /** Column block [from, to): p̄_k in row order, then the entropy term −p̄ log p̄ per column. */
    private void columns(int worker, int from, int to) {
        double[] acc = colTerm;
        Arrays.fill(acc, from, to, 0.0);
        float[] p = probs;
        int kk = k;
        int rowsT = 2 * batch;
        for (int r = 0; r < rowsT; r++) {
            int o = r * kk;
            for (int i = from; i < to; i++) {
                acc[i] += p[o + i];
            }
        }
        for (int i = from; i < to; i++) {
            double m = acc[i] / rowsT;
            acc[i] = m > 0 ? -m * Math.log(m) : 0.0;
        }
    }

    /** ND4J-op fallback (any data type / backend); allocates. */
    private void nd4j(LossShapes sh, INDArray teacher, INDArray center, double tauT, INDArray probsOut,
                      INDArray targetsOut) {
        int b = sh.batch();
        DataType dt = teacher.dataType().isFPType() ? teacher.dataType() : DataType.FLOAT;
        INDArray t = teacher.castTo(dt).subRowVector(center.castTo(dt)).divi(tauT);
        INDArray logp = t.subColumnVector(t.max(true, 1));
        logp.subiColumnVector(Transforms.log(Transforms.exp(logp, true).sum(true, 1), false));
        INDArray p = Transforms.exp(logp, true);
        probsOut.assign(p);
        INDArray p0 = p.get(NDArrayIndex.interval(0, b), NDArrayIndex.all());
        INDArray p1 = p.get(NDArrayIndex.interval(b, 2 * b), NDArrayIndex.all());
        targetsOut.get(NDArrayIndex.interval(0, b), NDArrayIndex.all()).assign(p1);
        targetsOut.get(NDArrayIndex.interval(b, 2 * b), NDArrayIndex.all()).assign(p0);
        if (sh.views() > 2) {
            INDArray mean = p0.add(p1).muli(0.5);
            for (int v = 2; v < sh.views(); v++) {
                targetsOut.get(NDArrayIndex.interval((long) v * b, (long) (v + 1) * b), NDArrayIndex.all())
                        .assign(mean);
            }
        }
        meanEntropy = -p.mul(logp).sumNumber().doubleValue() / (2.0 * b);
        INDArray pm = p.mean(true, 0);
        INDArray terms = pm.mul(Transforms.log(pm, true));
        BooleanIndexing.replaceWhere(terms, 0.0, Conditions.isNan()); // 0·log 0 = 0 where p̄ underflowed
        batchMeanEntropy = -terms.sumNumber().doubleValue();
    }

    /** Stops the worker threads if this instance created them. */
    @Override
    public void close() {
        if (ownsPool) {
            pool.close();
        }
    }
}

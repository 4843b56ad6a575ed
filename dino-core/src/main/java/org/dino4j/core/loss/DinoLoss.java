package org.dino4j.core.loss;

import java.util.Arrays;
import org.dino4j.core.util.HostArrays;
import org.dino4j.core.util.Parallel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The DINO loss (Caron et al. 2021, Eq. 1–4; {@code DINOLoss} of the official {@code main_dino.py}): it owns the
 * student temperature τ_s, the current teacher temperature τ_t (set from its schedule before each step) and the
 * center c, and computes, from teacher logits {@code z_t [2B, K]} and student logits {@code z_s [(2+N)B, K]}
 * (view-major: rows {@code [vB, (v+1)B)} are view v; views 0, 1 global, 2… local),
 * <pre>
 *   p_t = softmax((z_t − c)/τ_t)                                       (centering, sharpening; no gradient)
 *   L   = (1/P) Σ_{i ∈ {0,1}} Σ_{j ≠ i} (1/B) Σ_b −Σ_k p_t[i,b,k] · log softmax(z_s[j,b]/τ_s)_k,   P = 2(N+1)
 * </pre>
 * and dL/dz_s. {@link #lossAndGradient} is the one call training needs; {@link #updateCenter} applies
 * {@code c ← m·c + (1−m)·mean(z_t)} after the step.
 *
 * <p>Cost grows with crops, not pairs: the pairs are regrouped per student view (view 0 is taught by p_t[1], view 1 by
 * p_t[0], a local view by (p_t[0] + p_t[1])/2 with twice the weight), and both halves run as multi-threaded Java kernels
 * on FLOAT 'c'-ordered arrays of the CPU backend (with the Vector API when the JVM has {@code jdk.incubator.vector}),
 * else as ND4J ops (any type, any backend). Results are bit-identical for every thread count. The teacher's targets
 * are data for the student's side: no gradient can reach z_t or c (stop-gradient).
 *
 * <p>{@link DinoLossGraph} is the same loss as a readable SameDiff graph (the reference the kernels are tested against).
 * Not thread-safe: one call at a time.
 */
public final class DinoLoss implements AutoCloseable {

    /**
     * @param outDim         K, the number of prototypes (logit columns), &gt;= 2
     * @param studentTemp    τ_s &gt; 0 (official 0.1)
     * @param centerMomentum m in [0, 1) of the center update (official 0.9)
     * @param threads        kernel threads, &gt;= 1 (the caller's thread included)
     */
    public record Options(int outDim, double studentTemp, double centerMomentum, int threads) {
        /** Validates every field (messages name the field). */
        public Options {
            if (outDim < 2) throw new IllegalArgumentException("outDim must be >= 2, got " + outDim);
            HostArrays.requirePositive(studentTemp, "studentTemp");
            if (!(centerMomentum >= 0 && centerMomentum < 1)) {
                throw new IllegalArgumentException("centerMomentum must be in [0, 1), got " + centerMomentum);
            }
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }

        /**
         * @param outDim K
         * @return DINO's values: τ_s 0.1, center momentum 0.9, 1 thread
         */
        public static Options dino(int outDim) {
            return new Options(outDim, 0.1, 0.9, 1);
        }

        /** @return these options with another thread count */
        public Options withThreads(int n) {
            return new Options(outDim, studentTemp, centerMomentum, n);
        }
    }

    /**
     * The teacher half of one call: targets {@code T [(2+N)B, K]} (row {@code j·B+b} is the regrouped, normalised p_t
     * that student view j of image b learns from) and the row weights {@code w [(2+N)B, 1]} such that
     * {@code L = Σ_r w_r · CE(T_r, softmax(z_s,r/τ_s))}. Owned by the loss: valid until its next call.
     */
    public record Targets(INDArray targets, INDArray rowWeights) {
    }

    private final Options options;
    private final Parallel pool;
    private final TeacherTargets teacher;
    private final SoftTargetCrossEntropy student;
    private final Center center;
    private double teacherTemp = Double.NaN;
    private INDArray probs;
    private INDArray targets;
    private INDArray rowWeights;

    /** @param options K, τ_s, the center momentum and the kernel threads */
    public DinoLoss(Options options) {
        this.options = options;
        this.pool = new Parallel(options.threads());
        this.teacher = new TeacherTargets(pool);
        this.student = new SoftTargetCrossEntropy(pool);
        this.center = new Center(options.outDim(), options.centerMomentum(), pool);
    }

    /** @return the options */
    public Options options() {
        return options;
    }

    /** @return τ_s */
    public double studentTemp() {
        return options.studentTemp();
    }

    /** @return the current τ_t (NaN until {@link #setTeacherTemp} was called) */
    public double teacherTemp() {
        return teacherTemp;
    }

    /**
     * @param tauT the teacher temperature of this step (its schedule's value), &gt; 0
     */
    public void setTeacherTemp(double tauT) {
        HostArrays.requirePositive(tauT, "teacherTemp (τ_t)");
        this.teacherTemp = tauT;
    }

    /** @return the live center {@code [1, K]} FLOAT (assign to restore it) */
    public INDArray center() {
        return center.center();
    }

    /**
     * The loss and its gradient with respect to the student logits.
     *
     * @param teacherLogits z_t {@code [2B, K]} (read only)
     * @param studentLogits z_s {@code [(2+N)B, K]}, global views first (read only)
     * @param gradOut       receives dL/dz_s, the shape of {@code studentLogits} (any layout), or null for the loss alone
     * @return L
     * @throws IllegalArgumentException on mismatched shapes or before {@link #setTeacherTemp}, naming the argument
     */
    public double lossAndGradient(INDArray teacherLogits, INDArray studentLogits, INDArray gradOut) {
        LossShapes sh = LossShapes.of(studentLogits, teacherLogits, center.center());
        Targets t = targets(teacherLogits, sh.views() - LossShapes.GLOBAL);
        return student.lossAndGradient(studentLogits, t.targets(), t.rowWeights(), options.studentTemp(), gradOut);
    }

    /**
     * The teacher half alone (for a student loss computed elsewhere, e.g. differentiated inside a SameDiff graph, or
     * for the entropy statistics): centering, sharpening, regrouping by student view.
     *
     * @param teacherLogits z_t {@code [2B, K]}
     * @param numLocal      N, local views per image
     * @return targets and row weights, owned by this loss
     */
    public Targets targets(INDArray teacherLogits, int numLocal) {
        if (Double.isNaN(teacherTemp)) {
            throw new IllegalStateException("setTeacherTemp must be called before the loss (τ_t follows its schedule)");
        }
        if (numLocal < 0) throw new IllegalArgumentException("numLocal must be >= 0, got " + numLocal);
        HostArrays.requireMatrix(teacherLogits, "teacher logits");
        long b = teacherLogits.size(0) / LossShapes.GLOBAL;
        long rows = (LossShapes.GLOBAL + numLocal) * b;
        DataType dt = teacherLogits.dataType().isFPType() ? teacherLogits.dataType() : DataType.FLOAT;
        long k = teacherLogits.size(1);
        if (targets == null || targets.size(0) != rows || targets.size(1) != k || targets.dataType() != dt) {
            probs = Nd4j.create(dt, 2 * b, k);
            targets = Nd4j.create(dt, rows, k);
            rowWeights = Nd4j.create(dt, rows, 1);
            TeacherTargets.rowWeights(numLocal, Math.toIntExact(b), rowWeights);
        }
        teacher.compute(teacherLogits, center.center(), teacherTemp, numLocal, probs, targets);
        return new Targets(targets, rowWeights);
    }

    /**
     * {@code c ← m·c + (1−m)·mean_rows(z_t)} in place (DINO updates the center after the step, from the same teacher
     * output the targets were computed from).
     *
     * @param teacherLogits z_t {@code [2B, K]}
     */
    public void updateCenter(INDArray teacherLogits) {
        center.update(teacherLogits);
    }

    /** @return mean over the teacher rows of H(p_t) (nats) of the last call: DINO's sharpening monitor */
    public double teacherEntropy() {
        return teacher.meanEntropy();
    }

    /** @return H(p̄_t) of the batch-mean teacher distribution (nats) of the last call: DINO's centering monitor */
    public double batchMeanTeacherEntropy() {
        return teacher.batchMeanEntropy();
    }

    /**
     * The row weights of the regrouped loss, {@code w_r = n_j/(P·B)} for the rows of student view j (n_j = 1 for a
     * global view, 2 for a local one, P = 2(N+1)): with them {@code Σ_r w_r · CE(T_r, ·)} is DINO's pair average.
     *
     * @param numLocal N &gt;= 0
     * @param batch    B &gt;= 1
     * @param dataType the array's type
     * @return {@code [(2+N)B, 1]}
     */
    public static INDArray rowWeights(int numLocal, int batch, DataType dataType) {
        INDArray w = Nd4j.create(dataType, (long) (LossShapes.GLOBAL + numLocal) * batch, 1);
        TeacherTargets.rowWeights(numLocal, batch, w);
        return w;
    }

    /** Stops the kernel threads. */
    @Override
    public void close() {
        pool.close();
    }
}

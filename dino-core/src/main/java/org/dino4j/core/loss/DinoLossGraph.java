package org.dino4j.core.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The readable SameDiff reference of the DINO loss (Caron et al. 2021, eq. 1–3; {@code DINOLoss.forward} in the
 * official {@code main_dino.py}). Edit this one when experimenting; {@link DinoLoss} computes the same loss with
 * multi-threaded kernels (tested against this graph and a float64 loop) and is what training calls.
 *
 * <pre>
 *   p_t      = stop_gradient( softmax((z_t − c)/τ_t) )          [G·B, K]   ("teacher_probs")
 *   log p_s  = log_softmax(z_s/τ_s)   (max-shifted, written out)  [(G+N)·B, K]
 *   L        = (1/P) Σ_{i<G} Σ_{j≠i} mean_b( −Σ_k p_t[i,b,k]·log p_s[j,b,k] ),  P = G·(G+N−1)  ("loss")
 * </pre>
 * Rows are view-major (view v in rows {@code [v·B, (v+1)·B)}), global views first; DINO uses G = 2.
 * The stop-gradient is {@code new StopGradient(sd, x)}: neither the teacher logits nor the center receive a
 * gradient, whatever their variable type.
 */
public final class DinoLossGraph {

    /** Student logits {@code [(G+N)·B, K]}. */
    public static final String STUDENT_LOGITS = "student_logits";
    /** Teacher logits {@code [G·B, K]}. */
    public static final String TEACHER_LOGITS = "teacher_logits";
    /** Center {@code [1, K]}. */
    public static final String CENTER = "center";
    /** Teacher probabilities p_t {@code [G·B, K]} (after the stop-gradient). */
    public static final String TEACHER_PROBS = "teacher_probs";
    /** The scalar loss. */
    public static final String LOSS = "loss";

    private DinoLossGraph() {
    }

    /**
     * Adds the loss to {@code sd} with temperatures as scalar constants.
     *
     * @see #addLoss(SameDiff, SDVariable, SDVariable, SDVariable, SDVariable, SDVariable, int, int, long)
     */
    public static SDVariable addLoss(SameDiff sd, SDVariable studentLogits, SDVariable teacherLogits,
                                     SDVariable center, double tauS, double tauT, int numGlobal, int numLocal,
                                     long k) {
        org.dino4j.core.util.HostArrays.requirePositive(tauS, "tauS (student temperature)");
        org.dino4j.core.util.HostArrays.requirePositive(tauT, "tauT (teacher temperature)");
        DataType dt = studentLogits.dataType();
        SDVariable ts = sd.constant(Nd4j.scalar(dt, tauS));
        SDVariable tt = sd.constant(Nd4j.scalar(dt, tauT));
        return addLoss(sd, studentLogits, teacherLogits, center, ts, tt, numGlobal, numLocal, k);
    }

    /**
     * Adds the DINO loss to {@code sd}; the output variables are named {@link #TEACHER_PROBS} and {@link #LOSS}.
     *
     * @param sd            the graph
     * @param studentLogits z_s {@code [(G+N)·B, K]}
     * @param teacherLogits z_t {@code [G·B, K]}
     * @param center        c {@code [1, K]}
     * @param tauS          τ_s, scalar (e.g. a placeholder, so a schedule needs no rebuild)
     * @param tauT          τ_t, scalar
     * @param numGlobal     G, global views ({@code >= 2}; DINO: 2)
     * @param numLocal      N, local views ({@code >= 0})
     * @param k             K, the number of logits (needed to split the views when B is dynamic)
     * @return the scalar loss variable
     */
    public static SDVariable addLoss(SameDiff sd, SDVariable studentLogits, SDVariable teacherLogits,
                                     SDVariable center, SDVariable tauS, SDVariable tauT, int numGlobal,
                                     int numLocal, long k) {
        if (numGlobal < 2) {
            throw new IllegalArgumentException("numGlobal must be >= 2, got " + numGlobal);
        }
        if (numLocal < 0) {
            throw new IllegalArgumentException("numLocal must be >= 0, got " + numLocal);
        }
        if (k < 2) {
            throw new IllegalArgumentException("k (number of logits) must be >= 2, got " + k);
        }
        int views = numGlobal + numLocal;

        // Teacher: centering, sharpening, and no gradient (the ".detach()" of main_dino.py).
        SDVariable teacherSoft = sd.nn.softmax(teacherLogits.sub(center).div(tauT));
        SDVariable teacherProbs = new StopGradient(sd, teacherSoft).outputVariable().rename(TEACHER_PROBS);

        // Student: log_softmax(z_s/τ_s) = s − max − log Σ exp(s − max), written out: M2.1's sd.nn.logSoftmax
        // returns −inf where softmax underflows in FLOAT (then 0·(−inf) = NaN against a zero teacher
        // probability), and sd.nn.logSoftmax(x, 1) is not differentiable. The max is a constant shift
        // (log_softmax is invariant to it), so it sits behind a stop-gradient.
        SDVariable s = studentLogits.div(tauS);
        SDVariable rowMax = new StopGradient(sd, s.max(true, 1)).outputVariable();
        SDVariable shifted = s.sub(rowMax);
        SDVariable logStudent = shifted.sub(sd.math.log(sd.math.exp(shifted).sum(true, 1)));

        // Split rows into views: [V, B, K] (B inferred).
        SDVariable t3 = sd.reshape(teacherProbs, numGlobal, -1, k);
        SDVariable s3 = sd.reshape(logStudent, views, -1, k);

        SDVariable[] teacherViews = sd.unstack(t3, 0, numGlobal);   // each [B, K]
        SDVariable[] studentViews = sd.unstack(s3, 0, views);       // each [B, K]

        SDVariable total = null;
        int pairs = 0;
        for (int i = 0; i < numGlobal; i++) {
            SDVariable q = teacherViews[i];
            for (int j = 0; j < views; j++) {
                if (j == i) {
                    continue; // skip the case where student and teacher see the same view
                }
                // cross-entropy −Σ_k q·log p_s per image, averaged over the batch
                SDVariable ce = q.mul(studentViews[j]).sum(1).neg().mean();
                total = total == null ? ce : total.add(ce);
                pairs++;
            }
        }
        return total.div(LOSS, pairs);
    }

    /**
     * A standalone graph over given values, for tests and benchmarks: the student logits are a VARIABLE (so
     * {@code sd.calculateGradients(null, STUDENT_LOGITS)} gives dL/dz_s), the teacher logits and center are
     * VARIABLEs when {@code teacherAsVariables} (to prove the stop-gradient) or CONSTANTs otherwise. Arrays are
     * copied; update them through {@code sd.getArrForVarName(name).assign(...)}. The loss variable is set.
     *
     * @param student  z_s {@code [(2+N)·B, K]}
     * @param teacher  z_t {@code [2B, K]}
     * @param center   c {@code [1, K]}
     * @param tauS     τ_s
     * @param tauT     τ_t
     * @param teacherAsVariables whether z_t and c are trainable VARIABLEs
     */
    public static SameDiff standalone(INDArray student, INDArray teacher, INDArray center, double tauS,
                                      double tauT, boolean teacherAsVariables) {
        LossShapes sh = LossShapes.of(student, teacher, center);
        SameDiff sd = SameDiff.create();
        SDVariable s = sd.var(STUDENT_LOGITS, student.dup('c'));
        SDVariable t = teacherAsVariables ? sd.var(TEACHER_LOGITS, teacher.dup('c'))
                : sd.constant(TEACHER_LOGITS, teacher.dup('c'));
        SDVariable c = teacherAsVariables ? sd.var(CENTER, center.dup('c'))
                : sd.constant(CENTER, center.dup('c'));
        SDVariable loss = addLoss(sd, s, t, c, tauS, tauT, LossShapes.GLOBAL, sh.views() - LossShapes.GLOBAL,
                sh.k());
        sd.setLossVariables(loss);
        return sd;
    }

    /**
     * A standalone forward graph with placeholders {@link #STUDENT_LOGITS} {@code [-1, K]},
     * {@link #TEACHER_LOGITS} {@code [-1, K]}, {@link #CENTER} {@code [1, K]} (any B, fixed N).
     */
    public static SameDiff placeholders(DataType dataType, int numLocal, long k, double tauS, double tauT) {
        SameDiff sd = SameDiff.create();
        SDVariable s = sd.placeHolder(STUDENT_LOGITS, dataType, -1, k);
        SDVariable t = sd.placeHolder(TEACHER_LOGITS, dataType, -1, k);
        SDVariable c = sd.placeHolder(CENTER, dataType, 1, k);
        SDVariable loss = addLoss(sd, s, t, c, tauS, tauT, LossShapes.GLOBAL, numLocal, k);
        sd.setLossVariables(loss);
        return sd;
    }
}

package org.dino4j.core.model;

import static org.dino4j.core.model.GraphNames.CENTER;
import static org.dino4j.core.model.GraphNames.GLOBAL_LOGITS;
import static org.dino4j.core.model.GraphNames.LOSS;
import static org.dino4j.core.model.GraphNames.REGROUP;
import static org.dino4j.core.model.GraphNames.ROW_WEIGHTS;
import static org.dino4j.core.model.GraphNames.TAU_S;
import static org.dino4j.core.model.GraphNames.TAU_T;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.dino4j.core.loss.DinoLoss;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The DINO loss WITHOUT stop-gradient (the ablation of Caron et al. 2021, §5.3): the teacher is the student network
 * itself; p_t = softmax((z_g − c)/τ_t) of its own global logits z_g is computed in its graph, regrouped as targets R·p_t
 * ({@link #regroupMatrix}, the regrouping {@link DinoLoss} uses), and L = Σ_r w_r·CE(target_r, softmax(z_r/τ_s)) is
 * differentiated through both the targets and the student softmax. Not thread-safe (as the model).
 */
public final class SelfDistillation {

    /**
     * One step's result.
     *
     * @param loss         L
     * @param globalLogits z_g {@code [2B, K]} (fresh; for the center update and the monitors)
     */
    public record Step(double loss, INDArray globalLogits) {
    }

    private final DinoModel model;
    private INDArray regroup;
    private INDArray weights;

    /** @param model the network that is its own teacher */
    public SelfDistillation(DinoModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /**
     * The regrouping matrix R {@code [(2+N)B, 2B]}: targets = R·p_t (row j·B+b of view j: view 0 → p_t of view 1, view 1
     * → p_t of view 0, local views → (p_t[0] + p_t[1])/2).
     *
     * @param numLocal N &gt;= 0
     * @param batch B &gt;= 1
     * @param dataType FLOAT or DOUBLE
     * @return R
     */
    public static INDArray regroupMatrix(int numLocal, int batch, DataType dataType) {
        return ModelChecks.regroupMatrix(numLocal, batch, dataType);
    }

    /**
     * One no-stop-gradient step with c, τ_t and τ_s of {@code loss}; writes dL/dθ into the model's
     * {@link DinoModel#gradients()}.
     *
     * @param globals {@code [2B, C, Hg, Wg]}
     * @param locals {@code [N·B, C, Hl, Wl]} or null
     * @param loss the DINO loss (its center and temperatures; τ_t set for this step)
     * @param stepRng seeded source of the backbone's step inputs, or null
     * @return the loss and z_g
     */
    public Step lossAndGradients(INDArray globals, INDArray locals, DinoLoss loss, Random stepRng) {
        DataType dt = model.dataType();
        int numLocal = ModelChecks.crops(globals, locals, model.backbone(), dt);
        if (!(loss.teacherTemp() > 0)) {
            throw new IllegalStateException("the loss's teacher temperature must be set (setTeacherTemp) before a step");
        }
        int batch = Math.toIntExact(globals.size(0) / 2);
        if (regroup == null || regroup.size(0) != (2L + numLocal) * batch || regroup.size(1) != 2L * batch) {
            regroup = regroupMatrix(numLocal, batch, dt);
            weights = DinoLoss.rowWeights(numLocal, batch, dt);
        }
        int k = model.headConfig().outDim();
        Map<String, INDArray> ph = model.feed(globals, locals, stepRng);
        ph.put(CENTER, loss.center().castTo(dt).reshape(1, k));
        ph.put(TAU_T, Nd4j.scalar(dt, loss.teacherTemp()));
        ph.put(REGROUP, regroup);
        ph.put(ROW_WEIGHTS, weights);
        ph.put(TAU_S, Nd4j.scalar(dt, loss.studentTemp()));
        Map<String, INDArray> out = model.runner().gradients(DinoGraphs.Variant.self(locals != null), ph,
                List.of(LOSS, GLOBAL_LOGITS));
        return new Step(out.get(LOSS).getDouble(0), out.get(GLOBAL_LOGITS).dup('c'));
    }
}

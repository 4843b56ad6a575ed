package org.dino4j.train;

import org.dino4j.core.loss.DinoLoss;
import org.dino4j.core.model.ParamInfo;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * What the training loop needs from a network (student or teacher): backbone + DINO head with all parameters in
 * one flat float buffer. Implemented over dino-core's {@code DinoModel} by {@link CoreNetwork}.
 */
public interface TrainableNetwork {
    /** All trainable parameters, one contiguous float buffer {@code [P]} or {@code [1, P]} (live). */
    INDArray params();

    /** The gradient of the last {@link #lossAndGradients} call, same layout as {@link #params()} (live). */
    INDArray gradients();

    /** The parameter tensors as ranges of the flat buffer, in order, covering it exactly (with weight decay flags). */
    List<ParamInfo> layout();

    /** K, the head's output dimension. */
    int outDim();

    /**
     * Student forward and backward on all crops with the DINO loss against the teacher's logits
     * ({@link DinoLoss#lossAndGradient}); {@link #gradients()} then holds dL/dθ.
     *
     * @param globals       global crops {@code [2B, C, Hg, Wg]} (view-major).
     * @param locals        local crops {@code [N·B, C, Hl, Wl]} or null when N = 0.
     * @param teacherLogits the teacher's logits of the global crops {@code [2B, K]} (data: no gradient reaches them).
     * @param loss          the DINO loss, τ_t set for this step.
     * @param stepRng       seeded source of the network's per-step inputs (e.g. drop path); null: their inference values.
     * @return the loss.
     */
    double lossAndGradients(INDArray globals, INDArray locals, INDArray teacherLogits, DinoLoss loss, Random stepRng);

    /** Loss and the network's own global logits {@code [2B, K]} of a no-stop-gradient step. */
    record SelfStep(double loss, INDArray globalLogits) {}

    /**
     * The DINO loss WITHOUT stop-gradient (ablation): the teacher is this network, p_t = softmax((z_global − c)/τ_t)
     * of its own global logits is computed in the graph (c, τ_t, τ_s of {@code loss}) and the gradient flows through
     * it too; {@link #gradients()} then holds dL/dθ. Default: unsupported.
     *
     * @param globals global crops {@code [2B, C, Hg, Wg]}.
     * @param locals  local crops {@code [N·B, C, Hl, Wl]} or null.
     * @param loss    the DINO loss (center and temperatures).
     * @param stepRng per-step input source (null: none).
     */
    default SelfStep selfDistillLossAndGradients(INDArray globals, INDArray locals, DinoLoss loss, Random stepRng) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no no-stop-gradient path");
    }

    /**
     * Head logits of the global crops {@code [2B, K]} (forward only; the teacher's call). The array may be the
     * network's own output buffer: valid until the next call on this network; copy it to keep it.
     */
    INDArray globalLogits(INDArray globals);

    /** Backbone features {@code [B, D]} of images {@code [B, C, H, W]} (forward only). */
    INDArray features(INDArray images);

    /** Writes the backbone alone as a SameDiff file (for downstream use). */
    void exportBackbone(Path file) throws IOException;

    /**
     * Drops memory planned for the shapes used so far (execution plans), e.g. the training shapes before the final
     * evaluation; later calls plan again. Default: nothing to drop.
     */
    default void releasePlans() {
    }
}

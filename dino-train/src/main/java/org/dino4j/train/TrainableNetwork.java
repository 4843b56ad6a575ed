package org.dino4j.train;

import org.dino4j.train.optim.ParamSegment;
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

    /** The parameter tensors as ranges of the flat buffer, in order, covering it exactly. */
    List<ParamSegment> layout();

    /** K, the head's output dimension. */
    int outDim();

    /**
     * Student forward and backward on all crops: {@code L = Σ_rows w_row · CE(targets row, softmax(z_s/τ_s))}.
     *
     * @param globals    global crops {@code [2B, C, Hg, Wg]} (view-major).
     * @param locals     local crops {@code [N·B, C, Hl, Wl]} or null when N = 0.
     * @param targets    teacher targets {@code [(2+N)B, K]} (data: no gradient reaches the teacher).
     * @param rowWeights per-row weights {@code [(2+N)B, 1]}.
     * @param tauS       student temperature τ_s.
     * @return the loss; {@link #gradients()} then holds dL/dθ.
     */
    double lossAndGradients(INDArray globals, INDArray locals, INDArray targets, INDArray rowWeights, double tauS);

    /**
     * As {@link #lossAndGradients(INDArray, INDArray, INDArray, INDArray, double)} in training mode: a network with
     * drop path draws its per-sample masks from {@code dropPathRng} (null: no drop). Default: ignores it.
     */
    default double lossAndGradients(INDArray globals, INDArray locals, INDArray targets, INDArray rowWeights, double tauS,
                                    Random dropPathRng) {
        return lossAndGradients(globals, locals, targets, rowWeights, tauS);
    }

    /** Loss and the network's own global logits {@code [2B, K]} of a no-stop-gradient step. */
    record SelfStep(double loss, INDArray globalLogits) {}

    /**
     * The DINO loss WITHOUT stop-gradient (ablation): the teacher is this network, p_t = softmax((z_global − c)/τ_t)
     * of its own global logits is computed in the graph and the gradient flows through it too; {@link #gradients()}
     * then holds dL/dθ. Default: unsupported.
     *
     * @param globals     global crops {@code [2B, C, Hg, Wg]}.
     * @param locals      local crops {@code [N·B, C, Hl, Wl]} or null.
     * @param center      c {@code [1, K]}.
     * @param tauT        τ_t.
     * @param tauS        τ_s.
     * @param dropPathRng drop-path source (null: none).
     */
    default SelfStep selfDistillLossAndGradients(INDArray globals, INDArray locals, INDArray center, double tauT, double tauS,
                                                 Random dropPathRng) {
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
}

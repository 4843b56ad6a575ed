package org.dino4j.core.model;

import static org.dino4j.core.model.GraphNames.CENTER;
import static org.dino4j.core.model.GraphNames.FEATURES;
import static org.dino4j.core.model.GraphNames.GLOBAL_CROPS;
import static org.dino4j.core.model.GraphNames.GLOBAL_EMBEDDING;
import static org.dino4j.core.model.GraphNames.GLOBAL_LOGITS;
import static org.dino4j.core.model.GraphNames.LOCAL_CROPS;
import static org.dino4j.core.model.GraphNames.LOSS;
import static org.dino4j.core.model.GraphNames.REGROUP;
import static org.dino4j.core.model.GraphNames.ROW_WEIGHTS;
import static org.dino4j.core.model.GraphNames.SELF_TEACHER_PROBS;
import static org.dino4j.core.model.GraphNames.STUDENT_LOGITS;
import static org.dino4j.core.model.GraphNames.STUDENT_LOGITS_GRAD;
import static org.dino4j.core.model.GraphNames.TARGETS;
import static org.dino4j.core.model.GraphNames.TAU_S;
import static org.dino4j.core.model.GraphNames.TAU_T;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dino4j.core.DinoRuntime;
import org.dino4j.core.exec.FusedOp;
import org.dino4j.core.exec.Fusions;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * The SameDiff graphs of a {@link DinoModel}: the definition a researcher reads and edits (placeholders, outputs and
 * losses named by {@link DinoModel}'s constants; Caron et al. 2021, Eq. 1–3), in the variants the model executes.
 */
final class DinoGraphs {

    /** Which graph. */
    enum Variant {
        /** Forward outputs and the in-graph cross-entropy, with the local-crop branch (the reference graph). */
        REFERENCE(true, false, false),
        /** As {@link #REFERENCE} without the local branch. */
        REFERENCE_GLOBAL(false, false, false),
        /** Fused training loss Σ z ⊙ dL/dz, with local crops. */
        FUSED(true, false, true),
        /** Fused training loss, global crops only. */
        FUSED_GLOBAL(false, false, true),
        /** No stop-gradient (ablation), with local crops. */
        SELF(true, true, false),
        /** No stop-gradient, global crops only. */
        SELF_GLOBAL(false, true, false);

        final boolean withLocal;
        final boolean selfTargets;
        final boolean fusedLoss;

        Variant(boolean withLocal, boolean selfTargets, boolean fusedLoss) {
            this.withLocal = withLocal;
            this.selfTargets = selfTargets;
            this.fusedLoss = fusedLoss;
        }

        static Variant fused(boolean withLocal) {
            return withLocal ? FUSED : FUSED_GLOBAL;
        }

        static Variant reference(boolean withLocal) {
            return withLocal ? REFERENCE : REFERENCE_GLOBAL;
        }

        static Variant self(boolean withLocal) {
            return withLocal ? SELF : SELF_GLOBAL;
        }
    }

    /**
     * A built graph with what its components declared: the fusable regions, each parameter's weight decay (in
     * creation order) and the step inputs the model feeds.
     */
    record Graph(SameDiff sd, List<FusedOp> fusions, Map<String, Boolean> weightDecay, List<GraphScope.Step> stepInputs) {
    }

    private DinoGraphs() {
    }

    /**
     * Builds a graph variant; parameters get fresh arrays from {@code rng} (callers re-point them to the model's flat
     * buffer). With a gradient function when {@code gradients}.
     */
    static Graph build(Backbone backbone, DinoHeadConfig head, DataType dataType, Variant v, Random rng,
                       boolean gradients) {
        SameDiff g = SameDiff.create();
        g.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), false);
        Fusions fusions = Fusions.collector();
        int c = backbone.inChannels();
        SDVariable globals = g.placeHolder(GLOBAL_CROPS, dataType, -1, c, -1, -1);
        GraphScope scope = GraphScope.of(g, GraphNames.BACKBONE_SCOPE, dataType, rng, fusions);
        Backbone.Instance f = backbone.define(scope);
        DinoHead.Instance h = DinoHead.define(scope.sibling(GraphNames.HEAD_SCOPE), backbone.featureDim(), head);
        SDVariable feats = f.apply(globals);
        DinoHead.Output og = h.apply(feats);
        g.identity(FEATURES, feats);
        g.identity(GLOBAL_EMBEDDING, og.embedding());
        SDVariable zg = g.identity(GLOBAL_LOGITS, og.logits());
        SDVariable student;
        if (v.withLocal) {
            SDVariable locals = g.placeHolder(LOCAL_CROPS, dataType, -1, c, -1, -1);
            // the head is row-wise: run it once on the concatenated features [(2+N)B, D] instead of twice and
            // concatenating [.., K] logits (one bigger matmul per layer, a D-wide instead of a K-wide concat)
            SDVariable all = g.concat(0, feats, f.apply(locals));
            student = g.identity(STUDENT_LOGITS, h.apply(all).logits());
        } else {
            student = g.identity(STUDENT_LOGITS, zg);
        }
        if (v.fusedLoss) {
            SDVariable dz = g.placeHolder(STUDENT_LOGITS_GRAD, dataType, -1, head.outDim());
            g.sum(LOSS, student.mul(dz));
        } else {
            SDVariable targets;
            if (v.selfTargets) {
                SDVariable c0 = g.placeHolder(CENTER, dataType, 1, head.outDim());
                SDVariable tauT = g.placeHolder(TAU_T, dataType);
                SDVariable regroup = g.placeHolder(REGROUP, dataType, -1, -1);
                SDVariable s0 = zg.sub(c0).div(tauT);
                // softmax on the last axis, max-shifted (the shift is constant for the gradient: softmax is shift-invariant)
                SDVariable e = g.math.exp(s0.sub(new StopGradient(g, s0.max(true, 1)).outputVariable()));
                SDVariable pt = g.identity(SELF_TEACHER_PROBS, e.div(e.sum(true, 1)));
                targets = regroup.mmul(pt);
            } else {
                targets = g.placeHolder(TARGETS, dataType, -1, head.outDim());
            }
            SDVariable weights = g.placeHolder(ROW_WEIGHTS, dataType, -1, 1);
            SDVariable tau = g.placeHolder(TAU_S, dataType);
            SDVariable logp = g.nn.logSoftmax(student.div(tau));
            SDVariable ce = targets.mul(logp).sum(true, 1).neg();
            g.sum(LOSS, ce.mul(weights));
        }
        g.setLossVariables(LOSS);
        if (gradients) {
            DinoRuntime.quietly(() -> {
                g.createGradFunction();
                return null;
            });
        }
        return new Graph(g, fusions.all(), scope.weightDecay(), scope.stepInputs());
    }
}

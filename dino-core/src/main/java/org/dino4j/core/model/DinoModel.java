package org.dino4j.core.model;

import static org.dino4j.core.model.GraphNames.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.dino4j.core.exec.Execution;
import org.dino4j.core.exec.SessionMemory;
import org.dino4j.core.loss.DinoLoss;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DINO network g = h ∘ f (Caron et al. 2021, Sec. 3.1): a {@link Backbone} f and a {@link DinoHead} h in
 * SameDiff graphs ({@link DinoGraphs}), with every trainable parameter a view of one flat buffer {@link #params()}
 * {@code [1, P]} (so EMA, weight decay and optimizers are single passes) and dL/dθ written into the matching flat
 * buffer {@link #gradients()}; {@link #parameters()} describes the slices.
 *
 * <p>The graphs' placeholders and outputs are named by {@link GraphNames} (contracts).
 *
 * <p><b>Execution</b> ({@link #plans()}, a {@link ModelPlans}): by default every call runs an execution plan of the
 * graph (SameDiff's ops in a fixed order on arrays allocated once per input shape, the backbone's GroupNorm regions as
 * fused Java kernels); {@link Execution#SESSION} runs SameDiff's own session, the reference the plans are tested
 * against. The same object chooses how SameDiff's session frees its arrays, profiles the plans and releases them.
 *
 * <p><b>Training</b> ({@link #lossAndGradients}): by default the loss is fused — a graph whose loss is
 * Σ z ⊙ {@link GraphNames#STUDENT_LOGITS_GRAD}, where L and dL/dz are computed by {@link DinoLoss#lossAndGradient} as soon as the
 * logits exist and fed back into that placeholder (one forward, one backward); {@link #setFusedLoss} false
 * differentiates the in-graph cross-entropy (with DinoLoss's targets) instead. <b>Without stop-gradient</b> (the ablation,
 * {@link SelfDistillation}) the teacher side is computed from the student's own global logits in-graph.
 * <b>Step inputs</b>: placeholders the backbone declared with {@link GraphScope#stepInput} (e.g. a ViT's drop-path
 * factors) get values drawn from the seeded {@link Random} of a training call; every other call feeds their inference
 * values. <b>Weight decay</b> of each parameter ({@link ParamInfo#weightDecay()}) is what its component declared with
 * {@link GraphScope#param}.
 *
 * <p>Outputs of the forward methods are fresh 'c'-ordered arrays owned by the caller, except {@link #globalLogitsView}.
 * Not thread-safe: use one model from one thread at a time.
 */
public final class DinoModel {
    private final Backbone backbone;
    private final DinoHeadConfig headConfig;
    private final DataType dataType;
    private final SameDiff sd;
    private final ModelRunner runner;
    private final ModelPlans plans;
    private boolean fusedLoss = true;
    /** The per-call inputs the backbone declared (e.g. drop-path factors), in declaration order. */
    private final List<GraphScope.Step> stepInputs;
    private final FlatParameters flat;

    private DinoModel(Backbone backbone, DinoHeadConfig headConfig, DataType dataType, long seed) {
        this.backbone = Objects.requireNonNull(backbone, "backbone");
        this.headConfig = Objects.requireNonNull(headConfig, "headConfig");
        if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
            throw new IllegalArgumentException("dataType must be FLOAT or DOUBLE, got " + dataType);
        }
        this.dataType = dataType;
        DinoGraphs.Graph reference = DinoGraphs.build(backbone, headConfig, dataType, DinoGraphs.Variant.REFERENCE,
                new Random(seed), true);
        this.sd = reference.sd();
        this.stepInputs = reference.stepInputs();
        this.flat = new FlatParameters(sd, reference.weightDecay(), dataType, backbone.name());
        flat.bind(sd);
        this.runner = new ModelRunner(this, reference);
        this.plans = new ModelPlans(runner);
    }

    /**
     * Builds a FLOAT model whose parameters are initialised from {@code new Random(seed)}.
     *
     * @param backbone feature extractor
     * @param headConfig projection head
     * @param seed initialisation seed
     * @return the model
     */
    public static DinoModel create(Backbone backbone, DinoHeadConfig headConfig, long seed) {
        return new DinoModel(backbone, headConfig, DataType.FLOAT, seed);
    }

    /**
     * Builds a model of the given floating point type (DOUBLE for gradient checks).
     *
     * @param backbone feature extractor
     * @param headConfig projection head
     * @param dataType FLOAT or DOUBLE
     * @param seed initialisation seed
     * @return the model
     */
    public static DinoModel create(Backbone backbone, DinoHeadConfig headConfig, DataType dataType, long seed) {
        return new DinoModel(backbone, headConfig, dataType, seed);
    }

    // ------------------------------------------------------------------------------------------ forward

    /** The crops and, for each step input of the backbone whose crops are fed, its values (drawn from {@code stepRng}). */
    Map<String, INDArray> feed(INDArray globals, INDArray locals, Random stepRng) {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(GLOBAL_CROPS, globals);
        if (locals != null) {
            ph.put(LOCAL_CROPS, locals);
        }
        for (GraphScope.Step s : stepInputs) {
            INDArray input = ph.get(s.input());
            if (input != null) {
                ph.put(s.name(), s.values().values(input.size(0), stepRng, dataType));
            }
        }
        return ph;
    }

    private INDArray forward(INDArray globals, INDArray locals, String output) {
        ModelChecks.images("globals", globals, false, backbone, dataType);
        ModelChecks.images("locals", locals, true, backbone, dataType);
        return runner.forward(feed(globals, locals, null), output);
    }

    /**
     * Backbone features (forward only).
     *
     * @param images {@code [B, C, H, W]}, H, W &gt;= {@code minInputSize()}
     * @return features {@code [B, D]}
     */
    public INDArray features(INDArray images) {
        return forward(images, null, FEATURES).dup('c');
    }

    /**
     * ℓ2-normalised head bottleneck of the global crops (forward only; for diagnostics and tests).
     *
     * @param globals {@code [B, C, H, W]}
     * @return {@code [B, bottleneck]}
     */
    public INDArray globalEmbedding(INDArray globals) {
        return forward(globals, null, GLOBAL_EMBEDDING).dup('c');
    }

    /**
     * Head logits of the global crops (the teacher's forward).
     *
     * @param globals {@code [2B, C, Hg, Wg]}
     * @return {@code [2B, K]}, a fresh array
     */
    public INDArray globalLogits(INDArray globals) {
        return forward(globals, null, GLOBAL_LOGITS).dup('c');
    }

    /**
     * As {@link #globalLogits}, without the copy: the model's own output array, valid until the next call on this
     * model (the training step's teacher forward reads it once, for the targets and the center).
     *
     * @param globals {@code [2B, C, Hg, Wg]}
     * @return {@code [2B, K]}, not to be modified or kept
     */
    public INDArray globalLogitsView(INDArray globals) {
        return forward(globals, null, GLOBAL_LOGITS);
    }

    /**
     * Any named variable of the global-crop path (forward only, no drop path), e.g. a ViT's
     * {@link org.dino4j.core.model.vit.VisionTransformer#ATTENTION_LAST}.
     *
     * @param globals {@code [B, C, H, W]}
     * @param variable a variable of {@link #graph()} that needs only the global crops
     * @return a fresh 'c' array
     */
    public INDArray globalOutput(INDArray globals, String variable) {
        if (!sd.hasVariable(variable)) {
            throw new IllegalArgumentException("variable must be a variable of the model graph, got \"" + variable + "\"");
        }
        return forward(globals, null, variable).dup('c');
    }

    /**
     * Student logits (forward only): global rows then local rows.
     *
     * @param globals {@code [2B, C, Hg, Wg]}
     * @param locals {@code [N·B, C, Hl, Wl]} or null (then the result equals {@link #globalLogits})
     * @return {@code [(2+N)B, K]}
     */
    public INDArray studentLogits(INDArray globals, INDArray locals) {
        return forward(globals, locals, locals == null ? GLOBAL_LOGITS : STUDENT_LOGITS).dup('c');
    }

    // ------------------------------------------------------------------------------------------ training

    /**
     * The student's step (Caron et al. 2021, Alg. 1): forward on all crops, the DINO loss of the student logits against
     * the teacher's ({@link DinoLoss#lossAndGradient}), backward; writes dL/dθ into {@link #gradients()} (every slot).
     *
     * @param globals       {@code [2B, C, Hg, Wg]}
     * @param locals        {@code [N·B, C, Hl, Wl]} or null (no local crops)
     * @param teacherLogits the teacher's logits {@code [2B, K]} of the same global crops (data: no gradient reaches them)
     * @param loss          the DINO loss, its τ_t set for this step
     * @param stepRng       seeded source of the backbone's step inputs for this step (e.g. drop path), or null for their
     *                      inference values
     * @return the loss L
     */
    public double lossAndGradients(INDArray globals, INDArray locals, INDArray teacherLogits, DinoLoss loss, Random stepRng) {
        int numLocal = ModelChecks.crops(globals, locals, backbone, dataType);
        ModelChecks.teacherLogits(teacherLogits, globals.size(0), headConfig.outDim());
        Objects.requireNonNull(loss, "loss");
        Map<String, INDArray> ph = feed(globals, locals, stepRng);
        long rows = globals.size(0) + (locals == null ? 0 : locals.size(0));
        if (fusedLoss) {
            return runner.fusedLossAndGradients(ph, locals != null, rows, teacherLogits, loss);
        }
        DinoLoss.Targets t = loss.targets(teacherLogits, numLocal);
        ph.put(TARGETS, t.targets());
        ph.put(ROW_WEIGHTS, t.rowWeights());
        ph.put(TAU_S, Nd4j.scalar(dataType, loss.studentTemp()));
        return runner.gradients(DinoGraphs.Variant.reference(locals != null), ph, List.of(LOSS)).get(LOSS).getDouble(0);
    }

    /**
     * @param on true (default): {@link #lossAndGradients} computes the loss and dL/dz with {@link DinoLoss}'s kernels
     *           and back-propagates from them; false: the student's cross-entropy (with DinoLoss's targets) is
     *           differentiated inside the SameDiff graph ({@link #graph()}'s {@link GraphNames#LOSS}). Same loss and gradients up
     *           to float rounding (tested in DOUBLE).
     */
    public void setFusedLoss(boolean on) {
        this.fusedLoss = on;
    }

    /** @return whether {@link #lossAndGradients} uses the fused loss (see {@link #setFusedLoss}) */
    public boolean fusedLoss() {
        return fusedLoss;
    }

    // ------------------------------------------------------------------------------------------ accessors

    /** @return the flat parameter buffer {@code [1, P]}; every graph parameter is a view of it (live) */
    public INDArray params() {
        return flat.params;
    }

    /** @return the flat gradient buffer {@code [1, P]} written by {@link #lossAndGradients} */
    public INDArray gradients() {
        return flat.gradients;
    }

    /** @return the parameters in flat-buffer order */
    public List<ParamInfo> parameters() {
        return flat.infos;
    }

    /** The flat buffers with each parameter's views, for the runner (binding graphs, gradients) and the files. */
    FlatParameters flat() {
        return flat;
    }

    ModelRunner runner() {
        return runner;
    }

    /** @return how this model's graphs run (execution, session memory) and its execution plans' diagnostics */
    public ModelPlans plans() {
        return plans;
    }

    /** @return the backbone */
    public Backbone backbone() {
        return backbone;
    }

    /** @return the head configuration */
    public DinoHeadConfig headConfig() {
        return headConfig;
    }

    /** @return FLOAT or DOUBLE */
    public DataType dataType() {
        return dataType;
    }

    /**
     * The reference graph (placeholders/outputs named by {@link GraphNames}, its {@link GraphNames#LOSS} the in-graph
     * cross-entropy), for validation tools such as gradient checks. Do not add variables to it. The calling thread's
     * sessions of it use this project's memory manager ({@link SessionMemory}, {@link ModelPlans#setSessionMemory});
     * other threads must call this method too before executing it.
     *
     * @return the SameDiff graph
     */
    public SameDiff graph() {
        SessionMemory.install(sd, plans.sessionMemory());
        return sd;
    }

    /**
     * The graph {@link #lossAndGradients} executes (or records its plans from): with the fused loss the fused-loss
     * graph, built on first use; else {@link #graph()} or its global-only variant. Same parameters.
     *
     * @param withLocal the variant with the local-crop branch
     * @return the SameDiff graph
     */
    public SameDiff trainingGraph(boolean withLocal) {
        SameDiff g = runner.graph(fusedLoss ? DinoGraphs.Variant.fused(withLocal) : DinoGraphs.Variant.reference(withLocal)).sd();
        SessionMemory.install(g, plans.sessionMemory());
        return g;
    }

    /**
     * An independent model (separate graphs and flat buffers) with the same architecture whose parameters start as an
     * exact copy of this one's — e.g. the teacher built from the student.
     *
     * @return the copy
     */
    public DinoModel copy() {
        DinoModel m = new DinoModel(backbone, headConfig, dataType, 0L);
        m.params().assign(params());
        m.plans.setExecution(plans.execution());
        m.plans.setSessionMemory(plans.sessionMemory());
        return m;
    }

    // ------------------------------------------------------------------------------------------ files

    /**
     * Writes the architecture (backbone and head config, data type) and the flat parameters.
     *
     * @param file destination
     * @throws IOException on write failure
     */
    public void save(Path file) throws IOException {
        DinoModelFiles.save(this, file);
    }

    /**
     * Reads a model written by {@link #save}.
     *
     * @param file source
     * @return the model with the saved parameters
     * @throws IOException if the file is missing, not a dino4j model file, or corrupt
     */
    public static DinoModel load(Path file) throws IOException {
        return DinoModelFiles.load(file);
    }

    /**
     * Saves the backbone alone as a SameDiff file ({@code sd.save(file, false)}): placeholder {@link GraphNames#IMAGES}
     * {@code [-1, C, -1, -1]}, output {@link GraphNames#FEATURES} {@code [B, D]}, current parameter values.
     *
     * @param file destination
     * @throws IOException on write failure
     */
    public void exportBackbone(Path file) throws IOException {
        DinoModelFiles.exportBackbone(this, file);
    }
}

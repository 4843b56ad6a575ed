package org.dino4j.core.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.dino4j.core.exec.Execution;
import org.dino4j.core.exec.SessionMemory;
import org.dino4j.core.loss.SoftTargetCrossEntropy;
import org.dino4j.core.model.vit.DropPath;
import org.dino4j.core.model.vit.VisionTransformer;
import org.dino4j.core.model.vit.VitConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DINO network g = h ∘ f (Caron et al. 2021, Sec. 3.1): a {@link Backbone} f and a {@link DinoHead} h in
 * SameDiff graphs ({@link DinoGraphs}), with every trainable parameter a view of one flat buffer {@link #params()}
 * {@code [1, P]} (so EMA, weight decay and optimizers are single passes) and dL/dθ written into the matching flat
 * buffer {@link #gradients()}; {@link #parameters()} describes the slices.
 *
 * <p>Graph interface (names are contracts):
 * <ul>
 *   <li>placeholders {@link #GLOBAL_CROPS} {@code [2B, C, Hg, Wg]} and {@link #LOCAL_CROPS}
 *       {@code [N·B, C, Hl, Wl]} (view-major, see docs/CONTRACTS.md);</li>
 *   <li>{@link #FEATURES} {@code [2B, D]} = f(global crops); {@link #GLOBAL_EMBEDDING} {@code [2B, bottleneck]}
 *       the ℓ2-normalised bottleneck; {@link #GLOBAL_LOGITS} {@code [2B, K]} = g(global crops) (teacher path);</li>
 *   <li>{@link #STUDENT_LOGITS} {@code [(2+N)B, K]}: global rows then local rows;</li>
 *   <li>{@link #LOSS} = Σ_r w_r · (−Σ_k t_{r,k} · log softmax(z_r/τ_s)_k) with placeholders {@link #TARGETS}
 *       {@code [(2+N)B, K]} (teacher targets computed outside the graph: no gradient can reach the teacher),
 *       {@link #ROW_WEIGHTS} {@code [(2+N)B, 1]} and the scalar {@link #TAU_S} (paper Eq. 1–3).</li>
 * </ul>
 *
 * <p><b>Execution</b> ({@link #setExecution}): by default every call runs an execution plan of the graph (SameDiff's
 * ops in a fixed order on arrays allocated once per input shape, the backbone's GroupNorm regions as fused Java
 * kernels); {@link Execution#SESSION} runs SameDiff's own session, the reference the plans are tested against.
 *
 * <p><b>Training</b> ({@link #lossAndGradients}): by default the loss is fused — a graph whose loss is
 * Σ z ⊙ {@link #STUDENT_LOGITS_GRAD}, where the cross-entropy and dL/dz are computed by {@link SoftTargetCrossEntropy}
 * as soon as the logits exist and fed back into that placeholder (one forward, one backward); {@link #setFusedLoss}
 * false differentiates the in-graph cross-entropy instead. <b>Without stop-gradient</b> (the ablation,
 * {@link #selfDistillLossAndGradients}) the teacher side is computed from the student's own global logits in-graph.
 * <b>Drop path</b>: a {@link VisionTransformer} with {@link VitConfig#dropPath()} &gt; 0 draws per-sample factors
 * from the seeded {@link Random} of a training call; every other call feeds ones.
 *
 * <p>Outputs of the forward methods are fresh 'c'-ordered arrays owned by the caller, except {@link #globalLogitsView}.
 * Not thread-safe: use one model from one thread at a time.
 */
public final class DinoModel {
    /** Placeholder: global crops {@code [2B, C, Hg, Wg]}. */
    public static final String GLOBAL_CROPS = "global_crops";
    /** Placeholder: local crops {@code [N·B, C, Hl, Wl]}. */
    public static final String LOCAL_CROPS = "local_crops";
    /** Output: backbone features of the global crops {@code [2B, D]}. */
    public static final String FEATURES = "features";
    /** Output: ℓ2-normalised head bottleneck of the global crops {@code [2B, bottleneck]}. */
    public static final String GLOBAL_EMBEDDING = "global_embedding";
    /** Output: head logits of the global crops {@code [2B, K]} (the teacher's output). */
    public static final String GLOBAL_LOGITS = "global_logits";
    /** Output: student logits, global rows then local rows {@code [(2+N)B, K]}. */
    public static final String STUDENT_LOGITS = "student_logits";
    /** Placeholder: target distributions {@code [(2+N)B, K]}, rows summing to 1. */
    public static final String TARGETS = "targets";
    /** Placeholder: per-row loss weights {@code [(2+N)B, 1]}. */
    public static final String ROW_WEIGHTS = "row_weights";
    /** Placeholder: scalar student temperature τ_s. */
    public static final String TAU_S = "tau_s";
    /** Output: the scalar training loss. */
    public static final String LOSS = "loss";
    /** Placeholder of the fused-loss graphs: dL/dz for the student logits {@code [(2+N)B, K]}; their loss is Σ z ⊙ this. */
    public static final String STUDENT_LOGITS_GRAD = "student_logits_grad";
    /** Placeholder of the no-stop-gradient graph: center {@code [1, K]}. */
    public static final String CENTER = "center";
    /** Placeholder of the no-stop-gradient graph: scalar teacher temperature τ_t. */
    public static final String TAU_T = "tau_t";
    /** Placeholder of the no-stop-gradient graph: regrouping matrix {@code [(2+N)B, 2B]} ({@link #regroupMatrix}). */
    public static final String REGROUP = "regroup";
    /** Output of the no-stop-gradient graph: p_t = softmax((z_g − c)/τ_t) {@code [2B, K]}, differentiable. */
    public static final String SELF_TEACHER_PROBS = "self_teacher_probs";
    /** Name prefix of the backbone's parameters. */
    public static final String BACKBONE_SCOPE = "backbone";
    /** Name prefix of the head's parameters. */
    public static final String HEAD_SCOPE = "head";
    /** Placeholder of the exported backbone graph ({@link #exportBackbone}): images {@code [B, C, H, W]}. */
    public static final String IMAGES = "images";

    private final Backbone backbone;
    private final DinoHeadConfig headConfig;
    private final DataType dataType;
    private final SameDiff sd;
    private final ModelRunner runner;
    private boolean fusedLoss = fusedLossByDefault();
    /** The ViT's architecture when it has drop path (rate &gt; 0), else null. */
    private final VitConfig dropPath;
    private final INDArray params;
    private final INDArray gradients;
    private final List<ParamInfo> infos;
    private final INDArray[] paramViews;
    private final INDArray[] gradViews;
    private final List<String> paramNames;

    private DinoModel(Backbone backbone, DinoHeadConfig headConfig, DataType dataType, long seed) {
        this.backbone = Objects.requireNonNull(backbone, "backbone");
        this.headConfig = Objects.requireNonNull(headConfig, "headConfig");
        if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
            throw new IllegalArgumentException("dataType must be FLOAT or DOUBLE, got " + dataType);
        }
        this.dataType = dataType;
        this.dropPath = backbone instanceof VisionTransformer v && DropPath.columns(v.config()) > 0 ? v.config() : null;
        DinoGraphs.Graph reference = DinoGraphs.build(backbone, headConfig, dataType, DinoGraphs.Variant.REFERENCE,
                new Random(seed), true);
        this.sd = reference.sd();
        List<ParamInfo> list = new ArrayList<>();
        long p = 0;
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                long len = v.getArr().length();
                list.add(ParamInfo.of(v.name(), p, len, v.getShape()));
                p += len;
            }
        }
        this.infos = Collections.unmodifiableList(list);
        this.paramNames = list.stream().map(ParamInfo::name).toList();
        this.params = Nd4j.create(dataType, 1, p);
        this.gradients = Nd4j.create(dataType, 1, p);
        this.paramViews = new INDArray[list.size()];
        this.gradViews = new INDArray[list.size()];
        for (int i = 0; i < list.size(); i++) {
            paramViews[i] = view(params, list.get(i));
            paramViews[i].assign(sd.getArrForVarName(list.get(i).name()));
            gradViews[i] = view(gradients, list.get(i));
        }
        bindParameters(sd);
        this.runner = new ModelRunner(this, reference);
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

    /** A 'c'-ordered view of {@code flat}'s slice for {@code pi}, with the parameter's shape. */
    private static INDArray view(INDArray flat, ParamInfo pi) {
        long[] shape = pi.shape();
        return Nd4j.create(flat.data(), shape, Nd4j.getStrides(shape, 'c'), pi.offset(), 'c', flat.dataType());
    }

    /** Points every parameter variable of {@code g} at its slice of the flat buffer. */
    void bindParameters(SameDiff g) {
        for (int i = 0; i < infos.size(); i++) {
            g.associateArrayWithVariable(paramViews[i], infos.get(i).name());
        }
    }

    // ------------------------------------------------------------------------------------------ forward

    private Map<String, INDArray> feed(INDArray globals, INDArray locals, Random dropPathRng) {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(GLOBAL_CROPS, globals);
        if (locals != null) {
            ph.put(LOCAL_CROPS, locals);
        }
        if (dropPath != null) {
            ph.put(VisionTransformer.dropPathName(BACKBONE_SCOPE, 0), dropFactors((int) globals.size(0), dropPathRng));
            if (locals != null) {
                ph.put(VisionTransformer.dropPathName(BACKBONE_SCOPE, 1), dropFactors((int) locals.size(0), dropPathRng));
            }
        }
        return ph;
    }

    private INDArray dropFactors(int rows, Random rng) {
        return rng == null ? DropPath.identity(dropPath, rows, dataType) : DropPath.sample(dropPath, rows, rng, dataType);
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
     * {@link VisionTransformer#ATTENTION_LAST}.
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
     * Computes the training loss L = Σ_r w_r · (−Σ_k t_{r,k} log softmax(z_r/τ_s)_k) over the student rows
     * z (global then local crops) and writes dL/dθ into {@link #gradients()} (every slot is overwritten).
     *
     * @param globals {@code [2B, C, Hg, Wg]}
     * @param locals {@code [N·B, C, Hl, Wl]} or null (no local crops)
     * @param targets {@code [R, K]} teacher targets, R = rows(globals) + rows(locals)
     * @param rowWeights {@code [R, 1]} or {@code [R]} weights w_r
     * @param tauS student temperature τ_s &gt; 0
     * @return the loss L
     */
    public double lossAndGradients(INDArray globals, INDArray locals, INDArray targets, INDArray rowWeights,
                                   double tauS) {
        return lossAndGradients(globals, locals, targets, rowWeights, tauS, null);
    }

    /**
     * As {@link #lossAndGradients(INDArray, INDArray, INDArray, INDArray, double)}, with drop path in training
     * mode: for a ViT with {@link VitConfig#dropPath()} &gt; 0 the per-sample branch factors are drawn from
     * {@code dropPathRng} (global crops first, then local crops); null = no drop. Other backbones ignore it.
     *
     * @param globals {@code [2B, C, Hg, Wg]}
     * @param locals {@code [N·B, C, Hl, Wl]} or null
     * @param targets {@code [R, K]}
     * @param rowWeights {@code [R, 1]} or {@code [R]}
     * @param tauS τ_s &gt; 0
     * @param dropPathRng seeded source of the drop-path masks, or null
     * @return the loss L
     */
    public double lossAndGradients(INDArray globals, INDArray locals, INDArray targets, INDArray rowWeights,
                                   double tauS, Random dropPathRng) {
        ModelChecks.images("globals", globals, false, backbone, dataType);
        ModelChecks.images("locals", locals, true, backbone, dataType);
        long rows = globals.size(0) + (locals == null ? 0 : locals.size(0));
        ModelChecks.targets(targets, rows, headConfig.outDim(), dataType);
        INDArray w = ModelChecks.weightsAndTau(rows, rowWeights, tauS, dataType);
        Map<String, INDArray> ph = feed(globals, locals, dropPathRng);
        if (fusedLoss) {
            return runner.fusedLossAndGradients(ph, locals != null, rows, targets, w, tauS);
        }
        ph.put(TARGETS, targets);
        ph.put(ROW_WEIGHTS, w);
        ph.put(TAU_S, Nd4j.scalar(dataType, tauS));
        return runner.gradients(DinoGraphs.Variant.reference(locals != null), ph, List.of(LOSS)).get(LOSS).getDouble(0);
    }

    /**
     * @param on true (default, {@code -Ddino4j.loss=fused}): {@link #lossAndGradients} computes the loss and dL/dz
     *           with {@link SoftTargetCrossEntropy} and back-propagates from them; false ({@code -Ddino4j.loss=graph}):
     *           the cross-entropy is differentiated inside the SameDiff graph ({@link #graph()}'s {@link #LOSS}).
     *           Same loss and gradients up to float rounding (tested in DOUBLE).
     */
    public void setFusedLoss(boolean on) {
        this.fusedLoss = on;
    }

    /** @return whether {@link #lossAndGradients} uses the fused loss (see {@link #setFusedLoss}) */
    public boolean fusedLoss() {
        return fusedLoss;
    }

    /** @return whether new models use the fused loss ({@code -Ddino4j.loss=fused}, the default) or not ({@code graph}) */
    public static boolean fusedLossByDefault() {
        String m = System.getProperty("dino4j.loss", "fused").trim().toLowerCase(java.util.Locale.ROOT);
        return switch (m) {
            case "fused" -> true;
            case "graph" -> false;
            default -> throw new IllegalArgumentException("system property dino4j.loss must be fused or graph, got '" + m + "'");
        };
    }

    /**
     * @param e how graphs run from now on (default {@link Execution#fromProperty()}): plans with fused kernels, plans
     *          of SameDiff's ops, or SameDiff's session
     */
    public void setExecution(Execution e) {
        runner.setExecution(Objects.requireNonNull(e, "execution"));
    }

    /** @return how this model's graphs run */
    public Execution execution() {
        return runner.execution();
    }

    /** @return the session memory mode of this process ({@code release} or {@code gc}; see {@link SessionMemory}) */
    public static String sessionMemoryMode() {
        return SessionMemory.mode().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Loss and the student's own global logits of one no-stop-gradient step. */
    public record SelfDistillStep(double loss, INDArray globalLogits) {
    }

    /**
     * The regrouping matrix R {@code [(2+N)B, 2B]} of the no-stop-gradient path: targets = R·p_t with
     * TeacherTargets' convention (row j·B+b of view j: view 0 → p_t of view 1, view 1 → p_t of view 0, local
     * views → (p_t[0] + p_t[1])/2; use TeacherTargets.rowWeights for the matching row weights).
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
     * The DINO loss WITHOUT stop-gradient (ablation): the teacher is this network itself, p_t =
     * softmax((z_g − c)/τ_t) of its own global logits z_g is computed in the graph, regrouped as targets R·p_t,
     * and L = Σ_r w_r·CE(target_r, softmax(z_r/τ_s)) is differentiated through both the targets and the student
     * softmax. Writes dL/dθ into {@link #gradients()}.
     *
     * @param globals {@code [2B, C, Hg, Wg]}
     * @param locals {@code [N·B, C, Hl, Wl]} or null
     * @param center c {@code [1, K]}
     * @param tauT τ_t &gt; 0
     * @param regroup {@link #regroupMatrix} {@code [(2+N)B, 2B]}
     * @param rowWeights {@code [(2+N)B, 1]} or {@code [(2+N)B]}
     * @param tauS τ_s &gt; 0
     * @param dropPathRng seeded drop-path source, or null
     * @return the loss and z_g {@code [2B, K]} (fresh, for the center update and monitoring)
     */
    public SelfDistillStep selfDistillLossAndGradients(INDArray globals, INDArray locals, INDArray center, double tauT,
                                                       INDArray regroup, INDArray rowWeights, double tauS,
                                                       Random dropPathRng) {
        ModelChecks.images("globals", globals, false, backbone, dataType);
        ModelChecks.images("locals", locals, true, backbone, dataType);
        long rows = globals.size(0) + (locals == null ? 0 : locals.size(0));
        INDArray w = ModelChecks.weightsAndTau(rows, rowWeights, tauS, dataType);
        ModelChecks.selfDistill(center, tauT, regroup, rows, globals.size(0), headConfig.outDim(), dataType);
        Map<String, INDArray> ph = feed(globals, locals, dropPathRng);
        ph.put(CENTER, center.reshape(1, headConfig.outDim()));
        ph.put(TAU_T, Nd4j.scalar(dataType, tauT));
        ph.put(REGROUP, regroup);
        ph.put(ROW_WEIGHTS, w);
        ph.put(TAU_S, Nd4j.scalar(dataType, tauS));
        Map<String, INDArray> out = runner.gradients(DinoGraphs.Variant.self(locals != null), ph, List.of(LOSS, GLOBAL_LOGITS));
        return new SelfDistillStep(out.get(LOSS).getDouble(0), out.get(GLOBAL_LOGITS).dup('c'));
    }

    // ------------------------------------------------------------------------------------------ accessors

    /** @return the flat parameter buffer {@code [1, P]}; every graph parameter is a view of it (live) */
    public INDArray params() {
        return params;
    }

    /** @return the flat gradient buffer {@code [1, P]} written by {@link #lossAndGradients} */
    public INDArray gradients() {
        return gradients;
    }

    /** @return the parameters in flat-buffer order */
    public List<ParamInfo> parameters() {
        return infos;
    }

    List<String> parameterNames() {
        return paramNames;
    }

    INDArray parameterView(int i) {
        return paramViews[i];
    }

    INDArray gradientView(int i) {
        return gradViews[i];
    }

    ModelRunner runner() {
        return runner;
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
     * The reference graph (placeholders/outputs named by this class's constants, its {@link #LOSS} the in-graph
     * cross-entropy), for validation tools such as gradient checks. Do not add variables to it. The calling thread's
     * sessions of it use this project's memory manager ({@link SessionMemory}); other threads must call this method
     * too before executing it.
     *
     * @return the SameDiff graph
     */
    public SameDiff graph() {
        SessionMemory.install(sd);
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
        SessionMemory.install(g);
        return g;
    }

    /**
     * Per-op times of this model's execution plans since {@link #profile(boolean) profile(true)}, by plan: op label →
     * {total nanoseconds, calls}.
     *
     * @return the profiles (empty in session mode)
     */
    public Map<String, Map<String, long[]>> planProfiles() {
        return runner.profiles(false);
    }

    /**
     * As {@link #planProfiles()}, keyed by op label and output shape (one entry per layer).
     *
     * @return the profiles (empty in session mode)
     */
    public Map<String, Map<String, long[]>> planProfilesByShape() {
        return runner.profiles(true);
    }

    /** @param on whether this model's plans time every op from now on (see {@link #planProfiles}) */
    public void profile(boolean on) {
        runner.setProfiling(on);
    }

    /** @return bytes allocated by this model's current execution plans */
    public long plannedBytes() {
        return runner.plannedBytes();
    }

    /**
     * An independent model (separate graphs and flat buffers) with the same architecture whose parameters start as an
     * exact copy of this one's — e.g. the teacher built from the student.
     *
     * @return the copy
     */
    public DinoModel copy() {
        DinoModel m = new DinoModel(backbone, headConfig, dataType, 0L);
        m.params.assign(params);
        m.setExecution(execution());
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
     * Saves the backbone alone as a SameDiff file ({@code sd.save(file, false)}): placeholder {@link #IMAGES}
     * {@code [-1, C, -1, -1]}, output {@link #FEATURES} {@code [B, D]}, current parameter values.
     *
     * @param file destination
     * @throws IOException on write failure
     */
    public void exportBackbone(Path file) throws IOException {
        DinoModelFiles.exportBackbone(this, file);
    }
}

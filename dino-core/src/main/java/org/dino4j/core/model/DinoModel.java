package org.dino4j.core.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.dino4j.core.DinoRuntime;
import org.dino4j.core.loss.SoftTargetCrossEntropy;
import org.dino4j.core.model.vit.DropPath;
import org.dino4j.core.model.vit.VisionTransformer;
import org.dino4j.core.model.vit.VitConfig;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.memory.NoOpMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DINO network g = h ∘ f (Caron et al. 2021, Sec. 3.1): a {@link Backbone} f and a {@link DinoHead} h in
 * ONE SameDiff graph, together with the student's training loss.
 *
 * <p>Graph interface (names are contracts):
 * <ul>
 *   <li>placeholders {@link #GLOBAL_CROPS} {@code [2B, C, Hg, Wg]} and {@link #LOCAL_CROPS}
 *       {@code [N·B, C, Hl, Wl]} (view-major, see docs/CONTRACTS.md);</li>
 *   <li>{@link #FEATURES} {@code [2B, D]} = f(global crops); {@link #GLOBAL_EMBEDDING} {@code [2B, bottleneck]}
 *       the ℓ2-normalised bottleneck; {@link #GLOBAL_LOGITS} {@code [2B, K]} = g(global crops), needs only the
 *       global placeholder (teacher path);</li>
 *   <li>{@link #STUDENT_LOGITS} {@code [(2+N)B, K]}: global rows then local rows;</li>
 *   <li>{@link #LOSS} = Σ_r w_r · (−Σ_k t_{r,k} · log softmax(z_r/τ_s)_k) with placeholders {@link #TARGETS}
 *       {@code [(2+N)B, K]} (teacher targets computed outside the graph: no gradient can reach the teacher),
 *       {@link #ROW_WEIGHTS} {@code [(2+N)B, 1]} and the scalar {@link #TAU_S} (paper Eq. 1–3).</li>
 * </ul>
 *
 * <p><b>Training path</b> ({@link #lossAndGradients}, default {@link #setFusedLoss fused}): a variant graph with the
 * same parameters whose loss is Σ z ⊙ {@link #STUDENT_LOGITS_GRAD}; a listener computes the loss above and dL/dz
 * with {@link SoftTargetCrossEntropy} as soon as {@link #STUDENT_LOGITS} exists and writes dL/dz into that
 * placeholder, so the backward pass starts from it (one forward, one backward; {@link #trainingGraph}).
 *
 * <p><b>Without stop-gradient</b> (the ablation "no stop-gradient", {@link #selfDistillLossAndGradients}): a
 * second graph, built on first use, computes the teacher side from the student's own global logits,
 * p_t = softmax((z_g − c)/τ_t) ({@link #SELF_TEACHER_PROBS}, placeholders {@link #CENTER} {@code [1, K]} and
 * {@link #TAU_T}), regroups it in-graph as targets = R·p_t with the constant matrix {@link #regroupMatrix}
 * ({@link #REGROUP} {@code [(2+N)B, 2B]}, TeacherTargets' convention), and differentiates the same loss through
 * both the targets and the student softmax. The default path above is unchanged by it.
 *
 * <p><b>Drop path</b>: when the backbone is a {@link VisionTransformer} with {@link VitConfig#dropPath()} &gt; 0,
 * the training calls given a seeded {@link Random} feed per-sample drop-path factors drawn from it
 * ({@link DropPath#sample}); every other call (forward methods, teacher, evaluation, a null Random) feeds ones,
 * so inference never drops anything.
 *
 * <p>Every trainable parameter is a view of one flat buffer {@link #params()} {@code [1, P]}, and
 * {@link #lossAndGradients} writes dL/dθ into the matching flat buffer {@link #gradients()}, so EMA, weight
 * decay and optimizers are single passes over flat arrays; {@link #parameters()} describes the slices.
 *
 * <p>Outputs of the forward methods are fresh 'c'-ordered arrays owned by the caller. SameDiff's array cache
 * (which in 1.0.0-M2.1 can return arrays labelled 'f' whose memory is 'c', see dl4j-notes trap 2, and reuses
 * output buffers across calls) is replaced by a no-op memory manager for the calling thread.
 *
 * <p>Not thread-safe: use one model from one thread at a time.
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
    /**
     * Placeholder of the fused-loss graphs ({@link #lossAndGradients}): dL/dz for the student logits
     * {@code [(2+N)B, K]}, written by {@link SoftTargetCrossEntropy} while the graph runs; their loss variable is
     * Σ z ⊙ this, so back-propagation starts from exactly dL/dz.
     */
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

    private static final int FILE_MAGIC = 0x44494e4f; // "DINO"
    private static final int FILE_VERSION = 1;

    private final Backbone backbone;
    private final DinoHeadConfig headConfig;
    private final DataType dataType;
    private final SameDiff sd;
    private SameDiff sdGlobalOnly;
    private final SameDiff[] sdSelf = new SameDiff[2];
    /** Fused-loss graphs [0] global crops only, [1] with local crops; built on first use. */
    private final SameDiff[] sdFused = new SameDiff[2];
    private final LogitGradHook hook = new LogitGradHook();
    private SoftTargetCrossEntropy ceKernel;
    private INDArray logitGrad;
    /**
     * Layout of {@link #logitGrad}: that of the logits seen by the last call (SameDiff's matmul returns them in 'f'
     * order), so the graph's z ⊙ dL/dz is a same-layout product and the kernel's fast path applies.
     */
    private char logitGradOrder = 'c';
    private boolean fusedLoss = fusedLossByDefault();
    /** The ViT's architecture when it has drop path (rate &gt; 0), else null. */
    private final VitConfig dropPath;
    private final INDArray params;
    private final INDArray gradients;
    private final List<ParamInfo> infos;
    private final INDArray[] gradViews;
    private final List<String> paramNames;

    private DinoModel(Backbone backbone, DinoHeadConfig headConfig, DataType dataType, long seed,
                      INDArray initial) {
        this.backbone = Objects.requireNonNull(backbone, "backbone");
        this.headConfig = Objects.requireNonNull(headConfig, "headConfig");
        if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
            throw new IllegalArgumentException("dataType must be FLOAT or DOUBLE, got " + dataType);
        }
        this.dataType = dataType;
        this.dropPath = backbone instanceof VisionTransformer v && DropPath.columns(v.config()) > 0 ? v.config() : null;
        this.sd = build(true, false, new Random(seed));
        List<ParamInfo> list = new ArrayList<>();
        List<String> names = new ArrayList<>();
        long p = 0;
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() != VariableType.VARIABLE) {
                continue;
            }
            long[] shape = v.getShape();
            long len = v.getArr().length();
            String n = v.name();
            // official get_params_groups: no decay for biases and tensors with ndim == 1; the ViT's cls_token
            // [1,1,D] and position embeddings are 3-D there, so they ARE decayed (cls_pos is row 0 of pos_embed)
            boolean vector = effectivelyOneD(shape) && !isVitToken(n);
            boolean decay = !vector && !n.endsWith("_b") && !n.contains("gn") && !n.endsWith("_gain")
                    && !n.endsWith("_bias");
            list.add(new ParamInfo(n, p, len, shape, decay, n.contains(DinoHead.LAST_LAYER)));
            names.add(n);
            p += len;
        }
        this.infos = Collections.unmodifiableList(list);
        this.paramNames = List.copyOf(names);
        this.params = Nd4j.create(dataType, 1, p);
        this.gradients = Nd4j.create(dataType, 1, p);
        this.gradViews = new INDArray[list.size()];
        for (int i = 0; i < list.size(); i++) {
            ParamInfo pi = list.get(i);
            INDArray view = view(params, pi);
            view.assign(sd.getArrForVarName(pi.name()));
            sd.associateArrayWithVariable(view, pi.name());
            gradViews[i] = view(gradients, pi);
        }
        if (initial != null) {
            params.assign(initial);
        }
        DinoRuntime.quietly(() -> {
            sd.createGradFunction();
            return null;
        });
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
        return new DinoModel(backbone, headConfig, DataType.FLOAT, seed, null);
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
        return new DinoModel(backbone, headConfig, dataType, seed, null);
    }

    private static boolean isVitToken(String name) {
        return name.equals(BACKBONE_SCOPE + "/cls_token") || name.equals(BACKBONE_SCOPE + "/cls_pos");
    }

    private static boolean effectivelyOneD(long[] shape) {
        int big = 0;
        for (long s : shape) {
            if (s > 1) {
                big++;
            }
        }
        return big <= 1;
    }

    /** A 'c'-ordered view of {@code flat}'s slice for {@code pi}, with the parameter's shape. */
    private static INDArray view(INDArray flat, ParamInfo pi) {
        long[] shape = pi.shape();
        return Nd4j.create(flat.data(), shape, Nd4j.getStrides(shape, 'c'), pi.offset(), 'c', flat.dataType());
    }

    /**
     * Builds the graph; parameters get fresh arrays from {@code rng}. With {@code selfTargets} the targets are
     * computed in-graph from the global logits (no stop-gradient) instead of a placeholder.
     */
    private SameDiff build(boolean withLocal, boolean selfTargets, Random rng) {
        return build(withLocal, selfTargets, false, rng);
    }

    /**
     * As {@link #build(boolean, boolean, Random)}; with {@code fusedLoss} the loss is Σ z ⊙ {@link #STUDENT_LOGITS_GRAD}
     * instead of the in-graph cross-entropy (see {@link #lossAndGradients}).
     */
    private SameDiff build(boolean withLocal, boolean selfTargets, boolean fusedLoss, Random rng) {
        SameDiff g = SameDiff.create();
        g.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), false);
        int c = backbone.inChannels();
        SDVariable globals = g.placeHolder(GLOBAL_CROPS, dataType, -1, c, -1, -1);
        Backbone.Instance f = backbone.define(g, BACKBONE_SCOPE, dataType, rng);
        DinoHead.Instance h = DinoHead.define(g, HEAD_SCOPE, backbone.featureDim(), headConfig, dataType, rng);
        SDVariable feats = f.apply(globals);
        DinoHead.Output og = h.apply(feats);
        g.identity(FEATURES, feats);
        g.identity(GLOBAL_EMBEDDING, og.embedding());
        SDVariable zg = g.identity(GLOBAL_LOGITS, og.logits());
        SDVariable student;
        if (withLocal) {
            SDVariable locals = g.placeHolder(LOCAL_CROPS, dataType, -1, c, -1, -1);
            // the head is row-wise: run it once on the concatenated features [(2+N)B, D] instead of twice and
            // concatenating [.., K] logits (one bigger matmul per layer, a D-wide instead of a K-wide concat)
            SDVariable all = g.concat(0, feats, f.apply(locals));
            student = g.identity(STUDENT_LOGITS, h.apply(all).logits());
        } else {
            student = g.identity(STUDENT_LOGITS, zg);
        }
        if (fusedLoss) {
            SDVariable dz = g.placeHolder(STUDENT_LOGITS_GRAD, dataType, -1, headConfig.outDim());
            g.sum(LOSS, student.mul(dz));
            g.setLossVariables(LOSS);
            return g;
        }
        SDVariable targets;
        if (selfTargets) {
            SDVariable c0 = g.placeHolder(CENTER, dataType, 1, headConfig.outDim());
            SDVariable tauT = g.placeHolder(TAU_T, dataType);
            SDVariable regroup = g.placeHolder(REGROUP, dataType, -1, -1);
            SDVariable s0 = zg.sub(c0).div(tauT);
            // softmax on the last axis, max-shifted (the shift is constant for the gradient: softmax is shift-invariant)
            SDVariable e = g.math.exp(s0.sub(new StopGradient(g, s0.max(true, 1)).outputVariable()));
            SDVariable pt = g.identity(SELF_TEACHER_PROBS, e.div(e.sum(true, 1)));
            targets = regroup.mmul(pt);
        } else {
            targets = g.placeHolder(TARGETS, dataType, -1, headConfig.outDim());
        }
        SDVariable weights = g.placeHolder(ROW_WEIGHTS, dataType, -1, 1);
        SDVariable tau = g.placeHolder(TAU_S, dataType);
        SDVariable logp = g.nn.logSoftmax(student.div(tau));
        SDVariable ce = targets.mul(logp).sum(true, 1).neg();
        g.sum(LOSS, ce.mul(weights));
        g.setLossVariables(LOSS);
        return g;
    }

    /** The graph without the local-crop branch (training steps without local crops); built on first use. */
    private SameDiff globalOnlyGraph() {
        if (sdGlobalOnly == null) {
            sdGlobalOnly = sharedGraph(false, false);
        }
        return sdGlobalOnly;
    }

    /** The no-stop-gradient graph with or without the local branch; built on first use. */
    private SameDiff selfGraph(boolean withLocal) {
        int i = withLocal ? 1 : 0;
        if (sdSelf[i] == null) {
            sdSelf[i] = sharedGraph(withLocal, true);
        }
        return sdSelf[i];
    }

    /** The fused-loss graph with or without the local branch; built on first use, with its logits hook. */
    private SameDiff fusedGraph(boolean withLocal) {
        int i = withLocal ? 1 : 0;
        if (sdFused[i] == null) {
            sdFused[i] = sharedGraph(withLocal, false, true);
            sdFused[i].addListeners(hook);
        }
        return sdFused[i];
    }

    /** A graph variant whose parameters are views of this model's flat buffer, with its gradient function. */
    private SameDiff sharedGraph(boolean withLocal, boolean selfTargets) {
        return sharedGraph(withLocal, selfTargets, false);
    }

    private SameDiff sharedGraph(boolean withLocal, boolean selfTargets, boolean fusedLoss) {
        SameDiff g = build(withLocal, selfTargets, fusedLoss, new Random(0));
        for (ParamInfo pi : infos) {
            g.associateArrayWithVariable(view(params, pi), pi.name());
        }
        DinoRuntime.quietly(() -> {
            g.createGradFunction();
            return null;
        });
        return g;
    }

    /**
     * Adds the drop-path factor placeholders (only for a ViT with drop path): sampled from {@code rng}, or ones
     * (no drop) when {@code rng} is null.
     */
    private void putDropPath(Map<String, INDArray> ph, INDArray globals, INDArray locals, Random rng) {
        if (dropPath == null) {
            return;
        }
        ph.put(VisionTransformer.dropPathName(BACKBONE_SCOPE, 0), dropFactors((int) globals.size(0), rng));
        if (locals != null) {
            ph.put(VisionTransformer.dropPathName(BACKBONE_SCOPE, 1), dropFactors((int) locals.size(0), rng));
        }
    }

    private INDArray dropFactors(int rows, Random rng) {
        return rng == null ? DropPath.identity(dropPath, rows, dataType) : DropPath.sample(dropPath, rows, rng, dataType);
    }

    private Map<String, INDArray> evalFeed(INDArray globals, INDArray locals) {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(GLOBAL_CROPS, globals);
        if (locals != null) {
            ph.put(LOCAL_CROPS, locals);
        }
        putDropPath(ph, globals, locals, null);
        return ph;
    }

    /**
     * Makes the calling thread's sessions of {@code g} (and of its gradient function) use this project's memory
     * manager, never SameDiff's array cache (dl4j-notes trap 2): {@link ReleasingMemoryMgr} (intermediates freed
     * at their last use, the rest right after a gradient execution) or {@code NoOpMemoryMgr} (everything left to
     * the GC). Chosen by {@code -Ddino4j.samediff.memory=release|gc|auto}; {@code auto} (default) = release when
     * tcmalloc is preloaded (as {@code ./dino} does), else gc. Measured on the reference step
     * (docs/performance.md, "Session 3"): release + tcmalloc cut the kernel's page-fault time from 19–23 s to 8 s
     * per benchmark run and gave the fastest steps, while release on glibc's malloc was slower than gc
     * (glibc unmaps and re-maps the large blocks, so freeing early buys nothing there).
     */
    private static void noArrayCache(SameDiff g) {
        install(g);
        SameDiff grad = g.getFunction("grad");
        if (grad != null) {
            install(grad);
        }
    }

    /** {@code release} or {@code gc}: see {@link #noArrayCache}; tests switch it. */
    static volatile String memoryMode = memoryModeFromProperty();

    private static String memoryModeFromProperty() {
        String m = System.getProperty("dino4j.samediff.memory", "auto").trim().toLowerCase(java.util.Locale.ROOT);
        switch (m) {
            case "release":
            case "gc":
                return m;
            case "auto":
                return ReleasingMemoryMgr.tcmallocPreloaded() ? "release" : "gc";
            default:
                throw new IllegalArgumentException("system property dino4j.samediff.memory must be release, gc or auto, got '"
                        + m + "'");
        }
    }

    /** @return the session memory mode in use: {@code release} or {@code gc} (see {@link #noArrayCache}) */
    public static String sessionMemoryMode() {
        return memoryMode;
    }

    private static void install(SameDiff g) {
        long id = Thread.currentThread().getId();
        InferenceSession s = g.getSessions().get(id);
        if (s == null) {
            s = new InferenceSession(g);
            g.getSessions().put(id, s);
        }
        forgetFreedIds(s);
        if (memoryMode.equals("gc")) {
            if (!(s.getMmgr() instanceof NoOpMemoryMgr)) {
                s.setMmgr(new NoOpMemoryMgr());
            }
            return;
        }
        if (s.getMmgr() instanceof ReleasingMemoryMgr r) {
            r.beginExecution();
        } else {
            s.setMmgr(new ReleasingMemoryMgr());
        }
    }

    /** InferenceSession.freedArrays (ND4J 1.0.0-M2.1), or null where this ND4J has no such field. */
    private static final java.lang.reflect.Field FREED_ARRAYS = freedArraysField();

    private static java.lang.reflect.Field freedArraysField() {
        try {
            java.lang.reflect.Field f = InferenceSession.class.getDeclaredField("freedArrays");
            f.setAccessible(true);
            return java.util.Set.class.isAssignableFrom(f.getType()) ? f : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Empties the session's set of released array ids before an execution. ND4J 1.0.0-M2.1's {@code InferenceSession}
     * adds the id of every array it releases to a {@code LinkedHashSet<Long>} that it never clears, so a long run
     * grows it by ~200 ids per step (1.4 M entries after ~8,000 steps of synthetic-long) and every full GC — the
     * trainer calls {@code System.gc()} each step — walks it: the GC thread took ~90 % of a core and the step slowed
     * from ~280 to ~170 images/s. The set only guards against releasing one array twice within an execution; ids are
     * never reused, and this project's memory managers release only arrays they allocated, so forgetting earlier
     * executions' ids is safe.
     */
    static void forgetFreedIds(InferenceSession s) {
        if (FREED_ARRAYS == null) {
            return;
        }
        try {
            Object set = FREED_ARRAYS.get(s);
            if (set instanceof java.util.Set<?> ids) {
                ids.clear();
            }
        } catch (IllegalAccessException e) {
            // not reachable after setAccessible; leave the set alone
        }
    }

    /** Test hook: how many released array ids the calling thread's session of the training graph's gradient function holds (-1: unknown). */
    int freedIdsHeld() {
        InferenceSession s = session(true);
        if (s == null || FREED_ARRAYS == null) {
            return -1;
        }
        try {
            return ((java.util.Set<?>) FREED_ARRAYS.get(s)).size();
        } catch (IllegalAccessException e) {
            return -1;
        }
    }

    /**
     * After a gradient execution whose outputs were consumed: frees what the sessions of {@code g} and of its
     * gradient function allocated and did not release (activations, gradients), except {@code keep}.
     */
    private static void releaseExecution(SameDiff g, INDArray... keep) {
        long id = Thread.currentThread().getId();
        for (SameDiff f : new SameDiff[] {g, g.getFunction("grad")}) {
            InferenceSession s = f == null ? null : f.getSessions().get(id);
            if (s != null && s.getMmgr() instanceof ReleasingMemoryMgr r) {
                r.releaseAll(keep);
            }
        }
    }

    /** Test hook: the memory manager of the calling thread's session of the student graph (forward) or of the gradient function lossAndGradients ran with local crops. */
    org.nd4j.autodiff.samediff.internal.SessionMemMgr sessionMemoryManager(boolean gradientFunction) {
        InferenceSession s = session(gradientFunction);
        return s == null ? null : s.getMmgr();
    }

    /** The calling thread's session of the student graph (forward) or of the gradient function lossAndGradients ran with local crops; null if none yet. */
    private InferenceSession session(boolean gradientFunction) {
        SameDiff training = fusedLoss && sdFused[1] != null ? sdFused[1] : sd; // the graph lossAndGradients runs (with locals)
        SameDiff g = gradientFunction ? training.getFunction("grad") : sd;
        return g == null ? null : g.getSessions().get(Thread.currentThread().getId());
    }

    private static INDArray owned(INDArray a) {
        return a.ordering() == 'c' && !a.isView() ? a : a.dup('c');
    }

    // ------------------------------------------------------------------------------------------ checks

    private void checkImages(String what, INDArray x, boolean nullable) {
        if (x == null) {
            if (nullable) {
                return;
            }
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (x.rank() != 4) {
            throw new IllegalArgumentException(what + " must be [B, C, H, W], got shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        if (x.size(1) != backbone.inChannels()) {
            throw new IllegalArgumentException(what + " must have " + backbone.inChannels() + " channels, got "
                    + x.size(1));
        }
        if (x.size(2) < backbone.minInputSize() || x.size(3) < backbone.minInputSize()) {
            throw new IllegalArgumentException(what + " height/width must be >= minInputSize "
                    + backbone.minInputSize() + ", got " + x.size(2) + "x" + x.size(3));
        }
        if (x.size(0) < 1) {
            throw new IllegalArgumentException(what + " must have at least one row, got " + x.size(0));
        }
        if (x.dataType() != dataType) {
            throw new IllegalArgumentException(what + " must be " + dataType + ", got " + x.dataType());
        }
    }

    // ------------------------------------------------------------------------------------------ forward

    /**
     * Backbone features (forward only).
     *
     * @param images {@code [B, C, H, W]}, H, W &gt;= {@code minInputSize()}
     * @return features {@code [B, D]}
     */
    public INDArray features(INDArray images) {
        checkImages("images", images, false);
        return run(sd, evalFeed(images, null), FEATURES);
    }

    /**
     * ℓ2-normalised head bottleneck of the global crops (forward only; for diagnostics and tests).
     *
     * @param globals {@code [B, C, H, W]}
     * @return {@code [B, bottleneck]}
     */
    public INDArray globalEmbedding(INDArray globals) {
        checkImages("globals", globals, false);
        return run(sd, evalFeed(globals, null), GLOBAL_EMBEDDING);
    }

    /**
     * Head logits of the global crops (the teacher's forward).
     *
     * @param globals {@code [2B, C, Hg, Wg]}
     * @return {@code [2B, K]}
     */
    public INDArray globalLogits(INDArray globals) {
        checkImages("globals", globals, false);
        return run(sd, evalFeed(globals, null), GLOBAL_LOGITS);
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
        checkImages("globals", globals, false);
        if (!sd.hasVariable(variable)) {
            throw new IllegalArgumentException("variable must be a variable of the model graph, got \"" + variable + "\"");
        }
        return run(sd, evalFeed(globals, null), variable);
    }

    /**
     * Student logits (forward only): global rows then local rows.
     *
     * @param globals {@code [2B, C, Hg, Wg]}
     * @param locals {@code [N·B, C, Hl, Wl]} or null (then the result equals {@link #globalLogits})
     * @return {@code [(2+N)B, K]}
     */
    public INDArray studentLogits(INDArray globals, INDArray locals) {
        checkImages("globals", globals, false);
        checkImages("locals", locals, true);
        if (locals == null) {
            return run(sd, evalFeed(globals, null), GLOBAL_LOGITS);
        }
        return run(sd, evalFeed(globals, locals), STUDENT_LOGITS);
    }

    private static INDArray run(SameDiff g, Map<String, INDArray> ph, String out) {
        noArrayCache(g);
        return owned(g.output(ph, out).get(out));
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
        checkImages("globals", globals, false);
        checkImages("locals", locals, true);
        long rows = globals.size(0) + (locals == null ? 0 : locals.size(0));
        if (targets == null || targets.rank() != 2 || targets.size(0) != rows
                || targets.size(1) != headConfig.outDim()) {
            throw new IllegalArgumentException("targets must be [" + rows + ", " + headConfig.outDim() + "], got "
                    + (targets == null ? "null" : java.util.Arrays.toString(targets.shape())));
        }
        if (targets.dataType() != dataType) {
            throw new IllegalArgumentException("targets must be " + dataType + ", got " + targets.dataType());
        }
        checkWeightsAndTau(rows, rowWeights, tauS);
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(GLOBAL_CROPS, globals);
        if (locals != null) {
            ph.put(LOCAL_CROPS, locals);
        }
        putDropPath(ph, globals, locals, dropPathRng);
        INDArray w = rowWeights.rank() == 2 ? rowWeights : rowWeights.reshape(rows, 1);
        if (fusedLoss) {
            return fusedLossAndGradients(ph, locals != null, rows, targets, w, tauS);
        }
        ph.put(TARGETS, targets);
        ph.put(ROW_WEIGHTS, w);
        ph.put(TAU_S, Nd4j.scalar(dataType, tauS));
        SameDiff g = locals == null ? globalOnlyGraph() : sd;
        noArrayCache(g);
        OutAndGrad r = g.calculateGradientsAndOutputs(ph, List.of(LOSS), paramNames);
        copyGradients(r.getGradients());
        double loss = r.getOutputs().get(LOSS).getDouble(0);
        releaseExecution(g);
        return loss;
    }

    /**
     * The fused path of {@link #lossAndGradients}: one gradient execution of the fused graph, whose
     * {@link LogitGradHook} computes L and dL/dz with {@link SoftTargetCrossEntropy} into the reused
     * {@link #STUDENT_LOGITS_GRAD} array as soon as the student logits exist; the backward pass then starts from it.
     */
    private double fusedLossAndGradients(Map<String, INDArray> ph, boolean withLocal, long rows, INDArray targets,
                                         INDArray rowWeights, double tauS) {
        if (logitGrad == null || logitGrad.size(0) != rows || logitGrad.ordering() != logitGradOrder) {
            logitGrad = Nd4j.create(dataType, new long[] {rows, headConfig.outDim()}, logitGradOrder);
        }
        if (ceKernel == null) {
            ceKernel = new SoftTargetCrossEntropy(Math.max(1, DinoRuntime.threads()));
        }
        ph.put(STUDENT_LOGITS_GRAD, logitGrad);
        SameDiff g = fusedGraph(withLocal);
        noArrayCache(g);
        hook.arm(targets, rowWeights, tauS);
        try {
            copyGradients(g.calculateGradients(ph, paramNames));
        } finally {
            hook.disarm();
        }
        if (!hook.fired) {
            throw new IllegalStateException("the fused loss hook never saw " + STUDENT_LOGITS + " (SameDiff did not report "
                    + "the op to its listeners); run with -Ddino4j.loss=graph");
        }
        releaseExecution(g);
        return hook.loss;
    }

    /**
     * @param on true (default, {@code -Ddino4j.loss=fused}): {@link #lossAndGradients} computes the loss and dL/dz
     *           with {@link SoftTargetCrossEntropy} and back-propagates from them; false ({@code -Ddino4j.loss=graph}):
     *           the cross-entropy is differentiated inside the SameDiff graph ({@link #graph()}'s {@link #LOSS}).
     *           Same loss and gradients up to float rounding (tested in DOUBLE); the fused path is ~350 ms faster per
     *           reference step (docs/performance.md, "Session 4").
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
        switch (m) {
            case "fused":
                return true;
            case "graph":
                return false;
            default:
                throw new IllegalArgumentException("system property dino4j.loss must be fused or graph, got '" + m + "'");
        }
    }

    /**
     * Listener of the fused graphs: when the op producing {@link #STUDENT_LOGITS} has run (forward part of the
     * gradient execution), writes L and dL/dz into {@link #logitGrad}. SameDiff calls listeners synchronously after
     * each op, before any op that consumes its output, and reads placeholder arrays in place, so the multiply's
     * backward sees the filled array — the JVM counterpart of a custom {@code torch.autograd.Function}.
     */
    private final class LogitGradHook extends BaseListener {
        private INDArray targets;
        private INDArray weights;
        private double tau;
        private boolean armed;
        private boolean fired;
        private double loss;

        void arm(INDArray t, INDArray w, double tauS) {
            targets = t;
            weights = w;
            tau = tauS;
            armed = true;
            fired = false;
        }

        void disarm() {
            armed = false;
            targets = null;
            weights = null;
        }

        @Override
        public boolean isActive(Operation operation) {
            return armed;
        }

        @Override
        public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
                                INDArray[] outputs) {
            if (!armed || fired) {
                return;
            }
            List<String> outs = op.getOutputsOfOp();
            int i = outs == null ? -1 : outs.indexOf(STUDENT_LOGITS);
            if (i < 0) {
                return;
            }
            INDArray z = outputs[i];
            loss = ceKernel.lossAndGradient(z, targets, weights, tau, logitGrad);
            logitGradOrder = z.ordering();
            fired = true;
        }
    }

    private void checkWeightsAndTau(long rows, INDArray rowWeights, double tauS) {
        if (rowWeights == null || rowWeights.length() != rows || rowWeights.rank() > 2
                || (rowWeights.rank() == 2 && rowWeights.size(1) != 1)) {
            throw new IllegalArgumentException("rowWeights must be [" + rows + ", 1] or [" + rows + "], got "
                    + (rowWeights == null ? "null" : java.util.Arrays.toString(rowWeights.shape())));
        }
        if (rowWeights.dataType() != dataType) {
            throw new IllegalArgumentException("rowWeights must be " + dataType + ", got " + rowWeights.dataType());
        }
        if (!(tauS > 0) || Double.isInfinite(tauS)) {
            throw new IllegalArgumentException("tauS must be > 0 and finite, got " + tauS);
        }
    }

    private void copyGradients(Map<String, INDArray> grads) {
        for (int i = 0; i < gradViews.length; i++) {
            INDArray gi = grads.get(infos.get(i).name());
            if (gi == null) {
                gradViews[i].assign(0);
            } else {
                gradViews[i].assign(gi.ordering() == 'c' ? gi : gi.dup('c'));
            }
        }
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
        if (numLocal < 0 || batch < 1) {
            throw new IllegalArgumentException("need numLocal >= 0 and batch >= 1, got numLocal=" + numLocal
                    + ", batch=" + batch);
        }
        int rows = (2 + numLocal) * batch;
        double[][] r = new double[rows][2 * batch];
        for (int b = 0; b < batch; b++) {
            r[b][batch + b] = 1;
            r[batch + b][b] = 1;
            for (int v = 2; v < 2 + numLocal; v++) {
                r[v * batch + b][b] = 0.5;
                r[v * batch + b][batch + b] = 0.5;
            }
        }
        return Nd4j.createFromArray(r).castTo(dataType);
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
        checkImages("globals", globals, false);
        checkImages("locals", locals, true);
        long rows = globals.size(0) + (locals == null ? 0 : locals.size(0));
        checkWeightsAndTau(rows, rowWeights, tauS);
        int k = headConfig.outDim();
        if (center == null || center.length() != k || center.dataType() != dataType) {
            throw new IllegalArgumentException("center must be " + dataType + " [1, " + k + "], got "
                    + (center == null ? "null" : center.dataType() + " " + java.util.Arrays.toString(center.shape())));
        }
        if (!(tauT > 0) || Double.isInfinite(tauT)) {
            throw new IllegalArgumentException("tauT must be > 0 and finite, got " + tauT);
        }
        if (regroup == null || regroup.rank() != 2 || regroup.size(0) != rows || regroup.size(1) != globals.size(0)
                || regroup.dataType() != dataType) {
            throw new IllegalArgumentException("regroup must be " + dataType + " [" + rows + ", " + globals.size(0)
                    + "], got " + (regroup == null ? "null" : java.util.Arrays.toString(regroup.shape())));
        }
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(GLOBAL_CROPS, globals);
        if (locals != null) {
            ph.put(LOCAL_CROPS, locals);
        }
        putDropPath(ph, globals, locals, dropPathRng);
        ph.put(CENTER, center.reshape(1, k));
        ph.put(TAU_T, Nd4j.scalar(dataType, tauT));
        ph.put(REGROUP, regroup);
        ph.put(ROW_WEIGHTS, rowWeights.rank() == 2 ? rowWeights : rowWeights.reshape(rows, 1));
        ph.put(TAU_S, Nd4j.scalar(dataType, tauS));
        SameDiff g = selfGraph(locals != null);
        noArrayCache(g);
        OutAndGrad r = g.calculateGradientsAndOutputs(ph, List.of(LOSS, GLOBAL_LOGITS), paramNames);
        copyGradients(r.getGradients());
        INDArray logits = owned(r.getOutputs().get(GLOBAL_LOGITS));
        SelfDistillStep step = new SelfDistillStep(r.getOutputs().get(LOSS).getDouble(0), logits);
        releaseExecution(g, logits);
        return step;
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
     * The underlying graph (with placeholders/outputs named by this class's constants, its {@link #LOSS} the in-graph
     * cross-entropy), for validation tools such as gradient checks. Do not add variables to it. The calling thread's
     * sessions of it are switched to this class's memory manager first (no SameDiff array cache: with the cache, the
     * second {@code output} call on a thread returned a different loss, dl4j-notes trap 2); other threads must call
     * this method too before executing it.
     *
     * @return the SameDiff graph
     */
    public SameDiff graph() {
        noArrayCache(sd);
        return sd;
    }

    /**
     * The graph {@link #lossAndGradients} executes (for profilers and other listeners): with the fused loss (default)
     * the fused-loss graph, whose loss variable is Σ z ⊙ {@link #STUDENT_LOGITS_GRAD}, built on first use; else
     * {@link #graph()} (with local crops) or its global-only variant. Same parameters (views of {@link #params()}).
     *
     * @param withLocal the variant with the local-crop branch
     * @return the SameDiff graph
     */
    public SameDiff trainingGraph(boolean withLocal) {
        SameDiff g = fusedLoss ? fusedGraph(withLocal) : withLocal ? sd : globalOnlyGraph();
        noArrayCache(g);
        return g;
    }

    /**
     * An independent model (separate SameDiff graph and flat buffers) with the same architecture whose
     * parameters start as an exact copy of this one's — e.g. the teacher built from the student.
     *
     * @return the copy
     */
    public DinoModel copy() {
        return new DinoModel(backbone, headConfig, dataType, 0L, params);
    }

    // ------------------------------------------------------------------------------------------ files

    /**
     * Writes the architecture (backbone and head config, data type) and the flat parameters.
     *
     * @param file destination
     * @throws IOException on write failure
     */
    public void save(Path file) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        try (ObjectOutputStream oos = new ObjectOutputStream(header)) {
            oos.writeObject(backbone);
            oos.writeObject(headConfig);
            oos.writeUTF(dataType.name());
        }
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(
                Files.newOutputStream(file)))) {
            out.writeInt(FILE_MAGIC);
            out.writeInt(FILE_VERSION);
            byte[] h = header.toByteArray();
            out.writeInt(h.length);
            out.write(h);
            Nd4j.write(params, out);
        }
    }

    /**
     * Reads a model written by {@link #save}.
     *
     * @param file source
     * @return the model with the saved parameters
     * @throws IOException if the file is missing, not a dino4j model file, or corrupt
     */
    public static DinoModel load(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != FILE_MAGIC) {
                throw new IOException("not a dino4j model file: " + file);
            }
            int version = in.readInt();
            if (version != FILE_VERSION) {
                throw new IOException("unsupported dino4j model file version " + version + " in " + file);
            }
            byte[] h = new byte[in.readInt()];
            in.readFully(h);
            Backbone bb;
            DinoHeadConfig hc;
            DataType dt;
            try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(h))) {
                bb = (Backbone) ois.readObject();
                hc = (DinoHeadConfig) ois.readObject();
                dt = DataType.valueOf(ois.readUTF());
            } catch (ClassNotFoundException | ClassCastException | IllegalArgumentException e) {
                throw new IOException("corrupt dino4j model header in " + file + ": " + e, e);
            }
            INDArray p = Nd4j.read(in);
            DinoModel m = new DinoModel(bb, hc, dt, 0L, null);
            if (p.length() != m.params.length()) {
                throw new IOException("parameter count " + p.length() + " in " + file + " does not match the "
                        + "architecture's " + m.params.length());
            }
            m.params.assign(p.reshape(1, p.length()));
            return m;
        }
    }

    /**
     * Saves the backbone alone as a SameDiff file ({@code sd.save(file, false)}): placeholder {@link #IMAGES}
     * {@code [-1, C, -1, -1]}, output {@link #FEATURES} {@code [B, D]}, current parameter values.
     *
     * @param file destination
     * @throws IOException on write failure
     */
    public void exportBackbone(Path file) throws IOException {
        SameDiff g = SameDiff.create();
        SDVariable x = g.placeHolder(IMAGES, dataType, -1, backbone.inChannels(), -1, -1);
        // inference graph: a ViT without drop path (same parameters, no factor placeholder)
        Backbone exported = dropPath == null ? backbone : new VisionTransformer(dropPath.withDropPath(0));
        Backbone.Instance f = exported.define(g, BACKBONE_SCOPE, dataType, new Random(0));
        g.identity(FEATURES, f.apply(x));
        for (ParamInfo pi : infos) {
            if (pi.name().startsWith(BACKBONE_SCOPE + "/")) {
                g.getArrForVarName(pi.name()).assign(view(params, pi));
            }
        }
        try {
            g.save(file.toFile(), false);
        } catch (RuntimeException e) {
            throw new IOException("could not write backbone graph " + file + ": " + e, e);
        }
    }
}

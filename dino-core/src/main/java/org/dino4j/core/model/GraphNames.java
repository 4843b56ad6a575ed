package org.dino4j.core.model;

/**
 * The names of a {@link DinoModel}'s graph variables (contracts: tests, tools and execution plans refer to them).
 * <ul>
 *   <li>placeholders {@link #GLOBAL_CROPS} {@code [2B, C, Hg, Wg]} and {@link #LOCAL_CROPS}
 *       {@code [N·B, C, Hl, Wl]} (view-major, see docs/CONTRACTS.md);</li>
 *   <li>{@link #FEATURES} {@code [2B, D]} = f(global crops); {@link #GLOBAL_EMBEDDING} {@code [2B, bottleneck]}
 *       the ℓ2-normalised bottleneck; {@link #GLOBAL_LOGITS} {@code [2B, K]} = g(global crops) (teacher path);</li>
 *   <li>{@link #STUDENT_LOGITS} {@code [(2+N)B, K]}: global rows then local rows;</li>
 *   <li>{@link #LOSS} = Σ_r w_r · (−Σ_k t_{r,k} · log softmax(z_r/τ_s)_k) with placeholders {@link #TARGETS}
 *       {@code [(2+N)B, K]} (teacher targets computed outside the graph: no gradient can reach the teacher),
 *       {@link #ROW_WEIGHTS} {@code [(2+N)B, 1]} and the scalar {@link #TAU_S} (paper Eq. 1–3).</li>
 *   <li>the no-stop-gradient graph ({@link SelfDistillation}) adds {@link #CENTER}, {@link #TAU_T}, {@link #REGROUP} and
 *       the differentiable teacher output {@link #SELF_TEACHER_PROBS}; the fused-loss graphs' loss is
 *       Σ z ⊙ {@link #STUDENT_LOGITS_GRAD};</li>
 *   <li>parameters are named under {@link #BACKBONE_SCOPE} and {@link #HEAD_SCOPE}; an exported backbone reads
 *       {@link #IMAGES}.</li>
 * </ul>
 */
public final class GraphNames {
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
    /** Placeholder of the no-stop-gradient graph: regrouping matrix {@code [(2+N)B, 2B]} ({@link SelfDistillation#regroupMatrix}). */
    public static final String REGROUP = "regroup";
    /** Output of the no-stop-gradient graph: p_t = softmax((z_g − c)/τ_t) {@code [2B, K]}, differentiable. */
    public static final String SELF_TEACHER_PROBS = "self_teacher_probs";
    /** Name prefix of the backbone's parameters. */
    public static final String BACKBONE_SCOPE = "backbone";
    /** Name prefix of the head's parameters. */
    public static final String HEAD_SCOPE = "head";
    /** Placeholder of the exported backbone graph ({@link DinoModel#exportBackbone}): images {@code [B, C, H, W]}. */
    public static final String IMAGES = "images";
    /** Name prefix of the head's last layer's parameters (frozen during DINO's first epoch). */
    public static final String LAST_LAYER_PREFIX = HEAD_SCOPE + "/" + DinoHead.LAST_LAYER + "/";

    private GraphNames() {
    }
}

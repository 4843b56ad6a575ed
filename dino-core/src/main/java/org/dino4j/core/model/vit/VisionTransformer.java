package org.dino4j.core.model.vit;

import java.util.Objects;
import java.util.Random;
import org.dino4j.core.model.Activations;
import org.dino4j.core.model.Backbone;
import org.dino4j.core.model.BackboneFactory;
import org.dino4j.core.model.GraphScope;
import org.dino4j.core.model.Init;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Vision Transformer backbone (Dosovitskiy et al. 2021) as used by DINO (Caron et al. 2021), written in SameDiff
 * ops behind the {@link Backbone} interface. Layout: see {@link VitConfig}. Images {@code [B, C, H, W]} →
 * features {@code [B, D]} (the CLS token after the final LayerNorm).
 *
 * <p><b>Any crop size, one graph.</b> {@link org.dino4j.core.model.DinoModel} declares its placeholders as
 * {@code [-1, C, -1, -1]}, so the patch grid gh×gw = ⌊H/p⌋×⌊W/p⌋ is known only at run time. The graph therefore
 * reads H, W, B from the input ({@code sizeAt} of the images, a non-trainable path) and builds the bilinear
 * interpolation weights R_h {@code [gh, G]}, R_w {@code [gw, G]} from them ({@link PositionInterpolation} gives
 * the formula); the position embeddings of the patches are M·pos with M = R_h ⊗ R_w {@code [gh·gw, G²]}, a
 * matmul with the trainable {@code pos_embed [G², D]} (exact and differentiable; M is the identity when the grid
 * equals the stored one). Reshapes to {@code [B, T, ...]} use shape vectors computed from the same sizes. The
 * {@link Backbone} interface needs no change: 28² global and 12²–16² local crops go through the same parameters.
 *
 * <p><b>Tokens.</b> Patch embedding: convolution with kernel = stride = p (VALID) {@code [p, p, C, D]} + bias →
 * {@code [B, D, gh, gw]} → tokens {@code [B, gh·gw, D]} in row-major patch order; a learnable CLS token
 * {@code [1, 1, D]} plus its own (not interpolated) position embedding {@code cls_pos [1, 1, D]} is prepended:
 * T = 1 + gh·gw. The residual stream is kept as {@code [B·T, D]}.
 *
 * <p><b>Block</b> (pre-norm): x ← x + W_o·MHSA(LN₁(x)); x ← x + MLP(LN₂(x)) with MLP = fc2(GELU(fc1(·))). The
 * attention is written out: q, k, v {@code [B, heads, T, D/heads]}, A = softmax(q·kᵀ/√(D/heads)) on the last
 * axis (max-shifted, exp, normalised; the max is a stop-gradient, which does not change the gradient since
 * softmax is shift-invariant), output A·v. The last block's A {@code [B, heads, T, T]} is a named graph variable:
 * {@link #attentionName(String, int)}; with DinoModel's scope the global crops' one is {@link #ATTENTION_LAST}.
 * GELU uses the tanh form 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) (Hendrycks &amp; Gimpel 2016); PyTorch's
 * {@code nn.GELU()} uses the exact erf form (they differ by &lt; 5e-4), which {@link VitConfig#exactGelu()} selects. LayerNorm is written in ops (two-pass
 * mean/variance over the last axis, biased variance, eps {@link VitConfig#layerNormEps()}).
 *
 * <p><b>Parameters</b> (under the scope): {@code patch_w [p,p,C,D]}, {@code patch_b [D]}, {@code cls_token
 * [1,1,D]}, {@code cls_pos [1,1,D]}, {@code pos_embed [G², D]}, per block i {@code blk<i>/ln1_gain, ln1_bias
 * [D]}, {@code blk<i>/q_w, k_w, v_w, proj_w [D,D]} and {@code _b [D]}, {@code blk<i>/ln2_gain, ln2_bias},
 * {@code blk<i>/fc1_w [D,H]}, {@code fc1_b [H]}, {@code fc2_w [H,D]}, {@code fc2_b [D]}, and {@code norm_gain,
 * norm_bias [D]}. Initialisation as the official code: linear weights N(0, 0.02²) (the official
 * {@code trunc_normal_(std=.02)} cuts at ±2 absolute, i.e. at 100σ, so it is a plain normal), biases 0, LayerNorm
 * gains 1 and biases 0, {@code cls_token}, {@code cls_pos}, {@code pos_embed} truncated normal std 0.02 cut at
 * ±2σ, the patch convolution PyTorch's default U(±1/√(p²C)) for weight and bias. All values come from the given
 * {@link Random} in a fixed order. The official q, k, v are one {@code qkv} linear layer; three are equivalent.
 *
 * <p><b>Drop path</b> ({@link VitConfig#dropPath()} &gt; 0, see {@link DropPath}): each {@code apply} call k
 * then adds a placeholder {@link #dropPathName(String, int) scope/drop_path[_k]} {@code [B, 2·depth]} of
 * per-sample factors that multiply the two residual branches of every block whose rate is &gt; 0
 * (x ← x + f_{b,2i}·attn(…); x ← x + f_{b,2i+1}·mlp(…)). The placeholder is a {@link GraphScope#stepInput}: a
 * {@link org.dino4j.core.model.DinoModel} feeds factors sampled from the training step's seeded {@link Random} to the
 * student and ones everywhere else (evaluation = no drop). With rate 0 the graph has no such placeholder and no extra
 * op.
 */
public final class VisionTransformer implements Backbone {
    private static final long serialVersionUID = 1L;

    /** Suffix of the last block's attention-probability variable under the backbone scope. */
    public static final String ATTENTION_LAST_SUFFIX = "attention_last";
    /**
     * Last block's attention probabilities {@code [B, heads, T, T]} of the GLOBAL crops in a
     * {@link org.dino4j.core.model.DinoModel} graph (scope {@code "backbone"}, first {@code apply}); row 0 is
     * the CLS query, columns 1..T−1 the patches in row-major order.
     */
    public static final String ATTENTION_LAST = "backbone/" + ATTENTION_LAST_SUFFIX;

    private final VitConfig config;

    /**
     * @param config validated architecture
     */
    public VisionTransformer(VitConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Name of the last block's attention {@code [B, heads, T, T]} for the k-th {@code apply} (0-based) of an
     * instance defined under {@code scope}: {@code scope/attention_last} for k = 0, {@code
     * scope/attention_last_k} otherwise.
     *
     * @param scope the scope given to {@link #define}
     * @param applyIndex 0 for the first {@code apply} call (DinoModel: global crops), 1 for the second, ...
     * @return the variable name
     */
    public static String attentionName(String scope, int applyIndex) {
        return scope + "/" + ATTENTION_LAST_SUFFIX + (applyIndex == 0 ? "" : "_" + applyIndex);
    }

    /**
     * Name of the drop-path factor placeholder {@code [B, 2·depth]} of the k-th {@code apply} (0-based) under
     * {@code scope} (present only when {@link VitConfig#dropPath()} &gt; 0): {@code scope/drop_path} for k = 0,
     * {@code scope/drop_path_k} otherwise.
     *
     * @param scope the scope given to {@link #define}
     * @param applyIndex 0 for the first {@code apply} call (DinoModel: global crops), 1 for the second, ...
     * @return the placeholder name
     */
    public static String dropPathName(String scope, int applyIndex) {
        return scope + "/" + dropPathLocal(applyIndex);
    }

    /** @return the architecture */
    public VitConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "vit";
    }

    @Override
    public int inChannels() {
        return config.inChannels();
    }

    @Override
    public int featureDim() {
        return config.embedDim();
    }

    /** @return the patch size (one patch is the smallest input) */
    @Override
    public int minInputSize() {
        return config.patchSize();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VisionTransformer v && v.config.equals(config);
    }

    @Override
    public int hashCode() {
        return config.hashCode();
    }

    @Override
    public String toString() {
        return "VisionTransformer" + config;
    }

    /** One block's parameters. */
    private record Block(SDVariable ln1g, SDVariable ln1b, SDVariable qw, SDVariable qb, SDVariable kw,
                         SDVariable kb, SDVariable vw, SDVariable vb, SDVariable pw, SDVariable pb,
                         SDVariable ln2g, SDVariable ln2b, SDVariable f1w, SDVariable f1b, SDVariable f2w,
                         SDVariable f2b) {
    }

    /**
     * Weight matrices, the patch kernel, the CLS token and the position embeddings take weight decay (as the official
     * {@code get_params_groups}: every tensor with more than one dimension), biases and LayerNorm gains/shifts do not.
     * With drop path each {@code apply} declares its factor placeholder as a step input: sampled from the training
     * call's {@link Random}, ones otherwise.
     */
    @Override
    public Instance define(GraphScope g) {
        final SameDiff sd = g.sd();
        final DataType dt = g.dataType();
        final Random rng = g.rng();
        final int d = config.embedDim();
        final int p = config.patchSize();
        final int c = config.inChannels();
        final int base = config.basePatchGrid();
        final int hid = config.mlpHidden();
        double pb = 1.0 / Math.sqrt((double) p * p * c);
        final SDVariable patchW = g.param("patch_w", Init.uniform(rng, pb, dt, p, p, c, d), true);
        final SDVariable patchB = g.param("patch_b", Init.uniform(rng, pb, dt, d), false);
        final SDVariable cls = g.param("cls_token", Init.truncNormal(rng, 0.02, dt, 1, 1, d), true);
        final SDVariable clsPos = g.param("cls_pos", Init.truncNormal(rng, 0.02, dt, 1, 1, d), true);
        final SDVariable pos = g.param("pos_embed", Init.truncNormal(rng, 0.02, dt, (long) base * base, d), true);
        final Block[] blocks = new Block[config.depth()];
        for (int i = 0; i < blocks.length; i++) {
            String b = "blk" + i + "/";
            blocks[i] = new Block(
                    g.param(b + "ln1_gain", Init.fill(1.0, dt, d), false), g.param(b + "ln1_bias", Init.fill(0.0, dt, d), false),
                    g.param(b + "q_w", Init.normal(rng, 0.02, dt, d, d), true), g.param(b + "q_b", Init.fill(0, dt, d), false),
                    g.param(b + "k_w", Init.normal(rng, 0.02, dt, d, d), true), g.param(b + "k_b", Init.fill(0, dt, d), false),
                    g.param(b + "v_w", Init.normal(rng, 0.02, dt, d, d), true), g.param(b + "v_b", Init.fill(0, dt, d), false),
                    g.param(b + "proj_w", Init.normal(rng, 0.02, dt, d, d), true),
                    g.param(b + "proj_b", Init.fill(0, dt, d), false),
                    g.param(b + "ln2_gain", Init.fill(1.0, dt, d), false), g.param(b + "ln2_bias", Init.fill(0.0, dt, d), false),
                    g.param(b + "fc1_w", Init.normal(rng, 0.02, dt, d, hid), true),
                    g.param(b + "fc1_b", Init.fill(0, dt, hid), false),
                    g.param(b + "fc2_w", Init.normal(rng, 0.02, dt, hid, d), true),
                    g.param(b + "fc2_b", Init.fill(0, dt, d), false));
        }
        final SDVariable normG = g.param("norm_gain", Init.fill(1.0, dt, d), false);
        final SDVariable normB = g.param("norm_bias", Init.fill(0.0, dt, d), false);
        final int[] applied = {0};
        final int dropCols = DropPath.columns(config);
        final String scope = g.scope();
        return images -> {
            int k = applied[0]++;
            SDVariable drop = dropCols == 0 ? null : g.stepInput(dropPathLocal(k), images, dropCols, (rows, training, type) ->
                    training == null ? DropPath.identity(config, Math.toIntExact(rows), type)
                            : DropPath.sample(config, Math.toIntExact(rows), training, type));
            return forward(sd, images, dt, patchW, patchB, cls, clsPos, pos, blocks, normG, normB,
                    attentionName(scope, k), drop);
        };
    }

    /** @return the same parameters without drop path (its factors are a training-only step input) */
    @Override
    public Backbone forInference() {
        return config.dropPath() > 0 ? new VisionTransformer(config.withDropPath(0)) : this;
    }

    private static String dropPathLocal(int applyIndex) {
        return "drop_path" + (applyIndex == 0 ? "" : "_" + applyIndex);
    }

    private SDVariable forward(SameDiff sd, SDVariable images, DataType dt, SDVariable patchW, SDVariable patchB,
                               SDVariable cls, SDVariable clsPos, SDVariable pos, Block[] blocks, SDVariable normG,
                               SDVariable normB, String attName, SDVariable drop) {
        final int d = config.embedDim();
        final int p = config.patchSize();
        final int base = config.basePatchGrid();
        final int heads = config.heads();
        final int hd = config.headDim();
        // ---- run-time sizes (from the input placeholder: no gradient flows here)
        SDVariable bL = sd.reshape(sd.castTo(sd.sizeAt(images, 0), DataType.LONG), 1);
        SDVariable ghF = sd.math.floor(sd.castTo(sd.sizeAt(images, 2), dt).div((double) p));
        SDVariable gwF = sd.math.floor(sd.castTo(sd.sizeAt(images, 3), dt).div((double) p));
        SDVariable tL = sd.reshape(sd.castTo(ghF.mul(gwF).add(1.0), DataType.LONG), 1);
        SDVariable shapeBTD = sd.concat(0, bL, tL, longs(sd, d));
        SDVariable shapeBTHE = sd.concat(0, bL, tL, longs(sd, heads, hd));
        // ---- interpolated position embeddings M·pos, M = R_h ⊗ R_w [gh·gw, G²]
        SDVariable rh = sd.reshape(axisWeights(sd, ghF, base, dt), -1, 1, base, 1);
        SDVariable rw = sd.reshape(axisWeights(sd, gwF, base, dt), 1, -1, 1, base);
        SDVariable m = sd.reshape(rh.mul(rw), -1, (long) base * base);
        SDVariable posG = m.mmul(pos); // [gh·gw, D]
        // ---- patch embedding + CLS
        Conv2DConfig cc = Conv2DConfig.builder().kH(p).kW(p).sH(p).sW(p).paddingMode(PaddingMode.VALID)
                .dataFormat(Conv2DConfig.NCHW).build();
        SDVariable conv = sd.cnn.conv2d(images, patchW, patchB, cc); // [B, D, gh, gw]
        SDVariable patches = sd.reshape(sd.permute(conv, 0, 2, 3, 1), -1, d); // [B·gh·gw, D]
        patches = sd.reshape(patches, sd.concat(0, bL, longs(sd, -1, d)))
                .add(sd.reshape(posG, 1, -1, d)); // [B, gh·gw, D]
        SDVariable ones = sd.fill(sd.concat(0, bL, longs(sd, 1, 1)), dt, 1.0); // [B,1,1]
        SDVariable clsB = ones.mul(cls.add(clsPos)); // [B, 1, D]
        SDVariable x = sd.reshape(sd.concat(1, clsB, patches), -1, d); // [B·T, D]
        // ---- blocks
        final double[] rates = DropPath.rates(config);
        for (int i = 0; i < blocks.length; i++) {
            final boolean dropHere = drop != null && rates[i] > 0;
            Block b = blocks[i];
            SDVariable h = layerNorm(x, b.ln1g(), b.ln1b());
            SDVariable q = heads(sd, sd.nn.linear(h, b.qw(), b.qb()), shapeBTHE);
            SDVariable k = heads(sd, sd.nn.linear(h, b.kw(), b.kb()), shapeBTHE);
            SDVariable v = heads(sd, sd.nn.linear(h, b.vw(), b.vb()), shapeBTHE);
            SDVariable scores = sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(hd)); // [B,h,T,T]
            SDVariable shift = new StopGradient(sd, scores.max(true, 3)).outputVariable();
            SDVariable e = sd.math.exp(scores.sub(shift));
            SDVariable att = e.div(e.sum(true, 3));
            if (i == blocks.length - 1) {
                att = sd.identity(attName, att);
            }
            SDVariable o = sd.permute(sd.mmul(att, v), 0, 2, 1, 3); // [B, T, h, hd]
            SDVariable attnBranch = sd.nn.linear(sd.reshape(o, -1, d), b.pw(), b.pb());
            x = x.add(dropHere ? dropBranch(sd, attnBranch, drop, 2 * i, shapeBTD, d) : attnBranch);
            SDVariable h2 = layerNorm(x, b.ln2g(), b.ln2b());
            SDVariable hidden = sd.nn.linear(h2, b.f1w(), b.f1b());
            SDVariable act = config.exactGelu() ? Activations.geluExact(sd, hidden) : Activations.gelu(sd, hidden);
            SDVariable mlpBranch = sd.nn.linear(act, b.f2w(), b.f2b());
            x = x.add(dropHere ? dropBranch(sd, mlpBranch, drop, 2 * i + 1, shapeBTD, d) : mlpBranch);
        }
        SDVariable y = sd.reshape(layerNorm(x, normG, normB), shapeBTD); // [B, T, D]
        return sd.reshape(y.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.all()), -1, d);
    }

    /** A residual branch [B·T, D] times the per-sample factor column {@code col} of {@code drop [B, 2·depth]}. */
    private static SDVariable dropBranch(SameDiff sd, SDVariable branch, SDVariable drop, int col,
                                         SDVariable shapeBTD, int d) {
        SDVariable f = sd.reshape(drop.get(SDIndex.all(), SDIndex.point(col)), -1, 1, 1); // [B, 1, 1]
        return sd.reshape(sd.reshape(branch, shapeBTD).mul(f), -1, d);
    }

    /** [B·T, D] → [B, heads, T, D/heads]. */
    private static SDVariable heads(SameDiff sd, SDVariable x, SDVariable shapeBTHE) {
        return sd.permute(sd.reshape(x, shapeBTHE), 0, 2, 1, 3);
    }

    private static SDVariable longs(SameDiff sd, long... v) {
        return sd.constant(Nd4j.createFromArray(v));
    }

    /** In-graph {@link PositionInterpolation#axisWeights}: R {@code [g, G]} for a run-time scalar g. */
    private static SDVariable axisWeights(SameDiff sd, SDVariable g, int base, DataType dt) {
        SDVariable i = sd.range(sd.constant(Nd4j.scalar(dt, 0.0)), g, sd.constant(Nd4j.scalar(dt, 1.0)), dt);
        SDVariable src = i.add(0.5).mul(sd.constant(Nd4j.scalar(dt, (double) base)).div(g)).sub(0.5);
        src = sd.math.clipByValue(src, 0.0, base - 1.0);
        double[] a = new double[base];
        for (int k = 0; k < base; k++) {
            a[k] = k;
        }
        INDArray grid = Nd4j.createFromArray(a).castTo(dt).reshape(1, base);
        SDVariable diff = sd.math.abs(sd.reshape(src, -1, 1).sub(sd.constant(grid)));
        return sd.nn.relu(diff.rsub(1.0), 0);
    }

    /** LayerNorm over the last axis of {@code [N, D]} (Ba et al. 2016): (x−μ)/√(σ²+ε)·γ + β. */
    private SDVariable layerNorm(SDVariable x, SDVariable gain, SDVariable bias) {
        SDVariable mu = x.mean(true, 1);
        SDVariable dx = x.sub(mu);
        SDVariable var = dx.mul(dx).mean(true, 1);
        return dx.mul(x.getSameDiff().math.rsqrt(var.add(config.layerNormEps()))).mul(gain).add(bias);
    }

    /**
     * The {@code vit} section of a configuration: the architecture without the input channels (from the data);
     * LayerNorm ε is the official 1e-6.
     *
     * @param patchSize side p of the square patches (the smallest crop side); 28² crops with p = 4 give 7×7 tokens
     * @param embedDim token width D = the feature dimension; divisible by {@code heads}
     * @param depth transformer blocks
     * @param heads attention heads per block
     * @param mlpRatio MLP hidden width as a multiple of D (official 4)
     * @param dropPath stochastic-depth rate in [0, 1), linearly increasing over the blocks, student training steps
     *        only (official {@code --drop_path_rate} 0.1; 0 = off)
     * @param basePatchGrid side G of the grid the position embeddings are stored at (= global crop side / p, e.g. 7);
     *        other grids (local crops) use a bilinear interpolation of them
     * @param gelu the MLP's GELU: {@value #GELU_TANH} (the approximation, default; missing in a file or an older
     *        checkpoint = tanh) or {@value #GELU_ERF} (exact, as the official ViT: an export of the model then gives
     *        the official architecture's features exactly; {@link VitConfig#exactGelu()})
     */
    public record Options(int patchSize, int embedDim, int depth, int heads, double mlpRatio, double dropPath,
                          int basePatchGrid, String gelu) {
        /** {@link #gelu} of the tanh approximation. */
        public static final String GELU_TANH = "tanh";
        /** {@link #gelu} of the exact form. */
        public static final String GELU_ERF = "erf";

        /** Validates every field (messages name the field). */
        public Options {
            if (gelu == null) {
                gelu = GELU_TANH;
            }
            if (!gelu.equals(GELU_TANH) && !gelu.equals(GELU_ERF)) {
                throw new IllegalArgumentException("gelu must be \"tanh\" or \"erf\", got \"" + gelu + "\"");
            }
            VitConfig.builder().patchSize(patchSize).embedDim(embedDim).depth(depth).heads(heads).mlpRatio(mlpRatio)
                    .dropPath(dropPath).basePatchGrid(basePatchGrid).build();
        }

        /** @return e.g. {@code p4 D64 depth 4 heads 4 mlp 4.0 drop-path 0.10} */
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "p%d D%d depth %d heads %d mlp %.1f drop-path %.2f%s", patchSize,
                    embedDim, depth, heads, mlpRatio, dropPath, gelu.equals(GELU_ERF) ? " gelu erf" : "");
        }

        /**
         * @param inChannels image channels
         * @return the full architecture
         */
        public VitConfig toConfig(int inChannels) {
            return VitConfig.builder().inChannels(inChannels).patchSize(patchSize).embedDim(embedDim).depth(depth)
                    .heads(heads).mlpRatio(mlpRatio).dropPath(dropPath).basePatchGrid(basePatchGrid).exactGelu(gelu.equals(GELU_ERF)).build();
        }

        /** @return a builder starting from the registry's defaults (patch 4, D 64, depth 4, 4 heads, drop path 0.1, grid 7) */
        public static Builder builder() {
            return new Builder();
        }

        /** @return a builder holding this record's values */
        public Builder toBuilder() {
            return new Builder(this);
        }

        /** A {@link Options} under construction: starts from the defaults or from a record, validated by {@link #build()}. */
        public static final class Builder {
            private int patchSize = 4;
            private int embedDim = 64;
            private int depth = 4;
            private int heads = 4;
            private double mlpRatio = 4.0;
            private double dropPath = 0.1;
            private int basePatchGrid = 7;
            private String gelu = GELU_TANH;

            private Builder() {
            }

            private Builder(Options r) {
                patchSize = r.patchSize;
                embedDim = r.embedDim;
                depth = r.depth;
                heads = r.heads;
                mlpRatio = r.mlpRatio;
                dropPath = r.dropPath;
                basePatchGrid = r.basePatchGrid;
                gelu = r.gelu;
            }

            /** Sets {@link Options#patchSize()}; returns this builder. */
            public Builder patchSize(int v) {
                patchSize = v;
                return this;
            }

            /** Sets {@link Options#embedDim()}; returns this builder. */
            public Builder embedDim(int v) {
                embedDim = v;
                return this;
            }

            /** Sets {@link Options#depth()}; returns this builder. */
            public Builder depth(int v) {
                depth = v;
                return this;
            }

            /** Sets {@link Options#heads()}; returns this builder. */
            public Builder heads(int v) {
                heads = v;
                return this;
            }

            /** Sets {@link Options#mlpRatio()}; returns this builder. */
            public Builder mlpRatio(double v) {
                mlpRatio = v;
                return this;
            }

            /** Sets {@link Options#dropPath()}; returns this builder. */
            public Builder dropPath(double v) {
                dropPath = v;
                return this;
            }

            /** Sets {@link Options#basePatchGrid()}; returns this builder. */
            public Builder basePatchGrid(int v) {
                basePatchGrid = v;
                return this;
            }

            /** Sets {@link Options#gelu()}; returns this builder. */
            public Builder gelu(String v) {
                gelu = v;
                return this;
            }

            /** Builds and validates the record (the record's constructor throws on a bad value, naming the field). */
            public Options build() {
                return new Options(patchSize, embedDim, depth, heads, mlpRatio, dropPath, basePatchGrid, gelu);
            }
        }
    }

    /**
     * Registry entry {@code vit}; default options: patch 4, D 64, depth 4, 4 heads, MLP ratio 4, drop path 0.1,
     * position grid 7 (for 28² crops).
     */
    public static final class Factory implements BackboneFactory<Options> {
        @Override
        public String name() {
            return "vit";
        }

        @Override
        public Class<Options> optionsType() {
            return Options.class;
        }

        @Override
        public Options defaultOptions() {
            return Options.builder().build();
        }

        @Override
        public Backbone create(Options options, int inChannels) {
            return new VisionTransformer(options.toConfig(inChannels));
        }
    }
}

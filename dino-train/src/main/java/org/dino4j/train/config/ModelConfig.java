package org.dino4j.train.config;

import org.dino4j.core.model.vit.VitConfig;

import java.util.List;

/**
 * The network: a backbone followed by the DINO projection head (Caron et al. 2021, §3.1 and App. "Projection head").
 *
 * @param backbone       backbone name: {@code "small-resnet"} (dino-core's GroupNorm ResNet-style CNN + global
 *                       average pool; fields {@code stem} … {@code groups}) or {@code "vit"} (dino-core's Vision
 *                       Transformer; section {@code vit}). The other backbone's fields are validated but unused.
 * @param stem           channels of the backbone's stem convolution (divisible by {@code groups}).
 * @param widths         channel widths of the backbone's stages (stage 0 keeps the resolution, each later stage
 *                       halves it), e.g. [32, 64, 128]; the feature dimension D is the last width.
 * @param blocksPerStage residual blocks per stage (0 = a plain CNN).
 * @param groups         GroupNorm groups (normalisation without batch statistics); divides every width.
 * @param headHidden     hidden width of the head's MLP (official 2048; small 512).
 * @param headBottleneck bottleneck width before the weight-normalised last layer (official 256; small 128).
 * @param outDim         K, the number of prototypes / output dimension (official 65536; small 4096).
 * @param headLayers     linear layers of the head's MLP (official 3).
 * @param normLastLayer  weight-normalise the last layer with its gain frozen at 1 (official {@code true}).
 * @param headBatchNorm  batch normalisation after the head's hidden layers (official {@code --use_bn_in_head},
 *                       default false there). Needed by the small GroupNorm CNNs on 28×28 data: without it their
 *                       near-identical initial features lead to the uniform collapse (docs/training.md, "Quality").
 * @param vit            the ViT's architecture (used when {@code backbone} is {@code "vit"}; YAML section
 *                       {@code model.vit}); missing in a file or an old checkpoint = {@link Vit#tiny28()}.
 */
public record ModelConfig(String backbone, int stem, List<Integer> widths, int blocksPerStage, int groups,
                          int headHidden, int headBottleneck, int outDim, int headLayers, boolean normLastLayer,
                          boolean headBatchNorm, Vit vit) {

    /** Backbone name of dino-core's SmallResNet. */
    public static final String SMALL_RESNET = "small-resnet";
    /** Backbone name of dino-core's VisionTransformer. */
    public static final String VIT = "vit";

    /**
     * The ViT section {@code model.vit} (Dosovitskiy et al. 2021 as used by DINO; dino-core {@code VitConfig}; input
     * channels come from the data, LayerNorm ε is the official 1e-6).
     *
     * @param patchSize     side p of the square patches (the smallest crop side); 28² crops with p = 4 give 7×7 tokens.
     * @param embedDim      token width D = the feature dimension; divisible by {@code heads}.
     * @param depth         transformer blocks.
     * @param heads         attention heads per block.
     * @param mlpRatio      MLP hidden width as a multiple of D (official 4).
     * @param dropPath      stochastic-depth rate in [0, 1), linearly increasing over the blocks, student only, training
     *                      steps only (official {@code --drop_path_rate} 0.1; 0 = off).
     * @param basePatchGrid side G of the grid the position embeddings are stored at (= global crop side / p, e.g. 7);
     *                      other grids (local crops) use a bilinear interpolation of them.
     * @param gelu          the MLP's GELU: {@code "tanh"} (the approximation, default; missing in a file or an old
     *                      checkpoint = tanh) or {@code "erf"} (exact, as the official ViT: a {@code dino export} of the
     *                      run then gives the official architecture's features exactly).
     */
    public record Vit(int patchSize, int embedDim, int depth, int heads, double mlpRatio, double dropPath,
                      int basePatchGrid, String gelu) {
        /** GELU names of {@link #gelu}. */
        public static final String GELU_TANH = "tanh";
        /** The exact GELU. */
        public static final String GELU_ERF = "erf";

        /** Validates every field (messages name {@code model.vit.<field>}). */
        public Vit {
            if (gelu == null) {
                gelu = GELU_TANH;
            }
            if (!gelu.equals(GELU_TANH) && !gelu.equals(GELU_ERF)) {
                throw new IllegalArgumentException("model.vit.gelu must be \"tanh\" or \"erf\", got \"" + gelu + "\"");
            }
            try {
                toVitConfig(1, patchSize, embedDim, depth, heads, mlpRatio, dropPath, basePatchGrid);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model.vit." + e.getMessage(), e);
            }
        }

        /** The section with the default tanh GELU. */
        public Vit(int patchSize, int embedDim, int depth, int heads, double mlpRatio, double dropPath, int basePatchGrid) {
            this(patchSize, embedDim, depth, heads, mlpRatio, dropPath, basePatchGrid, GELU_TANH);
        }

        /** ViT for 28×28 crops: patch 4, D 64, depth 4, 4 heads, MLP ratio 4, drop path 0.1, position grid 7. */
        public static Vit tiny28() {
            return new Vit(4, 64, 4, 4, 4.0, 0.1, 7);
        }

        /**
         * @param channels image channels
         * @return dino-core's architecture record
         */
        public VitConfig toVitConfig(int channels) {
            return toVitConfig(channels, patchSize, embedDim, depth, heads, mlpRatio, dropPath, basePatchGrid)
                    .withExactGelu(gelu.equals(GELU_ERF));
        }

        private static VitConfig toVitConfig(int c, int p, int d, int depth, int heads, double mlp, double dp, int g) {
            return new VitConfig(c, p, d, depth, heads, mlp, dp, g, 1e-6);
        }
    }

    /** Validates every field. */
    public ModelConfig {
        Checks.notNull("model.backbone", backbone);
        if (!backbone.equals(SMALL_RESNET) && !backbone.equals(VIT)) {
            throw new IllegalArgumentException("model.backbone must be \"small-resnet\" or \"vit\", got \"" + backbone + "\"");
        }
        if (vit == null) vit = Vit.tiny28();
        Checks.positive("model.groups", groups);
        if (stem <= 0 || stem % groups != 0) {
            throw new IllegalArgumentException("model.stem must be > 0 and divisible by model.groups (" + groups + "), got " + stem);
        }
        Checks.notNull("model.widths", widths);
        if (widths.isEmpty()) throw new IllegalArgumentException("model.widths must not be empty, got []");
        for (Integer w : widths) {
            if (w == null || w <= 0 || w % groups != 0) {
                throw new IllegalArgumentException("model.widths must all be > 0 and divisible by model.groups (" + groups
                        + "), got " + widths);
            }
        }
        widths = List.copyOf(widths);
        Checks.nonNegative("model.blocksPerStage", blocksPerStage);
        Checks.positive("model.headHidden", headHidden);
        Checks.positive("model.headBottleneck", headBottleneck);
        if (outDim < 2) throw new IllegalArgumentException("model.outDim must be >= 2, got " + outDim);
        Checks.positive("model.headLayers", headLayers);
    }

    /** A model config with the default ViT section ({@link Vit#tiny28()}); the constructor of the small-resnet presets. */
    public ModelConfig(String backbone, int stem, List<Integer> widths, int blocksPerStage, int groups,
                       int headHidden, int headBottleneck, int outDim, int headLayers, boolean normLastLayer,
                       boolean headBatchNorm) {
        this(backbone, stem, widths, blocksPerStage, groups, headHidden, headBottleneck, outDim, headLayers, normLastLayer,
                headBatchNorm, Vit.tiny28());
    }

    /** @return true when the backbone is the ViT */
    public boolean usesVit() {
        return backbone.equals(VIT);
    }

    /** @return this config with another backbone name (the other fields kept) */
    public ModelConfig withBackbone(String name) {
        return new ModelConfig(name, stem, widths, blocksPerStage, groups, headHidden, headBottleneck, outDim, headLayers,
                normLastLayer, headBatchNorm, vit);
    }

    /** @return this config with another ViT section */
    public ModelConfig withVit(Vit v) {
        return new ModelConfig(backbone, stem, widths, blocksPerStage, groups, headHidden, headBottleneck, outDim, headLayers,
                normLastLayer, headBatchNorm, v);
    }

    /** @return a one-line description of the backbone, e.g. {@code small-resnet [16, 32, 64]} */
    public String describeBackbone() {
        if (usesVit()) {
            return String.format(java.util.Locale.ROOT, "vit p%d D%d depth %d heads %d mlp %.1f drop-path %.2f%s",
                    vit.patchSize(), vit.embedDim(), vit.depth(), vit.heads(), vit.mlpRatio(), vit.dropPath(),
                    vit.gelu().equals(Vit.GELU_ERF) ? " gelu erf" : "");
        }
        return backbone + " " + widths;
    }

    /** The small reference model: stem 32, stages 32-64-128 with one residual block each, GroupNorm 8, head 512/128, K 4096. */
    public static ModelConfig small() {
        return new ModelConfig("small-resnet", 32, List.of(32, 64, 128), 1, 8, 512, 128, 4096, 3, true, false);
    }

    /**
     * Smallest crop side the backbone accepts: small-resnet 2^(number of stages), so the last stage still has ≥ 2
     * pixels; vit the patch size.
     */
    public int minInputSize() {
        return usesVit() ? vit.patchSize() : 1 << widths.size();
    }
}

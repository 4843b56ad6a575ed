package org.dino4j.core.model.vit;

import java.io.Serializable;

/**
 * Architecture of {@link VisionTransformer}: a ViT (Dosovitskiy et al. 2021) as used by DINO
 * (Caron et al. 2021, Sec. 3.2 / Appendix; official {@code vision_transformer.py}): a strided-convolution patch
 * embedding, a CLS token, learnable position embeddings, {@code depth} pre-norm blocks
 * (LayerNorm → multi-head self-attention → residual; LayerNorm → GELU MLP → residual), a final LayerNorm, and
 * the CLS token's output as features {@code [B, embedDim]}.
 *
 * @param inChannels input channels C (1 for MNIST-like data, 3 for RGB); &gt;= 1
 * @param patchSize side p of the square patches (= kernel and stride of the patch-embedding convolution);
 *        &gt;= 1. An input of H×W gives a grid of ⌊H/p⌋×⌊W/p⌋ patches (remainder pixels are dropped, as in PyTorch)
 * @param embedDim token dimension D (the feature dimension); &gt;= 1 and divisible by {@code heads}
 * @param depth number of transformer blocks; &gt;= 1
 * @param heads attention heads per block; &gt;= 1 (head dimension D/heads)
 * @param mlpRatio hidden width of each block's MLP as a multiple of D (paper/official: 4); the hidden width
 *        ⌊D·mlpRatio⌋ must be &gt;= 1
 * @param dropPath stochastic-depth rate r in [0, 1) (Huang et al. 2016; official {@code --drop_path_rate}, default
 *        0.1 for ViT-S/16): block i drops each residual branch of a sample with probability
 *        r·i/(depth−1) (linearly increasing, block 0 never) during the student's training steps only; 0 = off.
 *        See {@link DropPath}
 * @param basePatchGrid side G of the square patch grid the position embeddings are stored at (e.g. 7 for 28 px
 *        with p = 4, 14 for 224 px with p = 16); other grids get a bilinear interpolation of them; &gt;= 1
 * @param layerNormEps LayerNorm epsilon added to the variance; &gt; 0 (official DINO ViT: 1e-6)
 * @param exactGelu the MLP's GELU in its exact form ½x(1 + erf(x/√2)) as PyTorch's {@code nn.GELU()} and the
 *        official checkpoints, instead of dino4j's default tanh approximation; true makes a trained model's export
 *        ({@code dino export}) compute exactly the official architecture's features
 */
public record VitConfig(int inChannels, int patchSize, int embedDim, int depth, int heads, double mlpRatio,
                        double dropPath, int basePatchGrid, double layerNormEps, boolean exactGelu)
        implements Serializable {

    /** Validates every field (IllegalArgumentException naming the field and value). */
    public VitConfig {
        if (inChannels < 1) {
            throw new IllegalArgumentException("inChannels must be >= 1, got " + inChannels);
        }
        if (patchSize < 1) {
            throw new IllegalArgumentException("patchSize must be >= 1, got " + patchSize);
        }
        if (heads < 1) {
            throw new IllegalArgumentException("heads must be >= 1, got " + heads);
        }
        if (embedDim < 1 || embedDim % heads != 0) {
            throw new IllegalArgumentException("embedDim must be >= 1 and divisible by heads (" + heads + "), got "
                    + embedDim);
        }
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1, got " + depth);
        }
        if (!(mlpRatio > 0) || Double.isInfinite(mlpRatio) || (int) Math.floor(embedDim * mlpRatio) < 1) {
            throw new IllegalArgumentException("mlpRatio must be > 0, finite and give a hidden width >= 1, got "
                    + mlpRatio);
        }
        if (!(dropPath >= 0 && dropPath < 1)) {
            throw new IllegalArgumentException("dropPath must be in [0, 1), got " + dropPath);
        }
        if (basePatchGrid < 1) {
            throw new IllegalArgumentException("basePatchGrid must be >= 1, got " + basePatchGrid);
        }
        if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
            throw new IllegalArgumentException("layerNormEps must be > 0 and finite, got " + layerNormEps);
        }
    }

    /**
     * ViT for 28×28 data (Fashion-MNIST): patch 4 (7×7 grid for 28 px, 3×3 for 12 px, 4×4 for 16 px local crops),
     * D = 64, depth 4, 4 heads, MLP ratio 4, position embeddings stored at 7×7.
     *
     * @param inChannels input channels
     * @return the preset
     */
    public static VitConfig tiny28(int inChannels) {
        return builder().inChannels(inChannels).build();
    }

    /**
     * ViT for 28×28 data with patch 7 (4×4 grid for 28 px; local crops must be &gt;= 7 px, 14 px gives 2×2):
     * D = 64, depth 4, 4 heads.
     *
     * @param inChannels input channels
     * @return the preset
     */
    public static VitConfig tiny28Patch7(int inChannels) {
        return builder().inChannels(inChannels).patchSize(7).basePatchGrid(4).build();
    }

    /**
     * ViT-Tiny/16 for 224 px data (DINO's {@code vit_tiny}): patch 16, D = 192, depth 12, 3 heads, grid 14.
     *
     * @param inChannels input channels
     * @return the preset
     */
    public static VitConfig vitTiny224(int inChannels) {
        return builder().inChannels(inChannels).patchSize(16).embedDim(192).depth(12).heads(3).basePatchGrid(14).build();
    }

    /**
     * ViT-Small/16 for 224 px data (DINO's {@code vit_small}): patch 16, D = 384, depth 12, 6 heads, grid 14.
     *
     * @param inChannels input channels
     * @return the preset
     */
    public static VitConfig vitSmall224(int inChannels) {
        return builder().inChannels(inChannels).patchSize(16).embedDim(384).depth(12).heads(6).basePatchGrid(14).build();
    }

    /**
     * @param rate the new drop-path rate
     * @return this architecture with another drop-path rate (same parameters)
     */
    public VitConfig withDropPath(double rate) {
        return toBuilder().dropPath(rate).build();
    }

    /**
     * @param exact whether the GELU is the exact (erf) form
     * @return this architecture with that GELU (same parameters)
     */
    public VitConfig withExactGelu(boolean exact) {
        return toBuilder().exactGelu(exact).build();
    }

    /** @return the MLP hidden width ⌊D·mlpRatio⌋ */
    public int mlpHidden() {
        return (int) Math.floor(embedDim * mlpRatio);
    }

    /** @return the per-head dimension D/heads */
    public int headDim() {
        return embedDim / heads;
    }

    /** @return a builder starting from {@link #tiny28}(1)'s values */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this record's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A {@link VitConfig} under construction: starts from the defaults or from a record, validated by {@link #build()}. */
    public static final class Builder {
        private int inChannels = 1;
        private int patchSize = 4;
        private int embedDim = 64;
        private int depth = 4;
        private int heads = 4;
        private double mlpRatio = 4.0;
        private double dropPath = 0.0;
        private int basePatchGrid = 7;
        private double layerNormEps = 1e-6;
        private boolean exactGelu;

        private Builder() {
        }

        private Builder(VitConfig r) {
            inChannels = r.inChannels;
            patchSize = r.patchSize;
            embedDim = r.embedDim;
            depth = r.depth;
            heads = r.heads;
            mlpRatio = r.mlpRatio;
            dropPath = r.dropPath;
            basePatchGrid = r.basePatchGrid;
            layerNormEps = r.layerNormEps;
            exactGelu = r.exactGelu;
        }

        /** Sets {@link VitConfig#inChannels()}; returns this builder. */
        public Builder inChannels(int v) {
            inChannels = v;
            return this;
        }

        /** Sets {@link VitConfig#patchSize()}; returns this builder. */
        public Builder patchSize(int v) {
            patchSize = v;
            return this;
        }

        /** Sets {@link VitConfig#embedDim()}; returns this builder. */
        public Builder embedDim(int v) {
            embedDim = v;
            return this;
        }

        /** Sets {@link VitConfig#depth()}; returns this builder. */
        public Builder depth(int v) {
            depth = v;
            return this;
        }

        /** Sets {@link VitConfig#heads()}; returns this builder. */
        public Builder heads(int v) {
            heads = v;
            return this;
        }

        /** Sets {@link VitConfig#mlpRatio()}; returns this builder. */
        public Builder mlpRatio(double v) {
            mlpRatio = v;
            return this;
        }

        /** Sets {@link VitConfig#dropPath()}; returns this builder. */
        public Builder dropPath(double v) {
            dropPath = v;
            return this;
        }

        /** Sets {@link VitConfig#basePatchGrid()}; returns this builder. */
        public Builder basePatchGrid(int v) {
            basePatchGrid = v;
            return this;
        }

        /** Sets {@link VitConfig#layerNormEps()}; returns this builder. */
        public Builder layerNormEps(double v) {
            layerNormEps = v;
            return this;
        }

        /** Sets {@link VitConfig#exactGelu()}; returns this builder. */
        public Builder exactGelu(boolean v) {
            exactGelu = v;
            return this;
        }

        /** Builds and validates the record (the record's constructor throws on a bad value, naming the field). */
        public VitConfig build() {
            return new VitConfig(inChannels, patchSize, embedDim, depth, heads, mlpRatio, dropPath, basePatchGrid, layerNormEps,
                    exactGelu);
        }
    }
}

package org.dino4j.core.model;

import java.io.Serializable;

/**
 * DINO projection head h (Caron et al. 2021, Sec. 3.1 and Appendix: "3-layer MLP with hidden dimension 2048
 * followed by ℓ2 normalization and a weight normalized fully connected layer with K dimensions"). The input
 * dimension is the backbone's feature dimension and is not part of this record.
 *
 * @param hiddenDim width of the hidden MLP layers (official 2048); &gt;= 1
 * @param bottleneckDim output of the MLP, the ℓ2-normalised embedding (official 256); &gt;= 1
 * @param outDim K, number of prototypes / logits (official 65536); &gt;= 2
 * @param nLayers linear layers in the MLP (official 3); &gt;= 1 (1 = a single Linear to the bottleneck)
 * @param normLastLayer if true the weight-norm gain g is fixed at 1 (official default, helps stability);
 *        if false g is a trainable {@code [1, K]} parameter
 * @param l2Eps ε of the ℓ2 normalisation x/max(‖x‖, ε) (PyTorch F.normalize default 1e-12); &gt; 0
 * @param useBn batch normalisation after each hidden linear layer (Linear → BN → GELU), as the official
 *        {@code --use_bn_in_head} (default false there). Training-mode statistics of the rows fed together:
 *        the teacher's 2B global crops, the student's (2+N)B crops (the official head also runs once on all
 *        crops concatenated). It makes the head's output depend on the batch, and it is what lets a small
 *        GroupNorm CNN escape the uniform collapse on 28×28 data (docs/training.md, "Quality"): at
 *        initialisation such a CNN maps all images to nearly the same feature (mean pairwise cosine 0.97), and
 *        the batch statistics remove that shared component before the prototypes see it.
 */
public record DinoHeadConfig(int hiddenDim, int bottleneckDim, int outDim, int nLayers, boolean normLastLayer,
                             double l2Eps, boolean useBn) implements Serializable {

    /** ε of the batch normalisation's variance (PyTorch BatchNorm1d default). */
    public static final double BN_EPS = 1e-5;

    /** Validates every field (IllegalArgumentException naming the field and value). */
    public DinoHeadConfig {
        if (hiddenDim < 1) {
            throw new IllegalArgumentException("hiddenDim must be >= 1, got " + hiddenDim);
        }
        if (bottleneckDim < 1) {
            throw new IllegalArgumentException("bottleneckDim must be >= 1, got " + bottleneckDim);
        }
        if (outDim < 2) {
            throw new IllegalArgumentException("outDim must be >= 2, got " + outDim);
        }
        if (nLayers < 1) {
            throw new IllegalArgumentException("nLayers must be >= 1, got " + nLayers);
        }
        if (!(l2Eps > 0) || Double.isInfinite(l2Eps)) {
            throw new IllegalArgumentException("l2Eps must be > 0 and finite, got " + l2Eps);
        }
    }

    /** @return the paper's head: 2048 / 256 / K 65536, 3 layers, normLastLayer true */
    public static DinoHeadConfig official() {
        return builder().build();
    }

    /** @return the reference head for 28×28 data: 512 / 128 / K 4096, 3 layers, normLastLayer true */
    public static DinoHeadConfig small28() {
        return builder().hiddenDim(512).bottleneckDim(128).outDim(4096).build();
    }

    /**
     * @param hiddenDim hidden width
     * @param bottleneckDim bottleneck width
     * @param outDim K
     * @return a 3-layer head with normLastLayer true and ε 1e-12
     */
    public static DinoHeadConfig of(int hiddenDim, int bottleneckDim, int outDim) {
        return builder().hiddenDim(hiddenDim).bottleneckDim(bottleneckDim).outDim(outDim).build();
    }

    /** @return a builder starting from the paper's head ({@link #official()}) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this record's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A {@link DinoHeadConfig} under construction: starts from the defaults or from a record, validated by {@link #build()}. */
    public static final class Builder {
        private int hiddenDim = 2048;
        private int bottleneckDim = 256;
        private int outDim = 65536;
        private int nLayers = 3;
        private boolean normLastLayer = true;
        private double l2Eps = 1e-12;
        private boolean useBn = false;

        private Builder() {
        }

        private Builder(DinoHeadConfig r) {
            hiddenDim = r.hiddenDim;
            bottleneckDim = r.bottleneckDim;
            outDim = r.outDim;
            nLayers = r.nLayers;
            normLastLayer = r.normLastLayer;
            l2Eps = r.l2Eps;
            useBn = r.useBn;
        }

        /** Sets {@link DinoHeadConfig#hiddenDim()}; returns this builder. */
        public Builder hiddenDim(int v) {
            hiddenDim = v;
            return this;
        }

        /** Sets {@link DinoHeadConfig#bottleneckDim()}; returns this builder. */
        public Builder bottleneckDim(int v) {
            bottleneckDim = v;
            return this;
        }

        /** Sets {@link DinoHeadConfig#outDim()}; returns this builder. */
        public Builder outDim(int v) {
            outDim = v;
            return this;
        }

        /** Sets {@link DinoHeadConfig#nLayers()}; returns this builder. */
        public Builder nLayers(int v) {
            nLayers = v;
            return this;
        }

        /** Sets {@link DinoHeadConfig#normLastLayer()}; returns this builder. */
        public Builder normLastLayer(boolean v) {
            normLastLayer = v;
            return this;
        }

        /** Sets {@link DinoHeadConfig#l2Eps()}; returns this builder. */
        public Builder l2Eps(double v) {
            l2Eps = v;
            return this;
        }

        /** Sets {@link DinoHeadConfig#useBn()}; returns this builder. */
        public Builder useBn(boolean v) {
            useBn = v;
            return this;
        }

        /** Builds and validates the record (the record's constructor throws on a bad value, naming the field). */
        public DinoHeadConfig build() {
            return new DinoHeadConfig(hiddenDim, bottleneckDim, outDim, nLayers, normLastLayer, l2Eps, useBn);
        }
    }
}

package org.dino4j.core.model;

import java.io.Serializable;
import java.util.List;

/**
 * Architecture of {@link SmallResNet}: a ResNet-style CNN (He et al. 2016) with GroupNorm (Wu &amp; He 2018)
 * instead of BatchNorm, so that nothing depends on batch statistics.
 *
 * <p>Layout: stem conv3×3 ({@code stemChannels}) → GN → ReLU; then for each stage i a transition conv3×3
 * with stride 2 to {@code stageChannels[i]} → GN → ReLU, followed by
 * {@code blocksPerStage} basic residual blocks (conv3×3–GN–ReLU–conv3×3–GN, identity shortcut, ReLU);
 * finally average pooling of the last maps {@code [B, H, W, C]} to a {@code poolGrid}×{@code poolGrid} grid →
 * features {@code [B, poolGrid²·C]} (1: global average pooling, D = C; g: each of the g² cells averages its part
 * of the map, PyTorch's {@code AdaptiveAvgPool2d(g)} bins, so any H, W gives the same D).
 *
 * @param inChannels input channels C (1 for MNIST-like data, 3 for RGB); &gt;= 1
 * @param stemChannels output channels of the stem convolution; &gt;= 1, divisible by {@code groups}
 * @param stageChannels channels of each stage (non-empty, each &gt;= 1 and divisible by {@code groups});
 *        the feature dimension D is the last one times {@code poolGrid²}
 * @param blocksPerStage residual blocks after each stage's transition conv; &gt;= 0 (0 = plain CNN)
 * @param groups GroupNorm groups; &gt;= 1
 * @param gnEps GroupNorm epsilon added to the variance; &gt; 0 (PyTorch default 1e-5)
 * @param minInputSize smallest accepted input height/width; &gt;= 1
 * @param poolGrid side g of the pooling grid over the last stage's maps; &gt;= 1 (1 = global average pooling; 0, the
 *        value a model file written before this field existed reads back as, means 1)
 */
public record SmallResNetConfig(int inChannels, int stemChannels, List<Integer> stageChannels, int blocksPerStage,
                                int groups, double gnEps, int minInputSize, int poolGrid) implements Serializable {

    /** Validates every field (IllegalArgumentException naming the field and value). */
    public SmallResNetConfig {
        if (inChannels < 1) {
            throw new IllegalArgumentException("inChannels must be >= 1, got " + inChannels);
        }
        if (groups < 1) {
            throw new IllegalArgumentException("groups must be >= 1, got " + groups);
        }
        if (stemChannels < 1 || stemChannels % groups != 0) {
            throw new IllegalArgumentException("stemChannels must be >= 1 and divisible by groups (" + groups
                    + "), got " + stemChannels);
        }
        if (stageChannels == null || stageChannels.isEmpty()) {
            throw new IllegalArgumentException("stageChannels must be non-empty, got " + stageChannels);
        }
        stageChannels = List.copyOf(stageChannels);
        for (int c : stageChannels) {
            if (c < 1 || c % groups != 0) {
                throw new IllegalArgumentException("stageChannels entries must be >= 1 and divisible by groups ("
                        + groups + "), got " + stageChannels);
            }
        }
        if (blocksPerStage < 0) {
            throw new IllegalArgumentException("blocksPerStage must be >= 0, got " + blocksPerStage);
        }
        if (!(gnEps > 0) || Double.isInfinite(gnEps)) {
            throw new IllegalArgumentException("gnEps must be > 0 and finite, got " + gnEps);
        }
        if (minInputSize < 1) {
            throw new IllegalArgumentException("minInputSize must be >= 1, got " + minInputSize);
        }
        if (poolGrid == 0) {
            poolGrid = 1;
        }
        if (poolGrid < 1) {
            throw new IllegalArgumentException("poolGrid must be >= 1, got " + poolGrid);
        }
    }

    /**
     * The architecture with global average pooling ({@code poolGrid} 1).
     *
     * @param inChannels input channels
     * @param stemChannels stem channels
     * @param stageChannels stage channels
     * @param blocksPerStage residual blocks per stage
     * @param groups GroupNorm groups
     * @param gnEps GroupNorm epsilon
     * @param minInputSize smallest input side
     */
    public SmallResNetConfig(int inChannels, int stemChannels, List<Integer> stageChannels, int blocksPerStage,
                             int groups, double gnEps, int minInputSize) {
        this(inChannels, stemChannels, stageChannels, blocksPerStage, groups, gnEps, minInputSize, 1);
    }

    /**
     * Reference preset for 28×28 global / 12–16 px local crops: stem 32 at full resolution, stages 32/64/128
     * each halving the resolution (28→14→7→4; 12→6→3→2), one residual block per stage, 8 groups, D = 128,
     * minimum input 8 px. About 16 M multiply-adds per 28² image.
     *
     * @param inChannels input channels
     * @return the preset
     */
    public static SmallResNetConfig small28(int inChannels) {
        return builder().inChannels(inChannels).build();
    }

    /**
     * A tiny plain CNN for fast tests: stem 4, stages 4/8 (stride 2 each) without residual blocks, 2 groups,
     * D = 8, minimum input 4 px.
     *
     * @param inChannels input channels
     * @return the preset
     */
    public static SmallResNetConfig tiny(int inChannels) {
        return builder().inChannels(inChannels).stemChannels(4).stageChannels(List.of(4, 8)).blocksPerStage(0).groups(2)
                .minInputSize(4).build();
    }

    /** @return the feature dimension D = poolGrid² × the channels of the last stage */
    public int featureDim() {
        return poolGrid * poolGrid * stageChannels.get(stageChannels.size() - 1);
    }

    /** @return a builder starting from {@link #small28}(1)'s values */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this record's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A {@link SmallResNetConfig} under construction: starts from the defaults or from a record, validated by {@link #build()}. */
    public static final class Builder {
        private int inChannels = 1;
        private int stemChannels = 32;
        private List<Integer> stageChannels = List.of(32, 64, 128);
        private int blocksPerStage = 1;
        private int groups = 8;
        private double gnEps = 1e-5;
        private int minInputSize = 8;
        private int poolGrid = 1;

        private Builder() {
        }

        private Builder(SmallResNetConfig r) {
            inChannels = r.inChannels;
            stemChannels = r.stemChannels;
            stageChannels = r.stageChannels;
            blocksPerStage = r.blocksPerStage;
            groups = r.groups;
            gnEps = r.gnEps;
            minInputSize = r.minInputSize;
            poolGrid = r.poolGrid;
        }

        /** Sets {@link SmallResNetConfig#inChannels()}; returns this builder. */
        public Builder inChannels(int v) {
            inChannels = v;
            return this;
        }

        /** Sets {@link SmallResNetConfig#stemChannels()}; returns this builder. */
        public Builder stemChannels(int v) {
            stemChannels = v;
            return this;
        }

        /** Sets {@link SmallResNetConfig#stageChannels()}; returns this builder. */
        public Builder stageChannels(List<Integer> v) {
            stageChannels = v;
            return this;
        }

        /** Sets {@link SmallResNetConfig#blocksPerStage()}; returns this builder. */
        public Builder blocksPerStage(int v) {
            blocksPerStage = v;
            return this;
        }

        /** Sets {@link SmallResNetConfig#groups()}; returns this builder. */
        public Builder groups(int v) {
            groups = v;
            return this;
        }

        /** Sets {@link SmallResNetConfig#gnEps()}; returns this builder. */
        public Builder gnEps(double v) {
            gnEps = v;
            return this;
        }

        /** Sets {@link SmallResNetConfig#minInputSize()}; returns this builder. */
        public Builder minInputSize(int v) {
            minInputSize = v;
            return this;
        }

        /** Sets {@link SmallResNetConfig#poolGrid()}; returns this builder. */
        public Builder poolGrid(int v) {
            poolGrid = v;
            return this;
        }

        /** Builds and validates the record (the record's constructor throws on a bad value, naming the field). */
        public SmallResNetConfig build() {
            return new SmallResNetConfig(inChannels, stemChannels, stageChannels, blocksPerStage, groups, gnEps, minInputSize,
                    poolGrid);
        }
    }
}

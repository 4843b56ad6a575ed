package org.dino4j.core.pretrained;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Architecture of a torchvision-layout ResNet with bottleneck blocks (ResNet-50: stem 64, widths 64-128-256-512,
 * blocks 3-4-6-3, output 4·512 = 2048 features after global average pooling; DINO's {@code dino_resnet50}).
 * The stem is conv 7×7 stride 2 (pad 3) → BatchNorm → ReLU → max-pool 3×3 stride 2 (pad 1); stage s (1–4) has
 * {@code blocks[s]} bottlenecks 1×1 → 3×3 (stride 2 in the first block of stages 2–4, torchvision's "v1.5") →
 * 1×1 (4·width), each conv followed by BatchNorm, with a 1×1 conv + BatchNorm shortcut where the shape changes.
 * Read off the tensor shapes by {@link PretrainedCheckpoints}.
 *
 * @param stem stem convolution width; &gt;= 1
 * @param widths bottleneck widths of the four stages; each &gt;= 1
 * @param blocks blocks per stage; each &gt;= 1
 * @param inChannels image channels; &gt;= 1
 * @param batchNormEps BatchNorm epsilon (PyTorch's default 1e-5); &gt; 0
 */
public record ResNetSpec(int stem, int[] widths, int[] blocks, int inChannels, double batchNormEps) {
    /** Bottleneck expansion: a block's output has 4·width channels. */
    public static final int EXPANSION = 4;

    /** Validates and copies the arrays. */
    public ResNetSpec {
        if (stem < 1 || inChannels < 1) {
            throw new IllegalArgumentException("stem and inChannels must be >= 1, got " + stem + ", " + inChannels);
        }
        if (widths == null || widths.length != 4 || blocks == null || blocks.length != 4) {
            throw new IllegalArgumentException("widths and blocks must have 4 stages");
        }
        widths = widths.clone();
        blocks = blocks.clone();
        for (int s = 0; s < 4; s++) {
            if (widths[s] < 1 || blocks[s] < 1) {
                throw new IllegalArgumentException("stage " + (s + 1) + " needs width and blocks >= 1, got "
                        + widths[s] + ", " + blocks[s]);
            }
        }
        if (!(batchNormEps > 0)) {
            throw new IllegalArgumentException("batchNormEps must be > 0, got " + batchNormEps);
        }
    }

    /** @return the feature dimension 4·widths[3] */
    public int featureDim() {
        return EXPANSION * widths[3];
    }

    /**
     * @param stage 0..3
     * @param block block index within the stage
     * @return the block's input channels
     */
    public int blockInput(int stage, int block) {
        if (block > 0) {
            return EXPANSION * widths[stage];
        }
        return stage == 0 ? stem : EXPANSION * widths[stage - 1];
    }

    /**
     * @param stage 0..3
     * @param block block index
     * @return the stride of the block's 3×3 convolution (2 in the first block of stages 2–4)
     */
    public static int stride(int stage, int block) {
        return block == 0 && stage > 0 ? 2 : 1;
    }

    /**
     * @param stage 0..3
     * @param block block index
     * @return whether the block has a projection shortcut ({@code downsample})
     */
    public boolean hasDownsample(int stage, int block) {
        return stride(stage, block) != 1 || blockInput(stage, block) != EXPANSION * widths[stage];
    }

    /** @return every tensor of the torchvision layout (no {@code fc}, no {@code num_batches_tracked}) with its shape */
    public Map<String, long[]> shapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("conv1.weight", new long[] {stem, inChannels, 7, 7});
        bn(m, "bn1", stem);
        for (int s = 0; s < 4; s++) {
            int w = widths[s];
            for (int j = 0; j < blocks[s]; j++) {
                String b = "layer" + (s + 1) + "." + j + ".";
                int in = blockInput(s, j);
                m.put(b + "conv1.weight", new long[] {w, in, 1, 1});
                bn(m, b + "bn1", w);
                m.put(b + "conv2.weight", new long[] {w, w, 3, 3});
                bn(m, b + "bn2", w);
                m.put(b + "conv3.weight", new long[] {EXPANSION * w, w, 1, 1});
                bn(m, b + "bn3", EXPANSION * w);
                if (hasDownsample(s, j)) {
                    m.put(b + "downsample.0.weight", new long[] {EXPANSION * w, in, 1, 1});
                    bn(m, b + "downsample.1", EXPANSION * w);
                }
            }
        }
        return m;
    }

    private static void bn(Map<String, long[]> m, String p, int c) {
        for (String s : new String[] {".weight", ".bias", ".running_mean", ".running_var"}) {
            m.put(p + s, new long[] {c});
        }
    }

    /** @return a one-line description */
    public String describe() {
        return "ResNet stem " + stem + ", widths " + Arrays.toString(widths) + ", blocks " + Arrays.toString(blocks)
                + ", " + featureDim() + " features";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResNetSpec r && stem == r.stem && inChannels == r.inChannels
                && Arrays.equals(widths, r.widths) && Arrays.equals(blocks, r.blocks)
                && Double.compare(batchNormEps, r.batchNormEps) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * stem + Arrays.hashCode(widths)) + Arrays.hashCode(blocks);
    }

    @Override
    public String toString() {
        return describe();
    }
}

package org.dino4j.train.config;

import java.util.List;

/**
 * The network: a backbone followed by the DINO projection head (Caron et al. 2021, §3.1 and App. "Projection head").
 *
 * @param backbone       backbone name; {@code "small-resnet"} (dino-core's GroupNorm ResNet-style CNN + global
 *                       average pool) is the one built in.
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
 */
public record ModelConfig(String backbone, int stem, List<Integer> widths, int blocksPerStage, int groups,
                          int headHidden, int headBottleneck, int outDim, int headLayers, boolean normLastLayer) {

    /** Validates every field. */
    public ModelConfig {
        Checks.notNull("model.backbone", backbone);
        if (!backbone.equals("small-resnet")) {
            throw new IllegalArgumentException("model.backbone must be \"small-resnet\", got \"" + backbone + "\"");
        }
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

    /** The small reference model: stem 32, stages 32-64-128 with one residual block each, GroupNorm 8, head 512/128, K 4096. */
    public static ModelConfig small() {
        return new ModelConfig("small-resnet", 32, List.of(32, 64, 128), 1, 8, 512, 128, 4096, 3, true);
    }

    /** Smallest crop side the backbone accepts: 2^(number of stages), so the last stage still has ≥ 2 pixels. */
    public int minInputSize() {
        return 1 << widths.size();
    }
}

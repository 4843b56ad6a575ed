package org.dino4j.train.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Presets with dino-core's Vision Transformer backbone (registered in {@link Presets}): the schedules, data and
 * head of the small-data presets they derive from, the CNN replaced by {@link ModelConfig.Vit#tiny28()}
 * (patch 4 → 7×7 tokens for 28² global crops and 3×3 for 12² local crops, D 64, depth 4, 4 heads, drop path 0.1 as
 * the official ViT-S recipe). The head keeps the base preset's batch norm: the official ViT recipe has none, but
 * every short run without it collapsed here (docs/training.md, "Quality"; docs/vit.md).
 */
public final class VitPresets {
    private VitPresets() {}

    /** Name → preset, in a fixed order. */
    public static Map<String, Supplier<DinoConfig>> all() {
        Map<String, Supplier<DinoConfig>> m = new LinkedHashMap<>();
        m.put("vit-tiny28", VitPresets::vitTiny28);
        m.put("vit-fashion-mnist", VitPresets::vitFashionMnist);
        return m;
    }

    /** {@code synthetic-quick} with the ViT tiny28 backbone (the built-in synthetic dataset, a few minutes on 2 cores). */
    public static DinoConfig vitTiny28() {
        return withVit(Presets.syntheticQuick());
    }

    /** {@code fashion-mnist} with the ViT tiny28 backbone (batch 256, 2×28² + 6×12², head 512/128, K 4096). */
    public static DinoConfig vitFashionMnist() {
        return withVit(Presets.fashionMnist());
    }

    /** A config with its backbone replaced by {@link ModelConfig.Vit#tiny28()}, everything else kept. */
    public static DinoConfig withVit(DinoConfig c) {
        ModelConfig m = c.model();
        ModelConfig vit = new ModelConfig(ModelConfig.VIT, m.stem(), m.widths(), m.blocksPerStage(), m.groups(), m.headHidden(),
                m.headBottleneck(), m.outDim(), m.headLayers(), m.normLastLayer(), m.headBatchNorm(), ModelConfig.Vit.tiny28());
        return new DinoConfig(vit, c.data(), c.optim(), c.teacher(), c.run(), c.ablation());
    }
}

package org.dino4j.bench;

import java.util.List;
import org.dino4j.augment.MultiCropConfig;
import org.dino4j.core.model.DinoHeadConfig;
import org.dino4j.core.model.SmallResNet;
import org.dino4j.train.config.DataConfig;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.config.ModelConfig;
import org.dino4j.train.config.OptimConfig;
import org.dino4j.train.config.Presets;
import org.dino4j.train.config.TeacherConfig;

/**
 * The networks and the step configuration the step benchmarks ({@link TrainStepBenchmark}, {@link SideBySide})
 * measure. Every network: 3×3 convolutions with GroupNorm (8 groups) and ReLU, global average pooling, head
 * 512-512-128 with K 4096, no batch normalisation in the head.
 *
 * <ul>
 *   <li>{@code peer}: 32 (stride 1) → 64 (s2) → 128 (s2), ~7.5 M multiply-adds per 28² crop;</li>
 *   <li>{@code proto}: 8 (s1) → 32 (s2) → 64 (s2) → 128 (s2), ~2.6 M multiply-adds per 28² crop;</li>
 *   <li>{@code small28}: the {@code default} preset's model (stem 32, stages 32-64-128 with one residual block each,
 *       ~16 M multiply-adds per 28² crop).</li>
 * </ul>
 */
public final class StepNetworks {

    private StepNetworks() {
    }

    /**
     * @param name {@code peer}, {@code proto} or {@code small28}
     * @return the network's model config
     */
    public static ModelConfig model(String name) {
        return switch (name) {
            case "peer" -> smallResNet(new SmallResNet.Options(32, List.of(64, 128), 0, 8));
            case "proto" -> smallResNet(new SmallResNet.Options(8, List.of(32, 64, 128), 0, 8));
            case "small28" -> Presets.get("default").model();
            default -> throw new IllegalArgumentException("network must be peer, proto or small28, got \"" + name + "\"");
        };
    }

    private static ModelConfig smallResNet(SmallResNet.Options o) {
        return ModelConfig.of("small-resnet", DinoHeadConfig.small28()).withBackboneOptions(o);
    }

    /**
     * The step configuration: the network {@code name}, synthetic 1×28² data, batch 256, 2 × 28² + 6 × 12² crops
     * with DINO's scales, and the official optimiser, teacher and run settings (the {@code default} preset: lr 5e-4,
     * wd 0.04→0.4, clip 3, λ 0.996, τ_s 0.1, τ_t 0.04→0.07, 100 epochs) with {@code threads} threads.
     *
     * @param name network, see {@link #model}
     * @param threads native and kernel threads
     * @return the config
     */
    public static DinoConfig config(String name, int threads) {
        DinoConfig off = Presets.get("default");
        DataConfig data = DataConfig.builder().batchSize(256).crops(MultiCropConfig.preset28()).syntheticSize(10_240).build();
        return DinoConfig.builder().model(model(name)).data(data).optim(OptimConfig.official()).teacher(TeacherConfig.official())
                .run(off.run().toBuilder().threads(threads).build()).build();
    }
}

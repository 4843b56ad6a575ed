package org.dino4j.bench;

import java.util.List;
import org.dino4j.train.config.DataConfig;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.config.ModelConfig;
import org.dino4j.train.config.OptimConfig;
import org.dino4j.train.config.Presets;
import org.dino4j.train.config.RunConfig;
import org.dino4j.train.config.TeacherConfig;

/**
 * The networks and the step configuration the step benchmarks ({@link TrainStepBenchmark}, {@link SideBySide})
 * measure. Every network: 3×3 convolutions with GroupNorm (8 groups) and ReLU, global average pooling, head
 * 512-512-128 with K 4096, no batch normalisation in the head.
 *
 * <ul>
 *   <li>{@code peer}: 32 (stride 1) → 64 (s2) → 128 (s2), ~7.5 M multiply-adds per 28² crop;</li>
 *   <li>{@code proto}: 8 (s1) → 32 (s2) → 64 (s2) → 128 (s2), ~2.6 M multiply-adds per 28² crop;</li>
 *   <li>{@code small28}: {@link ModelConfig#small()} (stem 32, stages 32-64-128 with one residual block each,
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
            case "peer" -> new ModelConfig("small-resnet", 32, List.of(64, 128), 0, 8, 512, 128, 4096, 3, true, false);
            case "proto" -> new ModelConfig("small-resnet", 8, List.of(32, 64, 128), 0, 8, 512, 128, 4096, 3, true, false);
            case "small28" -> ModelConfig.small();
            default -> throw new IllegalArgumentException("network must be peer, proto or small28, got \"" + name + "\"");
        };
    }

    /**
     * The step configuration: the network {@code name}, synthetic 1×28² data, batch 256, 2 × 28² + 6 × 12² crops
     * with DINO's scales, and the official optimiser, teacher and run settings ({@link Presets#official()}: lr 5e-4,
     * wd 0.04→0.4, clip 3, λ 0.996, τ_s 0.1, τ_t 0.04→0.07, 100 epochs) with {@code threads} threads.
     *
     * @param name network, see {@link #model}
     * @param threads native and kernel threads
     * @return the config
     */
    public static DinoConfig config(String name, int threads) {
        DinoConfig off = Presets.official();
        RunConfig r = off.run();
        DataConfig data = new DataConfig("synthetic", 256, 28, 1, 28, 12, 6, 0.4, 1.0, 0.05, 0.4, 2.0, 10_240, 1000, 2);
        return new DinoConfig(model(name), data, OptimConfig.official(), TeacherConfig.official(),
                new RunConfig(r.epochs(), r.seed(), threads, r.checkpointEveryIters(), r.keepCheckpoints(),
                        r.knnEveryEpochs(), r.knnK(), r.knnTemperature(), r.gcEveryIters(), r.logEveryIters()));
    }
}

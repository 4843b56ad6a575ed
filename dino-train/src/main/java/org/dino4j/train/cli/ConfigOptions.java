package org.dino4j.train.cli;

import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.Presets;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The config options shared by {@code dino train} and {@code dino ablate} (a picocli mixin): a preset, a config
 * file, and flag overrides that {@link #overrides()} turns into {@link ConfigLoader} keys.
 */
final class ConfigOptions {
    @Option(names = "--preset", paramLabel = "NAME", description = "Base config: ${COMPLETION-CANDIDATES} (default: synthetic-main for the synthetic data, images for idx: and images: data).",
            completionCandidates = PresetNames.class)
    String preset;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config file, only the keys to change (may name its own 'preset:'): JSON if it ends in .json or starts with '{', else YAML.")
    Path config;

    @Option(names = "--data", paramLabel = "SOURCE", description = "synthetic | idx:DIR | images:DIR (sets data.source).")
    String data;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (sets run.epochs).")
    Integer epochs;

    @Option(names = "--threads", paramLabel = "N", description = "ND4J/kernel threads (sets run.threads; 0 = all cores; more than the machine's cores are clamped to them).")
    Integer threads;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of every random choice (sets run.seed).")
    Long seed;

    @Option(names = "--batch-size", paramLabel = "B", description = "Images per step (sets data.batchSize).")
    Integer batchSize;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any config key, e.g. --set optim.lr=1e-3 (repeatable).")
    List<String> sets = new ArrayList<>();

    /** The {@code --set} pairs in order, then the dedicated flags that were given. */
    Map<String, String> overrides() {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String s : sets) {
            Map.Entry<String, String> e = ConfigLoader.parseOverride(s);
            overrides.put(e.getKey(), e.getValue());
        }
        if (data != null) overrides.put("data.source", data);
        if (epochs != null) overrides.put("run.epochs", epochs.toString());
        if (threads != null) overrides.put("run.threads", threads.toString());
        if (seed != null) overrides.put("run.seed", seed.toString());
        if (batchSize != null) overrides.put("data.batchSize", batchSize.toString());
        return overrides;
    }

    /** The preset names, for the help text. */
    static final class PresetNames extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        PresetNames() {
            super(Presets.names());
        }
    }
}

package org.dino4j.train.cli;

import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.Presets;
import org.dino4j.train.run.TrainRequest;
import org.dino4j.train.run.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code dino train}: trains DINO, then evaluates k-NN, draws the t-SNE and writes the HTML report. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train DINO, then evaluate k-NN (vs raw pixels, random init), t-SNE and an HTML report.",
                "The evaluation uses the teacher backbone; everything is written into the run directory.",
                "Config: a preset, then --config FILE (YAML/JSON, only the keys to change), then the flags below."},
        footer = {"", "Examples:",
                "  ./dino train --preset synthetic-quick --out runs/quick",
                "  ./dino train --preset fashion-mnist --epochs 4 --out runs/fmnist",
                "  ./dino train --config my.yaml --set optim.lr=1e-3 --set data.localCrops=8 --out runs/x",
                "  ./dino train --out runs/fmnist --resume --epochs 8    # continue (and extend) a run"})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--preset", paramLabel = "NAME", description = "Base config: ${COMPLETION-CANDIDATES} (default: synthetic-quick).",
            completionCandidates = PresetNames.class)
    String preset;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML or JSON config file (may name its own 'preset:').")
    Path config;

    @Option(names = "--data", paramLabel = "SOURCE", description = "synthetic | idx:DIR | images:DIR (sets data.source).")
    String data;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "RUN_DIR", description = "Run directory (must be new or empty unless --resume).")
    Path out;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (sets run.epochs).")
    Integer epochs;

    @Option(names = "--resume", description = "Continue the run in RUN_DIR from its latest checkpoint (with its saved config; flags still override).")
    boolean resume;

    @Option(names = "--threads", paramLabel = "N", description = "ND4J/kernel threads (sets run.threads).")
    Integer threads;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of every random choice (sets run.seed).")
    Long seed;

    @Option(names = "--batch-size", paramLabel = "B", description = "Images per step (sets data.batchSize).")
    Integer batchSize;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any config key, e.g. --set optim.lr=1e-3 (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--no-eval", description = "Skip the final evaluation (k-NN, baselines, t-SNE, report).")
    boolean noEval;

    @Option(names = "--eval-size", paramLabel = "N", description = "Training images used as k-NN memory in the final evaluation (default: all, at most 60000).")
    Integer evalSize;

    @Option(names = "--tsne-points", paramLabel = "N", defaultValue = "2000", description = "Held-out points in the t-SNE picture (default: ${DEFAULT-VALUE}).")
    int tsnePoints;

    @Option(names = "--stop-after", paramLabel = "ITERS", hidden = true, description = "Stop (with a checkpoint) after this global iteration (testing).")
    Long stopAfter;

    @Option(names = "--dry-run", description = "Validate and print the resolved config, then exit.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
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
        TrainRequest req = new TrainRequest(preset, config, overrides, out, resume, noEval, evalSize, tsnePoints,
                stopAfter, dryRun, System.console() != null);
        return new TrainingRun(req, System.out, System.err).run();
    }

    /** The preset names, for the help text. */
    static final class PresetNames extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        PresetNames() {
            super(Presets.names());
        }
    }
}

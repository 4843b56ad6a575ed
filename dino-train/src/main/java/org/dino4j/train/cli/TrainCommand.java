package org.dino4j.train.cli;

import org.dino4j.train.run.TrainRequest;
import org.dino4j.train.run.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code dino train}: trains DINO, then evaluates k-NN, draws the t-SNE and writes the HTML report. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train DINO, then evaluate k-NN (vs raw pixels, random init), t-SNE and an HTML report.",
                "The evaluation uses the teacher backbone; everything is written into the run directory.",
                "Config: a preset, then --config FILE (YAML/JSON, only the keys to change), then the flags below."},
        footer = {"", "Examples:",
                "  ./dino train --out runs/main                        # the main job (synthetic data, ~5 min on 2 cores)",
                "  ./dino train --data images:photos --out runs/photos  # your own images: the images recipe, adapted to their number",
                "  ./dino train --preset fashion-mnist --epochs 4 --out runs/fmnist",
                "  ./dino train --config my.yaml --set optim.lr=1e-3 --set data.crops.numLocal=8 --out runs/x",
                "  ./dino train --out runs/fmnist --resume --epochs 8    # continue (and extend) a run",
                "  ./dino train --preset synthetic-quick --out runs/quick  # 256 steps, the former main job"})
public final class TrainCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions cfg = new ConfigOptions();

    @Mixin
    DataReadOptions dataRead = new DataReadOptions();

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "RUN_DIR", description = "Run directory (must be new or empty unless --resume).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in RUN_DIR from its latest checkpoint, with the config it was written with. "
            + "Flags may change only what does not change a training step (more --epochs, --threads, the online k-NN, "
            + "checkpoint/log cadence, data.workers, data settings that keep the training images); anything else is refused: "
            + "start a new run instead.")
    boolean resume;

    @Option(names = "--resume-from", paramLabel = "CKPT", description = "Continue from this checkpoint file of RUN_DIR instead of the latest "
            + "(implies --resume; later checkpoints are renamed *.superseded).")
    Path resumeFrom;

    @Option(names = "--no-eval", description = "Skip the final evaluation (k-NN, baselines, t-SNE, report).")
    boolean noEval;

    @Option(names = "--eval-size", paramLabel = "N", description = "Training images used as k-NN memory in the final evaluation (default: all, at most 60000).")
    Integer evalSize;

    @Option(names = "--tsne-points", paramLabel = "N", defaultValue = "2000", description = "Held-out points in the t-SNE picture, 0 (none) or >= 4 (default: ${DEFAULT-VALUE}).")
    int tsnePoints;

    @Option(names = "--stop-after", paramLabel = "ITERS", hidden = true, description = "Stop (with a checkpoint) after this global iteration (testing).")
    Long stopAfter;

    @Option(names = "--dry-run", description = "Validate and print the resolved config, then exit.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = cfg.overrides();
        TrainRequest req = TrainRequest.builder().preset(cfg.preset).configFile(cfg.config).overrides(overrides).out(out)
                .resume(resume).noEval(noEval).evalSize(evalSize).tsnePoints(tsnePoints).stopAfter(stopAfter).dryRun(dryRun)
                .interactive(System.console() != null).resumeFrom(resumeFrom).dataOptions(dataRead.toOptions()).build();
        return new TrainingRun(req, System.out, System.err).run();
    }
}

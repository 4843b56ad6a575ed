package org.dino4j.train.cli;

import org.dino4j.train.ablate.AblationRow;
import org.dino4j.train.ablate.AblationRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code dino ablate}: full DINO against each trick removed (no EMA, no centering, no sharpening, no stop-gradient)
 * and against multi-crop flipped (removed, or added when the base has no local crops), with one identical budget and seed; a table ({@code ablation.md}, {@code ablation.json}) and a plot
 * ({@code ablation.png}) of k-NN accuracy, teacher entropies, effective rank and collapse mode. See
 * {@link AblationRunner}.
 */
@Command(name = "ablate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare full DINO with DINO minus each of its tricks.",
                "Every row has the same budget and seed; the table compares k-NN accuracy, teacher entropy H(p_t),",
                "entropy of the mean teacher output H(mean p_t), effective rank and collapse mode.",
                "Rows: full, no-ema, no-centering, no-sharpening, multicrop, no-stopgrad. multicrop removes the base's local crops,",
                "or adds " + AblationRow.ADDED_LOCAL_CROPS + " when it has none (same epochs and images seen). Each row's run directory is kept in OUT."},
        footer = {"", "Examples:",
                "  ./dino ablate --out runs/ablate-main  # the main job (synthetic-main), 6 rows, ~35 min",
                "  ./dino ablate --preset fashion-mnist --epochs 2 --only full,no-centering --out runs/ablate-fmnist"})
public final class AblateCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions cfg = new ConfigOptions();

    @Mixin
    DataReadOptions dataRead = new DataReadOptions();

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output directory (new or empty unless --resume).")
    Path out;

    @Option(names = "--only", split = ",", paramLabel = "ROW", description = "Rows to run (default: all): full,no-ema,no-centering,no-sharpening,multicrop,no-stopgrad.")
    List<String> only;

    @Option(names = "--eval-size", paramLabel = "N", defaultValue = "10000", description = "Training images used as k-NN memory (default ${DEFAULT-VALUE}).")
    int evalSize;

    @Option(names = "--resume", description = "Reuse the finished rows in OUT and resume the unfinished ones; each row found must have been "
            + "trained with this invocation's config (only threads, cadences and the online k-NN may differ), data and --eval-size.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = cfg.overrides();
        AblationRunner.Request req = new AblationRunner.Request(cfg.preset, cfg.config, overrides, out, AblationRow.parse(only), evalSize,
                resume, System.console() != null, dataRead.toOptions());
        new AblationRunner(req, System.err).run();
        System.out.print(Files.readString(out.resolve("ablation.md")));
        System.out.println();
        System.out.println("table: " + out.resolve("ablation.md") + " (" + out.resolve("ablation.json") + ")");
        System.out.println("plot:  " + out.resolve("ablation.png"));
        System.out.println("runs:  " + out + "/<row>");
        return 0;
    }
}

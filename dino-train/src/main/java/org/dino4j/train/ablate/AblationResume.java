package org.dino4j.train.ablate;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.dino4j.train.checkpoint.CheckpointStore;
import org.dino4j.train.checkpoint.CorruptCheckpointException;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.run.DataIdentity;
import org.dino4j.train.run.ResumeRules;
import org.dino4j.train.run.RunDirectory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The checks of {@code dino ablate --resume}, run for every row before any row trains: a row found in the output
 * directory (finished, or stopped part-way) must have been trained with the config this invocation asks for
 * (the base config plus the row's switch; only what {@link ResumeRules#SAFE} lists may differ, and the epochs not
 * at all, since every row of one table shares one budget), on the same training images ({@link DataIdentity}),
 * and a finished row must have been evaluated with the same k-NN memory. A difference is one error naming the
 * row, the setting and both values; nothing is trained or rewritten then.
 */
final class AblationResume {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AblationResume() {}

    /**
     * @param out      the ablation's output directory
     * @param rows     the rows asked for
     * @param base     the base config of this invocation
     * @param identity the training images of this invocation
     * @param memory   the k-NN memory size of this invocation
     */
    static void check(Path out, List<AblationRow> rows, DinoConfig base, DataIdentity identity, int memory) throws IOException {
        String newRun = "pass the settings the table was started with, or start a new ablation with --out NEW_DIR";
        for (AblationRow row : rows) {
            RunDirectory rd = new RunDirectory(out.resolve(row.id()));
            if (!rd.holdsRun()) continue;
            String who = "ablate --resume: row " + row.id() + " in " + rd.root();
            DinoConfig expected = ConfigLoader.override(base, row.overrides(base));
            DinoConfig saved = savedConfig(rd);
            List<String> dataKeys = ResumeRules.check(saved, expected, false, who, newRun);
            DataIdentity recorded = DataIdentity.read(rd.root());
            if (recorded != null && !recorded.sameImages(identity)) {
                throw new IllegalArgumentException(who + " was trained on other images (" + recorded.describe() + ", now "
                        + identity.describe() + (dataKeys.isEmpty() ? "" : "; " + String.join(", ", dataKeys)) + "); " + newRun);
            }
            if (recorded == null && !dataKeys.isEmpty()) {
                throw new IllegalArgumentException(who + " was trained with other data settings (" + String.join(", ", dataKeys)
                        + "); " + newRun);
            }
            Path rowFile = rd.root().resolve(AblationRunner.ROW_FILE);
            if (Files.isRegularFile(rowFile)) {
                Integer m;
                try (InputStream in = Files.newInputStream(rowFile)) {
                    var n = JSON.readTree(in).path("memory");
                    m = n.isInt() ? n.asInt() : null;
                }
                if (m != null && m != memory) {
                    throw new IllegalArgumentException(who + " was evaluated with a k-NN memory of " + m + " images, this run asks for "
                            + memory + " (--eval-size); pass --eval-size " + m + ", or start a new ablation with --out NEW_DIR");
                }
            }
        }
    }

    /** A row's config: its latest checkpoint's, else its config.yaml. */
    private static DinoConfig savedConfig(RunDirectory rd) throws IOException {
        try {
            var c = new CheckpointStore(rd.checkpoints(), 1).loadLatest();
            if (c.isPresent()) return ConfigLoader.fromJson(c.get().configJson());
        } catch (CorruptCheckpointException e) {
            throw new IOException(e.message("dino train --out " + rd.root() + " --resume-from"), e);
        }
        return ConfigLoader.load("default", rd.config(), Map.of());
    }
}

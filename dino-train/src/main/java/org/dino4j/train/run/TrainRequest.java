package org.dino4j.train.run;

import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code dino train} was asked to do.
 *
 * @param preset      base preset (null: the config file's {@code preset:}, else {@link TrainingRun#defaultPreset}).
 * @param configFile  YAML/JSON config file or null.
 * @param overrides   dotted config keys → values, applied last.
 * @param out         the run directory.
 * @param resume      continue the run in {@code out}.
 * @param noEval      skip the final evaluation.
 * @param evalSize    training images used as k-NN memory at the end (null: all, capped at 60000).
 * @param tsnePoints  held-out points drawn in the t-SNE (0: no t-SNE).
 * @param stopAfter   stop after this global iteration with a checkpoint (null: run to the end).
 * @param dryRun      only validate and print the config.
 * @param interactive stderr is a terminal (progress redrawn in place).
 * @param resumeFrom  continue from this checkpoint file instead of the latest one (implies {@code resume}; later
 *                    checkpoints are renamed {@code *.superseded}); null: the latest.
 * @param dataOptions corrupt-image policy and image size limit (null: {@link DataOptions#DEFAULTS}).
 */
public record TrainRequest(String preset, Path configFile, Map<String, String> overrides, Path out, boolean resume,
                           boolean noEval, Integer evalSize, int tsnePoints, Long stopAfter, boolean dryRun,
                           boolean interactive, Path resumeFrom, DataOptions dataOptions) {
    /** Checks presence and ranges. */
    public TrainRequest {
        if (out == null) throw new IllegalArgumentException("--out must be set");
        overrides = overrides == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(overrides));
        if (evalSize != null && evalSize < 1) throw new IllegalArgumentException("--eval-size must be >= 1, got " + evalSize);
        if (tsnePoints < 0 || (tsnePoints > 0 && tsnePoints < 4)) {
            throw new IllegalArgumentException("--tsne-points must be 0 (no t-SNE) or >= 4, got " + tsnePoints);
        }
        if (stopAfter != null && stopAfter < 1) throw new IllegalArgumentException("--stop-after must be >= 1, got " + stopAfter);
        if (resumeFrom != null) resume = true;
        if (dataOptions == null) dataOptions = DataOptions.DEFAULTS;
    }

    /** A request with the latest checkpoint and the default data options. */
    public TrainRequest(String preset, Path configFile, Map<String, String> overrides, Path out, boolean resume,
                        boolean noEval, Integer evalSize, int tsnePoints, Long stopAfter, boolean dryRun, boolean interactive) {
        this(preset, configFile, overrides, out, resume, noEval, evalSize, tsnePoints, stopAfter, dryRun, interactive, null, null);
    }
}

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

    /** @return a builder with nothing set but the defaults (t-SNE of 2000 points, the default data options); set {@code out} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this record's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A {@link TrainRequest} under construction: starts from the defaults or from a record, validated by {@link #build()}. */
    public static final class Builder {
        private String preset;
        private Path configFile;
        private Map<String, String> overrides = Map.of();
        private Path out;
        private boolean resume;
        private boolean noEval;
        private Integer evalSize;
        private int tsnePoints = 2000;
        private Long stopAfter;
        private boolean dryRun;
        private boolean interactive;
        private Path resumeFrom;
        private DataOptions dataOptions = DataOptions.DEFAULTS;

        private Builder() {
        }

        private Builder(TrainRequest r) {
            preset = r.preset;
            configFile = r.configFile;
            overrides = r.overrides;
            out = r.out;
            resume = r.resume;
            noEval = r.noEval;
            evalSize = r.evalSize;
            tsnePoints = r.tsnePoints;
            stopAfter = r.stopAfter;
            dryRun = r.dryRun;
            interactive = r.interactive;
            resumeFrom = r.resumeFrom;
            dataOptions = r.dataOptions;
        }

        /** Sets {@link TrainRequest#preset()}; returns this builder. */
        public Builder preset(String v) {
            preset = v;
            return this;
        }

        /** Sets {@link TrainRequest#configFile()}; returns this builder. */
        public Builder configFile(Path v) {
            configFile = v;
            return this;
        }

        /** Sets {@link TrainRequest#overrides()}; returns this builder. */
        public Builder overrides(Map<String, String> v) {
            overrides = v;
            return this;
        }

        /** Sets {@link TrainRequest#out()}; returns this builder. */
        public Builder out(Path v) {
            out = v;
            return this;
        }

        /** Sets {@link TrainRequest#resume()}; returns this builder. */
        public Builder resume(boolean v) {
            resume = v;
            return this;
        }

        /** Sets {@link TrainRequest#noEval()}; returns this builder. */
        public Builder noEval(boolean v) {
            noEval = v;
            return this;
        }

        /** Sets {@link TrainRequest#evalSize()}; returns this builder. */
        public Builder evalSize(Integer v) {
            evalSize = v;
            return this;
        }

        /** Sets {@link TrainRequest#tsnePoints()}; returns this builder. */
        public Builder tsnePoints(int v) {
            tsnePoints = v;
            return this;
        }

        /** Sets {@link TrainRequest#stopAfter()}; returns this builder. */
        public Builder stopAfter(Long v) {
            stopAfter = v;
            return this;
        }

        /** Sets {@link TrainRequest#dryRun()}; returns this builder. */
        public Builder dryRun(boolean v) {
            dryRun = v;
            return this;
        }

        /** Sets {@link TrainRequest#interactive()}; returns this builder. */
        public Builder interactive(boolean v) {
            interactive = v;
            return this;
        }

        /** Sets {@link TrainRequest#resumeFrom()}; returns this builder. */
        public Builder resumeFrom(Path v) {
            resumeFrom = v;
            return this;
        }

        /** Sets {@link TrainRequest#dataOptions()}; returns this builder. */
        public Builder dataOptions(DataOptions v) {
            dataOptions = v;
            return this;
        }

        /** Builds and validates the record (the record's constructor throws on a bad value, naming the field). */
        public TrainRequest build() {
            return new TrainRequest(preset, configFile, overrides, out, resume, noEval, evalSize, tsnePoints, stopAfter, dryRun, interactive, resumeFrom, dataOptions);
        }
    }
}

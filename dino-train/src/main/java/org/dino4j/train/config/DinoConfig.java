package org.dino4j.train.config;

/**
 * The complete, validated configuration of a DINO run: one immutable record tree, saved verbatim in every
 * checkpoint and loadable from YAML/JSON ({@link ConfigLoader}).
 *
 * @param model   the network (backbone + DINO head).
 * @param data    data source, batch size and multi-crop augmentation.
 * @param optim   AdamW, learning-rate / weight-decay schedules, clipping, last-layer freezing.
 * @param teacher temperatures, teacher momentum, centering.
 * @param run     epochs, seed, threads, checkpoints, monitoring.
 */
public record DinoConfig(ModelConfig model, DataConfig data, OptimConfig optim, TeacherConfig teacher, RunConfig run) {

    /** Validates every section and the constraints between them. */
    public DinoConfig {
        Checks.notNull("model", model);
        Checks.notNull("data", data);
        Checks.notNull("optim", optim);
        Checks.notNull("teacher", teacher);
        Checks.notNull("run", run);
        if (optim.warmupEpochs() > run.epochs()) {
            throw new IllegalArgumentException("optim.warmupEpochs must be <= run.epochs (" + run.epochs() + "), got "
                    + optim.warmupEpochs());
        }
        if (teacher.warmupTeacherTempEpochs() > run.epochs()) {
            throw new IllegalArgumentException("teacher.warmupTeacherTempEpochs must be <= run.epochs (" + run.epochs()
                    + "), got " + teacher.warmupTeacherTempEpochs());
        }
    }

    /** The peak learning rate, {@code optim.lr · data.batchSize / 256} (linear scaling rule, as in main_dino.py). */
    public double peakLr() {
        return optim.lr() * data.batchSize() / 256.0;
    }
}

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
 * @param ablation DINO's tricks, all on by default ({@code dino ablate} turns them off one by one); missing in a file
 *                 or an old checkpoint = {@link AblationConfig#full()}.
 */
public record DinoConfig(ModelConfig model, DataConfig data, OptimConfig optim, TeacherConfig teacher, RunConfig run,
                         AblationConfig ablation) {

    /** A config with every DINO trick on. */
    public DinoConfig(ModelConfig model, DataConfig data, OptimConfig optim, TeacherConfig teacher, RunConfig run) {
        this(model, data, optim, teacher, run, AblationConfig.full());
    }

    /** Validates every section and the constraints between them. */
    public DinoConfig {
        Checks.notNull("model", model);
        Checks.notNull("data", data);
        Checks.notNull("optim", optim);
        Checks.notNull("teacher", teacher);
        Checks.notNull("run", run);
        if (ablation == null) ablation = AblationConfig.full();
        if (optim.warmupEpochs() > run.epochs()) {
            throw new IllegalArgumentException("optim.warmupEpochs must be <= run.epochs (" + run.epochs() + "), got "
                    + optim.warmupEpochs());
        }
        int min = model.minInputSize();
        if (data.globalCropSize() < min) {
            throw new IllegalArgumentException("data.globalCropSize must be >= " + min + ", the smallest input of the backbone ("
                    + model.describeBackbone() + "), got " + data.globalCropSize());
        }
        if (data.localCrops() > 0 && data.localCropSize() < min) {
            throw new IllegalArgumentException("data.localCropSize must be >= " + min + ", the smallest input of the backbone ("
                    + model.describeBackbone() + "), got " + data.localCropSize() + " (or set data.localCrops=0)");
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

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
        if (data.crops().globalSize() < min) {
            throw new IllegalArgumentException("data.crops.global1.size must be >= " + min + ", the smallest input of the backbone ("
                    + model.describeBackbone() + "), got " + data.crops().globalSize());
        }
        if (data.crops().numLocal() > 0 && data.crops().localSize() < min) {
            throw new IllegalArgumentException("data.crops.local.size must be >= " + min + ", the smallest input of the backbone ("
                    + model.describeBackbone() + "), got " + data.crops().localSize() + " (or set data.crops.numLocal=0)");
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

    /** @return a builder starting from the official optimizer, teacher and run sections and every DINO trick on (model and data must be set) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this record's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A {@link DinoConfig} under construction: starts from the defaults or from a record, validated by {@link #build()}. */
    public static final class Builder {
        private ModelConfig model;
        private DataConfig data;
        private OptimConfig optim = OptimConfig.official();
        private TeacherConfig teacher = TeacherConfig.official();
        private RunConfig run = RunConfig.builder().build();
        private AblationConfig ablation = AblationConfig.full();

        private Builder() {
        }

        private Builder(DinoConfig r) {
            model = r.model;
            data = r.data;
            optim = r.optim;
            teacher = r.teacher;
            run = r.run;
            ablation = r.ablation;
        }

        /** Sets {@link DinoConfig#model()}; returns this builder. */
        public Builder model(ModelConfig v) {
            model = v;
            return this;
        }

        /** Sets {@link DinoConfig#data()}; returns this builder. */
        public Builder data(DataConfig v) {
            data = v;
            return this;
        }

        /** Sets {@link DinoConfig#optim()}; returns this builder. */
        public Builder optim(OptimConfig v) {
            optim = v;
            return this;
        }

        /** Sets {@link DinoConfig#teacher()}; returns this builder. */
        public Builder teacher(TeacherConfig v) {
            teacher = v;
            return this;
        }

        /** Sets {@link DinoConfig#run()}; returns this builder. */
        public Builder run(RunConfig v) {
            run = v;
            return this;
        }

        /** Sets {@link DinoConfig#ablation()}; returns this builder. */
        public Builder ablation(AblationConfig v) {
            ablation = v;
            return this;
        }

        /** Builds and validates the record (the record's constructor throws on a bad value, naming the field). */
        public DinoConfig build() {
            return new DinoConfig(model, data, optim, teacher, run, ablation);
        }
    }
}

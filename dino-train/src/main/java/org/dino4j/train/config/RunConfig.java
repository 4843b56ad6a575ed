package org.dino4j.train.config;

/**
 * Length of the run, seeding, threads, checkpoints and monitoring.
 *
 * @param epochs              training epochs (official 100).
 * @param seed                the one seed every random choice derives from (model init, data order, crops).
 * @param threads             ND4J/OpenMP threads and kernel threads; 0 = the machine's available processors (resolved
 *                            when the run starts and recorded in its {@code config.yaml}).
 * @param checkpointEveryIters also checkpoint every this many iterations inside an epoch (0 = only at epoch ends).
 * @param keepCheckpoints     number of most recent checkpoints kept on disk (≥ 1).
 * @param knnEveryEpochs      run the online k-NN on the held-out subset every this many epochs (0 = never during training).
 * @param knnK                k of the weighted k-NN (Wu et al. 2018, as in DINO's eval_knn: 20).
 * @param knnTemperature      temperature T of the k-NN vote weights exp(sim/T) (0.07).
 * @param gcEveryIters        call System.gc() every this many iterations (0, every preset: never). A training step runs
 *                            on execution plans whose arrays are allocated once, so nothing of a step waits for the
 *                            Java GC; ND4J frees other off-heap buffers only when their Java objects are collected
 *                            (docs/nd4j-pitfalls.md), which this setting forces for runs on SameDiff's session
 *                            ({@code -Ddino4j.exec=session}).
 * @param logEveryIters       progress line refresh period in iterations when stderr is not a terminal.
 * @param adaptToData         derive the settings that depend on the training set's size (teacher momentum λ, warm-up,
 *                            batch for tiny sets, online k-NN cadence) from the number of training images, the batch and
 *                            the epochs when a new run starts, for every key the user did not set ({@link DataScaling});
 *                            the run's {@code config.yaml} records the derived values. False in the {@code default}
 *                            preset, so a file or checkpoint without the key does not adapt.
 */
public record RunConfig(int epochs, long seed, int threads, int checkpointEveryIters, int keepCheckpoints,
                        int knnEveryEpochs, int knnK, double knnTemperature, int gcEveryIters, int logEveryIters,
                        boolean adaptToData) {

    /** Validates every field. */
    public RunConfig {
        Checks.positive("run.epochs", epochs);
        Checks.nonNegative("run.threads", threads);
        Checks.nonNegative("run.checkpointEveryIters", checkpointEveryIters);
        Checks.positive("run.keepCheckpoints", keepCheckpoints);
        Checks.nonNegative("run.knnEveryEpochs", knnEveryEpochs);
        Checks.positive("run.knnK", knnK);
        Checks.positive("run.knnTemperature", knnTemperature);
        Checks.nonNegative("run.gcEveryIters", gcEveryIters);
        Checks.positive("run.logEveryIters", logEveryIters);
    }

    /** @return a builder starting from the {@code default} preset's run section (100 epochs, seed 0, 1 thread, k-NN every 10 epochs with k 20, T 0.07, no adaptation to the data) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this record's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A {@link RunConfig} under construction: starts from the defaults or from a record, validated by {@link #build()}. */
    public static final class Builder {
        private int epochs = 100;
        private long seed;
        private int threads = 1;
        private int checkpointEveryIters;
        private int keepCheckpoints = 2;
        private int knnEveryEpochs = 10;
        private int knnK = 20;
        private double knnTemperature = 0.07;
        private int gcEveryIters;
        private int logEveryIters = 10;
        private boolean adaptToData;

        private Builder() {
        }

        private Builder(RunConfig r) {
            epochs = r.epochs;
            seed = r.seed;
            threads = r.threads;
            checkpointEveryIters = r.checkpointEveryIters;
            keepCheckpoints = r.keepCheckpoints;
            knnEveryEpochs = r.knnEveryEpochs;
            knnK = r.knnK;
            knnTemperature = r.knnTemperature;
            gcEveryIters = r.gcEveryIters;
            logEveryIters = r.logEveryIters;
            adaptToData = r.adaptToData;
        }

        /** Sets {@link RunConfig#epochs()}; returns this builder. */
        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        /** Sets {@link RunConfig#seed()}; returns this builder. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** Sets {@link RunConfig#threads()}; returns this builder. */
        public Builder threads(int v) {
            threads = v;
            return this;
        }

        /** Sets {@link RunConfig#checkpointEveryIters()}; returns this builder. */
        public Builder checkpointEveryIters(int v) {
            checkpointEveryIters = v;
            return this;
        }

        /** Sets {@link RunConfig#keepCheckpoints()}; returns this builder. */
        public Builder keepCheckpoints(int v) {
            keepCheckpoints = v;
            return this;
        }

        /** Sets {@link RunConfig#knnEveryEpochs()}; returns this builder. */
        public Builder knnEveryEpochs(int v) {
            knnEveryEpochs = v;
            return this;
        }

        /** Sets {@link RunConfig#knnK()}; returns this builder. */
        public Builder knnK(int v) {
            knnK = v;
            return this;
        }

        /** Sets {@link RunConfig#knnTemperature()}; returns this builder. */
        public Builder knnTemperature(double v) {
            knnTemperature = v;
            return this;
        }

        /** Sets {@link RunConfig#gcEveryIters()}; returns this builder. */
        public Builder gcEveryIters(int v) {
            gcEveryIters = v;
            return this;
        }

        /** Sets {@link RunConfig#logEveryIters()}; returns this builder. */
        public Builder logEveryIters(int v) {
            logEveryIters = v;
            return this;
        }

        /** Sets {@link RunConfig#adaptToData()}; returns this builder. */
        public Builder adaptToData(boolean v) {
            adaptToData = v;
            return this;
        }

        /** Builds and validates the record (the record's constructor throws on a bad value, naming the field). */
        public RunConfig build() {
            return new RunConfig(epochs, seed, threads, checkpointEveryIters, keepCheckpoints, knnEveryEpochs, knnK, knnTemperature, gcEveryIters, logEveryIters,
                    adaptToData);
        }
    }
}

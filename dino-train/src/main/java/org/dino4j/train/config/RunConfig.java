package org.dino4j.train.config;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

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
 *                            the run's {@code config.yaml} records the derived values. Missing in a file = false.
 */
public record RunConfig(int epochs, long seed, int threads, int checkpointEveryIters, int keepCheckpoints,
                        int knnEveryEpochs, int knnK, double knnTemperature, int gcEveryIters, int logEveryIters,
                        @JsonSetter(nulls = Nulls.AS_EMPTY) boolean adaptToData) {

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

    /** A run config that does not adapt to the data ({@code adaptToData} false). */
    public RunConfig(int epochs, long seed, int threads, int checkpointEveryIters, int keepCheckpoints, int knnEveryEpochs,
                     int knnK, double knnTemperature, int gcEveryIters, int logEveryIters) {
        this(epochs, seed, threads, checkpointEveryIters, keepCheckpoints, knnEveryEpochs, knnK, knnTemperature, gcEveryIters,
                logEveryIters, false);
    }
}

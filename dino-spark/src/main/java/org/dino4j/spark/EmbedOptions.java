package org.dino4j.spark;

import java.io.Serializable;

/**
 * Options of {@link SparkEmbed}.
 *
 * @param batchSize          images per forward pass inside a partition (default 256); ≥ 1
 * @param partitions         partitions of the image table; 0 (default) = Spark's file splits, merged (without a
 *                           shuffle) down to about {@link #DEFAULT_IMAGES_PER_PARTITION} images each but never fewer
 *                           than the session's default parallelism; ≥ 0
 * @param threadsPerTask     ND4J native threads per task (default 1: Spark runs one task per core); ≥ 1
 * @param unreadableExamples unreadable images named in the summary (all of them are in the {@code unreadable}
 *                           table; default 20); ≥ 0
 */
public record EmbedOptions(int batchSize, int partitions, int threadsPerTask, int unreadableExamples)
        implements Serializable {
    /** Default images per forward pass. */
    public static final int DEFAULT_BATCH_SIZE = 256;
    /** Target images per partition when {@code partitions} is 0. */
    public static final int DEFAULT_IMAGES_PER_PARTITION = 4096;

    /** Validates every field; see the parameter docs. */
    public EmbedOptions {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("partitions must be >= 0 (0 = automatic), got " + partitions);
        }
        if (threadsPerTask < 1) {
            throw new IllegalArgumentException("threadsPerTask must be >= 1, got " + threadsPerTask);
        }
        if (unreadableExamples < 0) {
            throw new IllegalArgumentException("unreadableExamples must be >= 0, got " + unreadableExamples);
        }
    }

    /** Batch 256, automatic partitions, 1 thread per task, 20 examples. */
    public static EmbedOptions defaults() {
        return new EmbedOptions(DEFAULT_BATCH_SIZE, 0, 1, 20);
    }

    /** A copy with another number of partitions. */
    public EmbedOptions withPartitions(int n) {
        return new EmbedOptions(batchSize, n, threadsPerTask, unreadableExamples);
    }
}

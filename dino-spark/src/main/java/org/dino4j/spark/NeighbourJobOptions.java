package org.dino4j.spark;

import java.io.Serializable;

/**
 * How {@link SparkKnn} splits the work: the memory table into blocks of at most {@code memoryBlockRows} rows, the
 * query table into {@code queryPartitions} partitions; each (memory block, query partition) pair is one task that
 * keeps the top k of its queries against its block, and the lists are merged per query.
 *
 * @param chunkSize        queries per matrix multiply inside a task (memory: {@code chunkSize × blockRows × 8}
 *                         bytes; default 256); ≥ 1
 * @param memoryBlockRows  most memory rows per block (default 50 000: 25.6 MB of float32 at D = 128, plus a
 *                         51 MB similarity chunk); ≥ 1
 * @param queryPartitions  query partitions; 0 (default) = max(default parallelism, ⌈M / 20 000⌉); ≥ 0
 * @param threadsPerTask   ND4J native threads per task (default 1); ≥ 1
 */
public record NeighbourJobOptions(int chunkSize, int memoryBlockRows, int queryPartitions, int threadsPerTask)
        implements Serializable {
    /** Default rows per memory block. */
    public static final int DEFAULT_MEMORY_BLOCK_ROWS = 50_000;
    /** Queries per partition aimed at when {@code queryPartitions} is 0. */
    public static final int DEFAULT_QUERIES_PER_PARTITION = 20_000;

    /** Validates every field; see the parameter docs. */
    public NeighbourJobOptions {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be >= 1, got " + chunkSize);
        }
        if (memoryBlockRows < 1) {
            throw new IllegalArgumentException("memoryBlockRows must be >= 1, got " + memoryBlockRows);
        }
        if (queryPartitions < 0) {
            throw new IllegalArgumentException("queryPartitions must be >= 0 (0 = automatic), got " + queryPartitions);
        }
        if (threadsPerTask < 1) {
            throw new IllegalArgumentException("threadsPerTask must be >= 1, got " + threadsPerTask);
        }
    }

    /** Chunk 256, blocks of 50 000 rows, automatic query partitions, 1 thread per task. */
    public static NeighbourJobOptions defaults() {
        return new NeighbourJobOptions(256, DEFAULT_MEMORY_BLOCK_ROWS, 0, 1);
    }
}

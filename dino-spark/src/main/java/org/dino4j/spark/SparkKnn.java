package org.dino4j.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dino4j.eval.knn.KnnOptions;
import org.dino4j.eval.knn.KnnResult;
import org.dino4j.eval.knn.KnnTally;
import org.dino4j.eval.knn.KnnVoter;
import org.dino4j.eval.knn.NearestNeighbours;
import scala.Tuple2;

/**
 * {@code dino spark knn} and {@code dino spark search}: DINO's weighted k-NN (Caron et al. 2021, Sec. 4.1) and
 * plain nearest-neighbour retrieval between a memory table and a query table of any size, on Spark.
 *
 * <p><b>How</b>: the memory is cut into blocks of at most {@link NeighbourJobOptions#memoryBlockRows()} rows
 * (rows numbered by path rank, {@link EmbeddingTables}), the queries into partitions; every (block, partition) pair
 * is one task that runs dino-eval's {@link NearestNeighbours} on its block — a float32 matrix multiply of 256
 * queries at a time against the block, a float64 re-score of the shortlist — and keeps each query's top k; the
 * lists are merged per query ({@link Neighbours#merge}, a shuffle of M × blocks × k entries). No task ever holds
 * more than a {@code [chunk, blockRows]} similarity block; the full query × memory matrix never exists.
 *
 * <p><b>Equal to dino-eval</b>: {@link NearestNeighbours} ranks by a float64 score that does not depend on the
 * blocking, so the merged list of every query is exactly the list {@code WeightedKnn} finds with the memory in
 * path order; the vote ({@link KnnVoter}) and the counts ({@link KnnTally}) are dino-eval's own code. Predictions
 * and accuracies therefore equal {@code WeightedKnn}'s on the same rows, query by query.
 *
 * <p><b>Outputs</b> (each an {@link AtomicOutput}): knn → {@code predictions/} Parquet {@code (path, label, k,
 * predicted, top5)} and {@code knn.json} (dino-eval's k-NN JSON: top-1, top-5, per-class accuracy and confusion per
 * k, plus the class names in index order and timings); search → {@code neighbours/} Parquet {@code (query_path,
 * query_label, rank, memory_path, memory_label, similarity)} and {@code summary.json}.
 */
public final class SparkKnn {
    /** Predictions table of a k-NN job. */
    public static final String PREDICTIONS = "predictions";
    /** Result JSON of a k-NN job. */
    public static final String KNN_JSON = "knn.json";
    /** Neighbours table of a search job. */
    public static final String NEIGHBOURS = "neighbours";
    /** Summary JSON of a search job. */
    public static final String SUMMARY = "summary.json";

    static final StructType PREDICTION_ROWS = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("label", DataTypes.StringType, false)
            .add("k", DataTypes.IntegerType, false)
            .add("predicted", DataTypes.StringType, false)
            .add("top5", DataTypes.BooleanType, false);

    static final StructType NEIGHBOUR_ROWS = new StructType()
            .add("query_path", DataTypes.StringType, false)
            .add("query_label", DataTypes.StringType, true)
            .add("rank", DataTypes.IntegerType, false)
            .add("memory_path", DataTypes.StringType, false)
            .add("memory_label", DataTypes.StringType, true)
            .add("similarity", DataTypes.DoubleType, false);

    private SparkKnn() {
    }

    /**
     * Weighted k-NN of every query row against the memory.
     *
     * @param memory  labelled memory table ({@code path, label, embedding})
     * @param queries labelled query table
     * @param knn     ks, temperature (its chunk size is ignored: {@code job.chunkSize()} is used)
     * @param job     how to split the work
     * @param out     output directory (must not exist)
     * @throws IOException when the output exists
     * @throws IllegalArgumentException for missing labels, mismatched dimensions, non-finite values or a k larger
     *                                  than the memory, naming the table and the row
     */
    public static KnnSummary knn(SparkSession spark, Dataset<Row> memory, Dataset<Row> queries, KnnOptions knn,
                                 NeighbourJobOptions job, String out) throws IOException {
        long t0 = System.nanoTime();
        try (AtomicOutput o = new AtomicOutput(spark, out)) {
            Prepared p = prepare(spark, memory, queries, true, knn.maxK(), job, false);
            try {
                JavaRDD<Row> rows = p.merged.values().mapPartitions(new Vote(knn, p.classes));
                spark.createDataFrame(rows, PREDICTION_ROWS).write().parquet(o.staged(PREDICTIONS));
                int[] ks = knn.ks();
                KnnTally tally = new KnnTally(ks, p.classes.size());
                for (Row r : spark.read().parquet(o.staged(PREDICTIONS)).groupBy("k", "label", "predicted", "top5")
                        .count().collectAsList()) {
                    int ki = indexOf(ks, r.getInt(0));
                    tally.add(ki, p.classIndex(r.getString(1)), p.classIndex(r.getString(2)), r.getBoolean(3), r.getLong(4));
                }
                KnnResult result = tally.result(Math.toIntExact(p.n), knn.temperature(), null);
                KnnSummary s = new KnnSummary(result, p.classes, p.blocks, p.queryPartitions,
                        (System.nanoTime() - t0) / 1e9, o.out());
                o.writeString(KNN_JSON, s.toJson());
                o.commit();
                return s;
            } finally {
                p.release();
            }
        }
    }

    /**
     * The k nearest memory rows of every query row (labels optional in both tables).
     *
     * @param k   neighbours per query, 1 ≤ k ≤ memory rows
     * @param out output directory (must not exist)
     * @throws IOException when the output exists
     */
    public static SearchSummary search(SparkSession spark, Dataset<Row> memory, Dataset<Row> queries, int k,
                                       NeighbourJobOptions job, String out) throws IOException {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        long t0 = System.nanoTime();
        try (AtomicOutput o = new AtomicOutput(spark, out)) {
            Prepared p = prepare(spark, memory, queries, false, k, job, true);
            try {
                JavaRDD<Row> rows = p.merged.values().flatMap(new Explode(p.classes));
                spark.createDataFrame(rows, NEIGHBOUR_ROWS).write().parquet(o.staged(NEIGHBOURS));
                SearchSummary s = new SearchSummary(p.m, p.n, k, p.blocks, p.queryPartitions,
                        (System.nanoTime() - t0) / 1e9, o.out());
                o.writeString(SUMMARY, s.toJson());
                o.commit();
                return s;
            } finally {
                p.release();
            }
        }
    }

    /**
     * Reads an embeddings table: a Parquet directory with {@code path}, {@code embedding} (array&lt;float&gt;) and
     * optionally {@code label}, or an output directory of {@link SparkEmbed} (its {@code embeddings} table).
     *
     * @param what a name for messages, e.g. "memory"
     * @throws IOException naming the location when it does not exist or is not such a table
     */
    public static Dataset<Row> readTable(SparkSession spark, String location, String what) throws IOException {
        return EmbeddingTables.read(spark, location, what);
    }

    private static int indexOf(int[] ks, int k) {
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] == k) {
                return i;
            }
        }
        throw new IllegalStateException("k = " + k + " was not evaluated");
    }

    /** Checked tables, their blocks and the merged neighbour lists (persisted inputs released by {@link #release}). */
    private static final class Prepared {
        List<String> classes;
        long n;
        long m;
        int blocks;
        int queryPartitions;
        JavaRDD<EmbeddingTables.Block> memoryBlocks;
        JavaRDD<EmbeddingTables.Block> queryBlocks;
        JavaPairRDD<Long, Neighbours> merged;

        int classIndex(String label) {
            int i = java.util.Collections.binarySearch(classes, label);
            if (i < 0) {
                throw new IllegalStateException("label " + label + " is not a known class");
            }
            return i;
        }

        void release() {
            if (memoryBlocks != null) {
                memoryBlocks.unpersist();
            }
            if (queryBlocks != null) {
                queryBlocks.unpersist();
            }
        }
    }

    private static Prepared prepare(SparkSession spark, Dataset<Row> memoryTable, Dataset<Row> queryTable,
                                    boolean labelsRequired, int k, NeighbourJobOptions job, boolean withPaths) {
        EmbeddingTables.check(memoryTable, "memory table");
        EmbeddingTables.check(queryTable, "queries table");
        Dataset<Row> memory = EmbeddingTables.rows(memoryTable);
        Dataset<Row> queries = EmbeddingTables.rows(queryTable);
        Prepared p = new Prepared();
        p.n = memory.count();
        p.m = queries.count();
        int d = EmbeddingTables.dimension(memory, "memory");
        int dq = EmbeddingTables.dimension(queries, "queries");
        if (d != dq) {
            throw new IllegalArgumentException("memory embeddings have dimension " + d + " but query embeddings " + dq);
        }
        if (k > p.n) {
            throw new IllegalArgumentException("k = " + k + " is larger than the memory table of " + p.n + " rows");
        }
        p.classes = EmbeddingTables.classes(memory, queries, labelsRequired);
        p.queryPartitions = job.queryPartitions() > 0 ? job.queryPartitions()
                : (int) Math.max(spark.sparkContext().defaultParallelism(),
                        (p.m + NeighbourJobOptions.DEFAULT_QUERIES_PER_PARTITION - 1)
                                / NeighbourJobOptions.DEFAULT_QUERIES_PER_PARTITION);
        try {
            p.memoryBlocks = EmbeddingTables.memoryBlocks(memory, p.classes, d, job.memoryBlockRows(), p.n, "memory");
            p.blocks = p.memoryBlocks.getNumPartitions();
            p.queryBlocks = EmbeddingTables.queryBlocks(queries, p.classes, d, p.queryPartitions, "queries");
            p.merged = p.memoryBlocks.cartesian(p.queryBlocks)
                    .flatMapToPair(new SearchPair(k, job.chunkSize(), job.threadsPerTask(), withPaths))
                    .reduceByKey((a, b) -> Neighbours.merge(a, b, k), p.queryPartitions);
        } catch (RuntimeException e) {
            p.release();
            throw e;
        }
        return p;
    }

    /** One task: the top k of a query block within a memory block. */
    private static final class SearchPair implements
            PairFlatMapFunction<Tuple2<EmbeddingTables.Block, EmbeddingTables.Block>, Long, Neighbours> {
        private static final long serialVersionUID = 1L;
        private final int k;
        private final int chunk;
        private final int threads;
        private final boolean withPaths;

        SearchPair(int k, int chunk, int threads, boolean withPaths) {
            this.k = k;
            this.chunk = chunk;
            this.threads = threads;
            this.withPaths = withPaths;
        }

        @Override
        public Iterator<Tuple2<Long, Neighbours>> call(Tuple2<EmbeddingTables.Block, EmbeddingTables.Block> t) {
            ExecutorState.threads(threads);
            EmbeddingTables.Block mem = t._1();
            EmbeddingTables.Block q = t._2();
            int kb = Math.min(k, mem.size());
            List<Tuple2<Long, Neighbours>> out = new ArrayList<>(q.size());
            new NearestNeighbours(mem.rows).search(q.rows, kb, chunk, false, (qi, sims, rows, count) -> {
                long[] ids = new long[count];
                int[] cl = new int[count];
                String[] paths = withPaths ? new String[count] : null;
                for (int i = 0; i < count; i++) {
                    ids[i] = mem.ids[rows[i]];
                    cl[i] = mem.classes[rows[i]];
                    if (paths != null) {
                        paths[i] = mem.paths[rows[i]];
                    }
                }
                out.add(new Tuple2<>(q.ids[qi], new Neighbours(q.paths[qi], q.classes[qi], Arrays.copyOf(sims, count),
                        ids, cl, paths)));
            });
            return out.iterator();
        }
    }

    /** The weighted vote of each merged list → one prediction row per k. */
    private static final class Vote implements FlatMapFunction<Iterator<Neighbours>, Row> {
        private static final long serialVersionUID = 1L;
        private final KnnVoter voter;
        private final int[] ks;
        private final List<String> classes;

        Vote(KnnOptions options, List<String> classes) {
            this.voter = new KnnVoter(options, classes.size());
            this.ks = options.ks();
            this.classes = new ArrayList<>(classes);
        }

        @Override
        public Iterator<Row> call(Iterator<Neighbours> it) {
            double[] scores = new double[classes.size()];
            int[] pred = new int[ks.length];
            boolean[] top5 = new boolean[ks.length];
            List<Row> out = new ArrayList<>();
            while (it.hasNext()) {
                Neighbours nb = it.next();
                voter.vote(nb.sims, nb.classes, nb.queryClass, scores, pred, top5);
                for (int i = 0; i < ks.length; i++) {
                    out.add(RowFactory.create(nb.queryPath, classes.get(nb.queryClass), ks[i], classes.get(pred[i]), top5[i]));
                }
            }
            return out.iterator();
        }
    }

    /** A merged list → one row per neighbour. */
    private static final class Explode implements FlatMapFunction<Neighbours, Row> {
        private static final long serialVersionUID = 1L;
        private final List<String> classes;

        Explode(List<String> classes) {
            this.classes = new ArrayList<>(classes);
        }

        private String name(int c) {
            return c < 0 ? null : classes.get(c);
        }

        @Override
        public Iterator<Row> call(Neighbours nb) {
            List<Row> out = new ArrayList<>(nb.size());
            for (int t = 0; t < nb.size(); t++) {
                out.add(RowFactory.create(nb.queryPath, name(nb.queryClass), t + 1, nb.paths[t], name(nb.classes[t]),
                        nb.sims[t]));
            }
            return out.iterator();
        }
    }
}

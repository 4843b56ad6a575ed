package org.dino4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import static org.apache.spark.sql.functions.col;

/**
 * Embedding tables ({@code path string, label string, embedding array<float>}, as {@link SparkEmbed} writes them)
 * read, checked and cut into the blocks {@link SparkKnn} works on.
 *
 * <p>Memory rows get a global id = their rank by path in Spark's string order (UTF-8 bytes; range-partitioned and
 * sorted by {@code path}, then numbered), so the k-NN's tie rule (equal similarity → lower id) means "smaller path
 * first", independent of how the table was written or split. Memory paths must be unique (checked: equal paths land
 * in the same range partition, next to each other).
 */
final class EmbeddingTables {
    /** Most classes a k-NN evaluation accepts (its confusion matrix is C × C per k). */
    static final int MAX_CLASSES = 4096;

    private EmbeddingTables() {
    }

    /**
     * Reads an embeddings table: a Parquet directory, or the output directory of {@code dino spark embed} (its
     * {@code embeddings} table is used).
     *
     * @param what "memory" or "queries", for messages
     * @throws IOException naming the path when it does not exist or lacks the columns
     */
    static Dataset<Row> read(SparkSession spark, String location, String what) throws IOException {
        Path p = new Path(location);
        FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(p)) {
            throw new IOException(what + " table " + location + " does not exist");
        }
        Path inner = new Path(p, SparkEmbed.EMBEDDINGS);
        String use = fs.exists(inner) ? inner.toString() : location;
        Dataset<Row> t;
        try {
            t = spark.read().parquet(use);
        } catch (RuntimeException e) {
            throw new IOException(what + " table " + use + " is not a readable Parquet table: " + e.getMessage(), e);
        }
        check(t, what + " table " + use);
        return t;
    }

    /** Checks the columns: {@code path} string, {@code embedding} array of float, optional {@code label} string. */
    static void check(Dataset<Row> t, String what) {
        Map<String, DataType> types = new HashMap<>();
        for (StructField f : t.schema().fields()) {
            types.put(f.name(), f.dataType());
        }
        if (!DataTypes.StringType.equals(types.get("path"))) {
            throw new IllegalArgumentException(what + " needs a string column 'path', has " + t.schema().simpleString());
        }
        DataType e = types.get("embedding");
        if (!(e instanceof ArrayType a) || !DataTypes.FloatType.equals(a.elementType())) {
            throw new IllegalArgumentException(what + " needs a column 'embedding' of array<float>, has "
                    + t.schema().simpleString());
        }
        if (types.containsKey("label") && !DataTypes.StringType.equals(types.get("label"))) {
            throw new IllegalArgumentException(what + " has a column 'label' that is not a string: "
                    + t.schema().simpleString());
        }
    }

    /** The table's rows as (path, label or null, embedding). */
    static Dataset<Row> rows(Dataset<Row> t) {
        boolean hasLabel = java.util.Arrays.asList(t.columns()).contains("label");
        return t.select(col("path"), hasLabel ? col("label") : org.apache.spark.sql.functions.lit(null)
                .cast(DataTypes.StringType).as("label"), col("embedding"));
    }

    /**
     * The sorted class names of both tables (label = class); with {@code required}, a row without a label is an
     * error naming one such path.
     */
    static List<String> classes(Dataset<Row> memory, Dataset<Row> queries, boolean required) {
        if (required) {
            for (Object[] t : new Object[][] {{memory, "memory"}, {queries, "queries"}}) {
                @SuppressWarnings("unchecked")
                Dataset<Row> d = (Dataset<Row>) t[0];
                List<Row> missing = d.filter(col("label").isNull()).select("path").limit(1).collectAsList();
                if (!missing.isEmpty()) {
                    long n = d.filter(col("label").isNull()).count();
                    throw new IllegalArgumentException(t[1] + " table has " + n + " row(s) without a label, e.g. "
                            + missing.get(0).getString(0) + " (k-NN needs a label on every row; search does not)");
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (Row r : memory.select("label").union(queries.select("label")).filter(col("label").isNotNull()).distinct()
                .collectAsList()) {
            out.add(r.getString(0));
        }
        Collections.sort(out);
        if (out.size() > MAX_CLASSES) {
            throw new IllegalArgumentException("the tables hold " + out.size() + " labels; a k-NN evaluation takes at most "
                    + MAX_CLASSES);
        }
        return out;
    }

    /** The embedding length of the first row, checked to be ≥ 1. */
    static int dimension(Dataset<Row> t, String what) {
        List<Row> first = t.select("embedding").filter(col("embedding").isNotNull()).limit(1).collectAsList();
        if (first.isEmpty()) {
            throw new IllegalArgumentException(what + " table has no rows");
        }
        int d = first.get(0).getList(0).size();
        if (d < 1) {
            throw new IllegalArgumentException(what + " table has an empty embedding at " + first.get(0));
        }
        return d;
    }

    /** A block of rows: ids (memory: global ids, ascending; queries: unused), classes, paths, embeddings. */
    static final class Block implements Serializable {
        private static final long serialVersionUID = 1L;
        final long[] ids;
        final int[] classes;
        final String[] paths;
        final float[][] rows;

        Block(long[] ids, int[] classes, String[] paths, float[][] rows) {
            this.ids = ids;
            this.classes = classes;
            this.paths = paths;
            this.rows = rows;
        }

        int size() {
            return rows.length;
        }
    }

    /**
     * The memory as persisted blocks of at most {@code blockRows} rows, each holding a contiguous range of global
     * ids (rank by path) in ascending order.
     *
     * @param n the number of memory rows (sets the number of blocks)
     */
    static JavaRDD<Block> memoryBlocks(Dataset<Row> memory, List<String> classes, int d, int blockRows, long n,
                                       String what) {
        int parts = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (n + blockRows - 1) / blockRows));
        JavaRDD<Row> sorted = memory.repartitionByRange(parts, col("path")).sortWithinPartitions("path").javaRDD()
                .persist(StorageLevel.MEMORY_AND_DISK());
        JavaRDD<Block> blocks = sorted.zipWithIndex()
                .mapPartitions(new ToBlock(classes, d, what, true), true)
                .persist(StorageLevel.MEMORY_AND_DISK());
        blocks.count();
        sorted.unpersist();
        return blocks;
    }

    /** The queries as persisted blocks, one per partition ({@code partitions} of them); ids number the queries. */
    static JavaRDD<Block> queryBlocks(Dataset<Row> queries, List<String> classes, int d, int partitions, String what) {
        JavaRDD<Row> rows = queries.javaRDD();
        if (rows.getNumPartitions() != partitions) {
            rows = rows.repartition(partitions);
        }
        JavaRDD<Block> blocks = rows.zipWithIndex().mapPartitions(new ToBlock(classes, d, what, false), true)
                .persist(StorageLevel.MEMORY_AND_DISK());
        blocks.count();
        return blocks;
    }

    /** Rows (path, label, embedding) with their index → one block; checks dimension and finiteness. */
    private static final class ToBlock
            implements org.apache.spark.api.java.function.FlatMapFunction<Iterator<Tuple2<Row, Long>>, Block> {
        private static final long serialVersionUID = 1L;
        private final List<String> classes;
        private final int d;
        private final String what;
        /** Rows arrive sorted by path: an equal neighbour is a duplicate. */
        private final boolean sortedByPath;

        ToBlock(List<String> classes, int d, String what, boolean sortedByPath) {
            this.classes = new ArrayList<>(classes);
            this.d = d;
            this.what = what;
            this.sortedByPath = sortedByPath;
        }

        @Override
        public Iterator<Block> call(Iterator<Tuple2<Row, Long>> it) {
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < classes.size(); i++) {
                index.put(classes.get(i), i);
            }
            List<Long> ids = new ArrayList<>();
            List<Integer> cls = new ArrayList<>();
            List<String> paths = new ArrayList<>();
            List<float[]> rows = new ArrayList<>();
            while (it.hasNext()) {
                Tuple2<Row, Long> t = it.next();
                Row r = t._1();
                String path = r.getString(0);
                if (sortedByPath && !paths.isEmpty() && paths.get(paths.size() - 1).equals(path)) {
                    throw new IllegalArgumentException(what + " table holds the path " + path
                            + " twice; paths name the rows and must be unique");
                }
                String label = r.getString(1);
                List<Float> e = r.isNullAt(2) ? null : r.getList(2);
                if (e == null || e.size() != d) {
                    throw new IllegalArgumentException(what + " row " + path + " has an embedding of length "
                            + (e == null ? "null" : e.size()) + ", expected " + d);
                }
                float[] x = new float[d];
                for (int j = 0; j < d; j++) {
                    Float v = e.get(j);
                    if (v == null || !Float.isFinite(v)) {
                        throw new IllegalArgumentException(what + " row " + path + " has a non-finite value " + v
                                + " at position " + j);
                    }
                    x[j] = v;
                }
                ids.add(t._2());
                cls.add(label == null ? -1 : index.get(label));
                paths.add(path);
                rows.add(x);
            }
            if (rows.isEmpty()) {
                return Collections.emptyIterator();
            }
            // zipWithIndex numbers a partition's rows in order, so ids ascend within the block
            return List.of(new Block(ids.stream().mapToLong(Long::longValue).toArray(),
                    cls.stream().mapToInt(Integer::intValue).toArray(), paths.toArray(new String[0]),
                    rows.toArray(new float[0][])))
                    .iterator();
        }
    }
}

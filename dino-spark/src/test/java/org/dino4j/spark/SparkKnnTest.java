package org.dino4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dino4j.eval.features.Features;
import org.dino4j.eval.knn.KnnOptions;
import org.dino4j.eval.knn.KnnResult;
import org.dino4j.eval.knn.WeightedKnn;
import org.dino4j.spark.cli.SparkCommand;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * k-NN and search on real Spark (local[2,3]) against dino-eval's single-machine {@link WeightedKnn} and an
 * independent float64 brute force, on tables that are split into several memory blocks and query partitions and
 * hold exact duplicates (ties across blocks).
 */
class SparkKnnTest {
    static final StructType TABLE = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("label", DataTypes.StringType, true)
            .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    @TempDir
    static Path tmp;

    static final int D = 16;
    static final int C = 7;
    static List<Row> memoryRows;
    static List<Row> queryRows;
    static String memory;
    static String queries;

    /** Rows of clustered data: class centre + noise; paths are random names, so path order is not row order. */
    static List<Row> rows(Random r, int n, String prefix, float[][] centres, List<Row> duplicatesOf) {
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String path = prefix + Long.toString(r.nextLong() & Long.MAX_VALUE, 36) + ".png";
            int c = r.nextInt(C);
            float[] x;
            if (duplicatesOf != null && i % 10 == 0) {
                // an exact copy of an existing row, under another path and maybe another label
                x = toFloats(duplicatesOf.get(r.nextInt(duplicatesOf.size())));
            } else {
                x = new float[D];
                for (int j = 0; j < D; j++) {
                    x[j] = centres[c][j] + (float) (1.5 * r.nextGaussian());
                }
            }
            out.add(RowFactory.create(path, "class-" + c, x));
        }
        return out;
    }

    static float[] toFloats(Row r) {
        float[] x = (float[]) r.get(2);
        return x.clone();
    }

    static String write(SparkSession spark, List<Row> rows, String name, int partitions) {
        String p = tmp.resolve(name).toString();
        spark.createDataFrame(rows, TABLE).repartition(partitions).write().parquet(p);
        return p;
    }

    @BeforeAll
    static void tables() {
        SparkSession spark = SparkTests.spark();
        Random r = new Random(42);
        float[][] centres = new float[C][D];
        for (float[] c : centres) {
            for (int j = 0; j < D; j++) {
                c[j] = (float) (2 * r.nextGaussian());
            }
        }
        List<Row> base = rows(r, 2000, "mem/", centres, null);
        memoryRows = new ArrayList<>(base);
        memoryRows.addAll(rows(r, 1000, "mem/", centres, base)); // 100 exact duplicates of earlier rows
        queryRows = rows(r, 700, "query/", centres, memoryRows);  // 70 queries equal to memory rows
        memory = write(spark, memoryRows, "memory", 3);
        queries = write(spark, queryRows, "queries", 2);
    }

    @Test
    void knnEqualsWeightedKnnQueryByQuery() throws Exception {
        SparkSession spark = SparkTests.spark();
        int[] ks = {1, 10, 20, 100, 200};
        KnnOptions opts = new KnnOptions(ks, 0.07, 64);
        // 3000 memory rows in blocks of at most 750 (4 blocks), 700 queries in 2 partitions: 8 tasks
        NeighbourJobOptions job = new NeighbourJobOptions(64, 750, 2, 1);
        String out = tmp.resolve("knn-out").toString();
        KnnSummary s = SparkKnn.knn(spark, SparkKnn.readTable(spark, memory, "memory"),
                SparkKnn.readTable(spark, queries, "queries"), opts, job, out);
        assertEquals(4, s.memoryBlocks());
        assertEquals(2, s.queryPartitions());

        // single machine: the memory in path order (the Spark job's id order), queries in any order
        List<Row> mem = new ArrayList<>(memoryRows);
        mem.sort(Comparator.comparing(x -> x.getString(0)));
        float[][] mx = mem.stream().map(SparkKnnTest::toFloats).toArray(float[][]::new);
        int[] my = mem.stream().mapToInt(x -> classOf(x.getString(1))).toArray();
        float[][] qx = queryRows.stream().map(SparkKnnTest::toFloats).toArray(float[][]::new);
        int[] qy = queryRows.stream().mapToInt(x -> classOf(x.getString(1))).toArray();
        KnnResult single = new WeightedKnn(opts).evaluate(mx, my, qx, qy, C);

        KnnResult dist = s.result();
        assertEquals(single.memorySize(), dist.memorySize());
        assertEquals(single.numQueries(), dist.numQueries());
        Map<String, String> predicted = new HashMap<>();
        for (Row r : spark.read().parquet(out + "/" + SparkKnn.PREDICTIONS).collectAsList()) {
            assertTrue(predicted.put(r.getString(0) + "@" + r.getInt(2), r.getString(3)) == null, "duplicate row " + r);
        }
        assertEquals(queryRows.size() * ks.length, predicted.size());
        for (int ki = 0; ki < ks.length; ki++) {
            KnnResult.PerK a = single.perK().get(ki);
            KnnResult.PerK b = dist.perK().get(ki);
            assertEquals(a.k(), b.k());
            assertEquals(a.top1(), b.top1(), "top-1 k=" + a.k());
            assertEquals(a.top5(), b.top5(), "top-5 k=" + a.k());
            assertArrayEquals(a.perClassAccuracy(), b.perClassAccuracy(), "per class k=" + a.k());
            for (int c = 0; c < C; c++) {
                assertArrayEquals(a.confusion()[c], b.confusion()[c], "confusion row " + c + " k=" + a.k());
            }
            for (int q = 0; q < queryRows.size(); q++) {
                assertEquals("class-" + a.predictions()[q], predicted.get(queryRows.get(q).getString(0) + "@" + a.k()),
                        "query " + q + " k=" + a.k());
            }
        }
        assertTrue(single.forK(20).top1() > 0.6, "the data are clustered: " + single.forK(20).top1());
        String json = Files.readString(Path.of(out, SparkKnn.KNN_JSON));
        assertTrue(json.contains("\"classes\"") && json.contains("class-6") && json.contains("\"confusion\""), json);
    }

    static int classOf(String label) {
        return Integer.parseInt(label.substring("class-".length()));
    }

    @Test
    void searchListsTheNearestRowsLikeABruteForce() throws Exception {
        SparkSession spark = SparkTests.spark();
        int k = 15;
        // memory without labels on some rows; queries without a label column at all
        List<Row> mem = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Row r = memoryRows.get(i);
            mem.add(RowFactory.create(r.getString(0), i % 3 == 0 ? null : r.getString(1), r.get(2)));
        }
        String memPath = write(spark, mem, "search-memory", 2);
        String qPath = tmp.resolve("search-queries").toString();
        spark.createDataFrame(queryRows.subList(0, 40), TABLE).select("path", "embedding").write().parquet(qPath);
        String out = tmp.resolve("search-out").toString();
        SearchSummary s = SparkKnn.search(spark, SparkKnn.readTable(spark, memPath, "memory"),
                SparkKnn.readTable(spark, qPath, "queries"), k, new NeighbourJobOptions(16, 120, 2, 1), out);
        assertEquals(40, s.queries());
        assertEquals(500, s.memory());
        assertEquals(5, s.memoryBlocks());

        Map<String, List<Row>> got = new HashMap<>();
        for (Row r : spark.read().parquet(out + "/" + SparkKnn.NEIGHBOURS).collectAsList()) {
            got.computeIfAbsent(r.getString(0), x -> new ArrayList<>()).add(r);
            assertTrue(r.isNullAt(1), "queries have no label");
        }
        assertEquals(40, got.size());
        Map<String, String> labelOf = new HashMap<>();
        mem.forEach(r -> labelOf.put(r.getString(0), r.getString(1)));
        for (Row q : queryRows.subList(0, 40)) {
            List<Row> list = got.get(q.getString(0));
            list.sort(Comparator.comparingInt(r -> r.getInt(2)));
            // brute force: float64 cosine of the normalised float rows, sorted by (similarity desc, path asc)
            float[] qn = toFloats(q);
            Features.normaliseInPlace(qn);
            List<Object[]> all = new ArrayList<>();
            for (Row m : mem) {
                float[] mn = toFloats(m);
                Features.normaliseInPlace(mn);
                double sim = 0;
                for (int j = 0; j < D; j++) {
                    sim += (double) qn[j] * mn[j];
                }
                all.add(new Object[] {sim, m.getString(0)});
            }
            all.sort(Comparator.<Object[]>comparingDouble(o -> -(double) o[0]).thenComparing(o -> (String) o[1]));
            assertEquals(k, list.size());
            for (int t = 0; t < k; t++) {
                Row r = list.get(t);
                assertEquals(t + 1, r.getInt(2));
                assertEquals(all.get(t)[1], r.getString(3), "query " + q.getString(0) + " rank " + (t + 1));
                assertEquals((double) all.get(t)[0], r.getDouble(5), 1e-12);
                assertEquals(labelOf.get(r.getString(3)), r.isNullAt(4) ? null : r.getString(4));
            }
        }
    }

    @Test
    void badTablesAreNamedAndNothingIsWritten() throws Exception {
        SparkSession spark = SparkTests.spark();
        Dataset<Row> mem = SparkKnn.readTable(spark, memory, "memory");
        Dataset<Row> qs = SparkKnn.readTable(spark, queries, "queries");
        String out = tmp.resolve("bad-out").toString();
        // k larger than the memory
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkKnn.knn(spark,
                mem.limit(50), qs, new KnnOptions(new int[] {200}, 0.07, 64), NeighbourJobOptions.defaults(), out));
        assertTrue(e.getMessage().contains("k = 200") && e.getMessage().contains("50 rows"), e.getMessage());
        // a row without a label
        List<Row> unlabelled = new ArrayList<>(memoryRows.subList(0, 300));
        unlabelled.set(7, RowFactory.create("mem/nolabel.png", null, unlabelled.get(7).get(2)));
        Dataset<Row> m2 = spark.createDataFrame(unlabelled, TABLE);
        e = assertThrows(IllegalArgumentException.class, () -> SparkKnn.knn(spark, m2, qs,
                new KnnOptions(new int[] {10}, 0.07, 64), NeighbourJobOptions.defaults(), out));
        assertTrue(e.getMessage().contains("memory table has 1 row(s) without a label")
                && e.getMessage().contains("mem/nolabel.png"), e.getMessage());
        // a path twice in the memory
        List<Row> twice = new ArrayList<>(memoryRows.subList(0, 300));
        twice.set(9, RowFactory.create(twice.get(4).getString(0), "class-1", twice.get(9).get(2)));
        Dataset<Row> m3 = spark.createDataFrame(twice, TABLE);
        // found by a task: the job fails with the task's exception as the cause (what the command line reports)
        Exception job = assertThrows(Exception.class, () -> SparkKnn.search(spark, m3, qs, 5,
                NeighbourJobOptions.defaults(), out));
        Throwable cause = job;
        while (cause != null && !(cause instanceof IllegalArgumentException)) {
            cause = cause.getCause();
        }
        assertTrue(cause != null && cause.getMessage().contains(twice.get(4).getString(0) + " twice"), String.valueOf(job));
        // a wrong embedding type
        Dataset<Row> wrong = mem.selectExpr("path", "label", "cast(embedding as array<double>) as embedding");
        e = assertThrows(IllegalArgumentException.class, () -> SparkKnn.search(spark, wrong, qs, 5,
                NeighbourJobOptions.defaults(), out));
        assertTrue(e.getMessage().contains("array<float>"), e.getMessage());
        assertFalse(Files.exists(Path.of(out)), "a failed job leaves no output");
        for (String name : tmp.toFile().list()) {
            assertFalse(name.startsWith(".bad-out"), "a failed job leaves no staging directory: " + name);
        }
    }

    @Test
    void commandLineRunsSearchAndReportsBadInputWithExitCode2() throws Exception {
        String out = tmp.resolve("cli-search").toString();
        CommandLine cl = SparkCommand.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertEquals(0, cl.execute("search", "--memory", memory, "--queries", queries, "--out", out, "--k", "3",
                "--memory-block-rows", "1000"), err.toString());
        assertEquals(queryRows.size() * 3L, SparkTests.spark().read().parquet(out + "/neighbours").count());
        assertTrue(Files.readString(Path.of(out, "summary.json")).contains("\"queriesPerSecond\""));

        // the same output again: refused, exit 2, one clear line
        assertEquals(2, cl.execute("search", "--memory", memory, "--queries", queries, "--out", out), err.toString());
        assertTrue(err.toString().contains("dino: error: output") && err.toString().contains("already exists"), err.toString());
        assertEquals(2, cl.execute("knn", "--memory", tmp.resolve("missing").toString(), "--queries", queries,
                "--out", tmp.resolve("x").toString()));
        assertTrue(err.toString().contains("dino: error: memory table " + tmp.resolve("missing") + " does not exist"),
                err.toString());
    }
}

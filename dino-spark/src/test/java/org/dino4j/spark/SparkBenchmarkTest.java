package org.dino4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dino4j.augment.data.IdxDataset;
import org.dino4j.core.DinoRuntime;
import org.dino4j.eval.features.Embeddings;
import org.dino4j.eval.features.Features;
import org.dino4j.eval.knn.KnnOptions;
import org.dino4j.eval.knn.KnnResult;
import org.dino4j.eval.knn.WeightedKnn;
import org.dino4j.train.CoreNetwork;
import org.dino4j.train.checkpoint.Checkpoint;
import org.dino4j.train.checkpoint.CheckpointStore;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.config.Presets;
import org.dino4j.train.run.RunDirectory;
import org.dino4j.train.run.RunModels;
import org.dino4j.train.run.TrainData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The measurements of docs/spark.md: Fashion-MNIST (60 000 training images as memory, 10 000 test images as
 * queries) written as a PNG tree, embedded and classified with Spark in local mode on 1 and on 2 executor cores,
 * then checked against the single-machine path (dino-eval's {@code Features.extract} on the IDX files and
 * {@code WeightedKnn} on the Spark embeddings). Not part of CI:
 * {@code ./mvnw -B -pl dino-spark -am verify -Dtest=SparkBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false -Ddino.spark.bench=true -Dspark.test.jit=}
 * (options: {@code -Ddino.spark.bench.dir=DIR} for the images and outputs, default {@code target/spark-bench};
 * {@code -Ddino.spark.bench.run=RUN_DIR} to embed with a trained run instead of the {@code fashion-mnist}
 * preset's randomly initialised network). Results: {@code DIR/results.json}. A warm-up (the queries embedded and
 * classified against themselves on 2 cores) runs first, untimed; each configuration then gets a fresh session.
 * Besides wall time it records the JVM's CPU seconds and the CPU seconds Spark's tasks report (a shared machine
 * slows the wall clock, not the work).
 */
@EnabledIfSystemProperty(named = "dino.spark.bench", matches = "true")
class SparkBenchmarkTest {
    static final String[] FOLDERS = new String[10];

    static {
        for (int c = 0; c < 10; c++) {
            FOLDERS[c] = c + "-" + IdxDataset.FASHION_MNIST_CLASSES[c].replaceAll("[^A-Za-z0-9]+", "_");
        }
    }

    static double cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static void writeTree(IdxDataset ds, Path root) throws IOException {
        if (Files.isDirectory(root)) {
            return;
        }
        Path tmp = root.resolveSibling(root.getFileName() + ".tmp");
        SparkTests.delete(tmp);
        float[] px = new float[28 * 28];
        for (int i = 0; i < ds.size(); i++) {
            ds.imageInto(i, px);
            BufferedImage im = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            for (int k = 0; k < px.length; k++) {
                im.getRaster().setSample(k % 28, k / 28, 0, Math.round(px[k] * 255));
            }
            Path f = tmp.resolve(FOLDERS[ds.label(i)]).resolve(String.format("%05d.png", i));
            Files.createDirectories(f.getParent());
            ImageIO.write(im, "png", f.toFile());
        }
        Files.move(tmp, root);
    }

    /** Sums the executor CPU time of finished tasks. */
    static final class TaskCpu extends org.apache.spark.scheduler.SparkListener {
        final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
            if (end.taskMetrics() != null) {
                nanos.addAndGet(end.taskMetrics().executorCpuTime());
            }
        }

        double seconds() {
            return nanos.get() / 1e9;
        }
    }

    static SparkSession session(int cores, Path dir) {
        return SparkSession.builder().master("local[" + cores + "]").appName("dino-spark benchmark")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.warehouse.dir", dir.resolve("warehouse").toString()).getOrCreate();
    }

    /** Index in the IDX file, from a PNG path written by {@link #writeTree}. */
    static int index(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return Integer.parseInt(name.substring(0, name.indexOf('.')));
    }

    @Test
    void fashionMnistOneAndTwoCores() throws Exception {
        Path dir = Path.of(System.getProperty("dino.spark.bench.dir", "target/spark-bench")).toAbsolutePath();
        Path idx = Path.of(System.getProperty("dino.spark.bench.idx", IdxDataset.FASHION_MNIST_DIR.toString()));
        IdxDataset train = IdxDataset.fashionMnist(idx, true);
        IdxDataset test = IdxDataset.fashionMnist(idx, false);
        writeTree(train, dir.resolve("images/memory"));
        writeTree(test, dir.resolve("images/queries"));

        String trained = System.getProperty("dino.spark.bench.run");
        Path run = trained != null ? Path.of(trained) : dir.resolve("random-init-run");
        if (trained == null && !Files.isDirectory(run)) {
            DinoConfig cfg = Presets.get("fashion-mnist");
            float[] w = CoreNetwork.create(cfg.model(), 1, cfg.run().seed()).params().toFloatVector();
            new CheckpointStore(new RunDirectory(run).checkpoints(), 1).save(new Checkpoint(0, 0, w, w,
                    new float[w.length], new float[w.length], new long[0], new float[cfg.model().outDim()],
                    ConfigLoader.toJson(cfg), Map.of(), Map.of(), Map.of()));
        }
        BackboneSource model = BackboneSource.checkpoint(run, false, 0, 0);
        KnnOptions knn = KnnOptions.defaults();
        NeighbourJobOptions job = new NeighbourJobOptions(256, NeighbourJobOptions.DEFAULT_MEMORY_BLOCK_ROWS, 2, 1);

        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode results = om.createObjectNode();
        results.put("model", model.description() + (trained == null ? " = the fashion-mnist preset, random init" : ""));
        results.put("cpus", Runtime.getRuntime().availableProcessors());
        Path warm = dir.resolve("warm-up");
        SparkTests.delete(warm);
        SparkSession ws = session(2, dir);
        SparkEmbed.run(ws, dir.resolve("images/queries").toString(), model, EmbedOptions.defaults(),
                warm.resolve("queries").toString());
        SparkKnn.knn(ws, SparkKnn.readTable(ws, warm.resolve("queries").toString(), "memory"),
                SparkKnn.readTable(ws, warm.resolve("queries").toString(), "queries"), knn, job,
                warm.resolve("knn").toString());
        ws.stop();
        for (int cores : new int[] {1, 2}) {
            Path out = dir.resolve("cores-" + cores);
            SparkTests.delete(out);
            SparkSession spark = session(cores, dir);
            TaskCpu tasks = new TaskCpu();
            spark.sparkContext().addSparkListener(tasks);
            ObjectNode r = results.putObject("cores" + cores);
            double l0 = load();
            double c0 = cpu();
            double t0 = tasks.seconds();
            EmbedSummary mem = SparkEmbed.run(spark, dir.resolve("images/memory").toString(), model,
                    EmbedOptions.defaults(), out.resolve("memory").toString());
            EmbedSummary q = SparkEmbed.run(spark, dir.resolve("images/queries").toString(), model,
                    EmbedOptions.defaults(), out.resolve("queries").toString());
            double c1 = cpu();
            double t1 = tasks.seconds();
            KnnSummary k = SparkKnn.knn(spark, SparkKnn.readTable(spark, out.resolve("memory").toString(), "memory"),
                    SparkKnn.readTable(spark, out.resolve("queries").toString(), "queries"), knn, job,
                    out.resolve("knn").toString());
            double c2 = cpu();
            double t2 = tasks.seconds();
            r.put("embed_images", mem.embedded() + q.embedded()).put("embed_seconds", mem.seconds() + q.seconds())
                    .put("embeddings_per_second", (mem.embedded() + q.embedded()) / (mem.seconds() + q.seconds()))
                    .put("embed_jvm_cpu_seconds", c1 - c0).put("embed_task_cpu_seconds", t1 - t0)
                    .put("embed_partitions", mem.partitions() + q.partitions())
                    .put("knn_seconds", k.seconds()).put("knn_queries_per_second", k.queriesPerSecond())
                    .put("knn_jvm_cpu_seconds", c2 - c1).put("knn_task_cpu_seconds", t2 - t1)
                    .put("knn_tasks", k.memoryBlocks() * k.queryPartitions())
                    .put("load_average_before", l0).put("load_average_after", load());
            for (KnnResult.PerK p : k.result().perK()) {
                r.put("top1_k" + p.k(), p.top1());
            }
            spark.stop();
        }

        // equality with the single-machine path, on the 2-core outputs
        Path out = dir.resolve("cores-2");
        SparkSession spark = session(2, dir);
        List<Row> memRows = new ArrayList<>(spark.read().parquet(out.resolve("memory/embeddings").toString()).collectAsList());
        List<Row> qRows = spark.read().parquet(out.resolve("queries/embeddings").toString()).collectAsList();
        Map<String, String> predicted = new HashMap<>();
        for (Row p : spark.read().parquet(out.resolve("knn/predictions").toString()).collectAsList()) {
            predicted.put(p.getString(0) + "@" + p.getInt(2), p.getString(3));
        }
        spark.stop();
        memRows.sort(Comparator.comparing(x -> x.getString(0)));
        float[][] mx = memRows.stream().map(SparkBenchmarkTest::floats).toArray(float[][]::new);
        int[] my = memRows.stream().mapToInt(x -> classOf(x.getString(1))).toArray();
        float[][] qx = qRows.stream().map(SparkBenchmarkTest::floats).toArray(float[][]::new);
        int[] qy = qRows.stream().mapToInt(x -> classOf(x.getString(1))).toArray();
        DinoRuntime.setThreads(2);
        double w0 = System.nanoTime();
        KnnResult single = new WeightedKnn(knn).evaluate(mx, my, qx, qy, 10);
        ObjectNode eq = results.putObject("equality");
        eq.put("single_machine_knn_seconds_2_threads", (System.nanoTime() - w0) / 1e9);
        int differing = 0;
        for (KnnResult.PerK p : single.perK()) {
            for (int i = 0; i < qRows.size(); i++) {
                if (!FOLDERS[p.predictions()[i]].equals(predicted.get(qRows.get(i).getString(0) + "@" + p.k()))) {
                    differing++;
                }
            }
            eq.put("single_machine_top1_k" + p.k(), p.top1());
        }
        eq.put("knn_predictions_compared", single.perK().size() * qRows.size());
        eq.put("knn_predictions_differing", differing);

        // embeddings: Spark (PNG tree, batches inside partitions) vs dino-eval on the IDX files (batches of 256)
        CoreNetwork net = RunModels.load(run, false, 1);
        double e0 = System.nanoTime();
        Embeddings ref = Features.extract(net::features, TrainData.evalBatches(train, 256, org.dino4j.augment.transform.Normalization.HALF).get(), true);
        eq.put("single_machine_embed_seconds_60000_2_threads", (System.nanoTime() - e0) / 1e9);
        double worst = 0;
        int bitEqual = 0;
        for (Row r : memRows) {
            float[] a = floats(r);
            float[] b = ref.features()[index(r.getString(0))];
            boolean same = true;
            for (int j = 0; j < a.length; j++) {
                worst = Math.max(worst, Math.abs(a[j] - b[j]));
                same &= Float.floatToIntBits(a[j]) == Float.floatToIntBits(b[j]);
            }
            bitEqual += same ? 1 : 0;
        }
        eq.put("embedding_rows_compared", memRows.size()).put("embedding_rows_bit_equal", bitEqual)
                .put("embedding_max_abs_difference", worst);
        String json = om.writeValueAsString(results);
        Files.writeString(dir.resolve("results.json"), json);
        System.out.println(json);
        assertEquals(0, differing, "Spark k-NN predictions differing from WeightedKnn");
    }

    static float[] floats(Row r) {
        List<Float> v = r.getList(2);
        float[] x = new float[v.size()];
        for (int j = 0; j < x.length; j++) {
            x[j] = v.get(j);
        }
        return x;
    }

    static int classOf(String folder) {
        return Integer.parseInt(folder.substring(0, folder.indexOf('-')));
    }
}

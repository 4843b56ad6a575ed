package org.dino4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dino4j.augment.data.FolderDataset;
import org.dino4j.eval.features.Embeddings;
import org.dino4j.eval.features.Features;
import org.dino4j.train.CoreNetwork;
import org.dino4j.train.checkpoint.Checkpoint;
import org.dino4j.train.checkpoint.CheckpointStore;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.config.Presets;
import org.dino4j.train.run.RunDirectory;
import org.dino4j.train.run.TrainData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Embedding on real Spark (local[2,3]): a small image tree with a corrupt file, a non-image file, an image in the
 * root and images of another size and format; the embeddings are compared with dino-eval's single-machine
 * extraction of the same folder, and the fault tests fail a task in the middle of a partition.
 */
class SparkEmbedTest {
    @TempDir
    static Path tmp;

    static Path images;
    static Path run;
    static CoreNetwork net;
    /** One source for all tests: executors keep its networks between jobs, as they would between a user's jobs. */
    static BackboneSource model;
    static final int SIDE = 16; // the tiny preset's image size

    @BeforeAll
    static void data() throws IOException {
        images = tmp.resolve("images");
        Random r = new Random(9);
        String[] classes = {"bird", "cat", "dog"};
        for (int c = 0; c < classes.length; c++) {
            for (int i = 0; i < 7; i++) {
                boolean odd = i == 6; // one larger RGB JPEG per class: resized and converted to grey on read
                writeImage(images.resolve(classes[c]).resolve("img" + i + (odd ? ".jpg" : ".png")), r, odd ? 24 : SIDE,
                        odd, c);
            }
        }
        writeImage(images.resolve("at-root.png"), r, SIDE, false, 0);
        Files.write(images.resolve("dog/broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Files.writeString(images.resolve("cat/notes.txt"), "not an image, and not read");

        DinoConfig cfg = Presets.get("tiny");
        net = CoreNetwork.create(cfg.model(), 1, cfg.run().seed());
        float[] w = net.params().toFloatVector();
        run = tmp.resolve("run");
        new CheckpointStore(new RunDirectory(run).checkpoints(), 1).save(new Checkpoint(0, 0, w, w, new float[w.length],
                new float[w.length], new long[0], new float[cfg.model().outDim()], ConfigLoader.toJson(cfg), Map.of(),
                Map.of(), Map.of()));
        net.exportBackbone(tmp.resolve("backbone.sd"));
        model = BackboneSource.checkpoint(run, false, 0, 0);
    }

    static void writeImage(Path f, Random r, int side, boolean rgb, int c) throws IOException {
        Files.createDirectories(f.getParent());
        BufferedImage im = new BufferedImage(side, side, rgb ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int v = Math.min(255, Math.max(0, (c * 60 + (x + y) * 4 + r.nextInt(40))));
                if (rgb) {
                    im.setRGB(x, y, (v << 16) | ((255 - v) << 8) | (v / 2));
                } else {
                    im.getRaster().setSample(x, y, 0, v);
                }
            }
        }
        assertTrue(ImageIO.write(im, rgb ? "jpg" : "png", f.toFile()));
    }

    @AfterEach
    void noHook() {
        SparkEmbed.faultHook = null;
    }

    /** path (as Spark writes it) → row */
    static Map<String, Row> table(SparkSession spark, String dir) {
        Map<String, Row> m = new HashMap<>();
        for (Row r : spark.read().parquet(dir).collectAsList()) {
            assertNull(m.put(r.getString(0), r), "duplicate path " + r.getString(0));
        }
        return m;
    }

    @Test
    void embedsLikeTheSingleMachinePathAndNamesTheCorruptImage() throws Exception {
        SparkSession spark = SparkTests.spark();
        int builds = ExecutorState.builds();
        String out = tmp.resolve("embed-out").toString();
        EmbedSummary s = SparkEmbed.run(spark, images.toString(), model, new EmbedOptions(4, 3, 1, 20), out);
        assertEquals(23, s.images());
        assertEquals(22, s.embedded());
        assertEquals(1, s.unreadable());
        assertEquals(1, s.unreadableExamples().size());
        assertTrue(s.unreadableExamples().get(0).path().endsWith("dog/broken.png"), s.toString());
        assertTrue(s.unreadableExamples().get(0).error().contains("unreadable or corrupt image"), s.toString());
        assertEquals(3, s.partitions());
        // each of the two task slots builds its network at most once, whatever the number of partitions and jobs
        assertTrue(ExecutorState.builds() - builds <= 2, "networks built: " + (ExecutorState.builds() - builds));
        String json = Files.readString(Path.of(out, SparkEmbed.SUMMARY));
        assertTrue(json.contains("broken.png") && json.contains("\"embeddingsPerSecond\""), json);

        Map<String, Row> got = table(spark, out + "/" + SparkEmbed.EMBEDDINGS);
        assertEquals(22, got.size());
        Map<String, Row> bad = table(spark, out + "/" + SparkEmbed.UNREADABLE);
        assertEquals(1, bad.size());
        assertEquals("dog", bad.values().iterator().next().getString(1));

        // single machine: dino-eval's extraction of the same folder (class folders only), teacher weights
        FolderDataset ds = FolderDataset.load(images, 1, SIDE, SIDE, true);
        assertEquals(1, ds.skipped());
        Embeddings e = Features.extract(net::features, TrainData.evalBatches(ds, 256, org.dino4j.augment.transform.Normalization.HALF).get(), true);
        double worst = 0;
        int exact = 0;
        for (int i = 0; i < ds.size(); i++) {
            String key = ds.file(i).toUri().toString().replace("file:///", "file:/");
            Row r = got.get(key);
            assertTrue(r != null, "no embedding for " + key + " in " + got.keySet());
            assertEquals(ds.className(ds.label(i)), r.getString(1));
            List<Float> v = r.getList(2);
            assertEquals(e.features()[i].length, v.size());
            boolean same = true;
            for (int j = 0; j < v.size(); j++) {
                worst = Math.max(worst, Math.abs(v.get(j) - e.features()[i][j]));
                same &= v.get(j) == e.features()[i][j];
            }
            exact += same ? 1 : 0;
        }
        // batches differ (4 per forward here, 256 there): the backbone's output may differ in the last bits only
        assertTrue(worst < 1e-5, "max |spark - single machine| = " + worst + " (" + exact + " rows bit-equal)");
        Row root = got.get(images.resolve("at-root.png").toUri().toString().replace("file:///", "file:/"));
        assertTrue(root != null && root.isNullAt(1), "an image in the root has no label: " + root);

        // the exported backbone gives the same embeddings; its channel count comes from the graph
        BackboneSource exported = BackboneSource.exported(tmp.resolve("backbone.sd"), SIDE, 0);
        assertEquals(1, exported.channels());
        String out2 = tmp.resolve("embed-exported").toString();
        SparkEmbed.run(spark, images.toString(), exported, new EmbedOptions(8, 2, 1, 20), out2);
        Map<String, Row> got2 = table(spark, out2 + "/" + SparkEmbed.EMBEDDINGS);
        assertEquals(got.keySet(), got2.keySet());
        for (String p : got.keySet()) {
            List<Float> a = got.get(p).getList(2);
            List<Float> b = got2.get(p).getList(2);
            for (int j = 0; j < a.size(); j++) {
                assertEquals(a.get(j), b.get(j), 1e-5, p);
            }
        }

        IOException ex = assertThrows(IOException.class, () -> SparkEmbed.run(spark, images.toString(), model,
                EmbedOptions.defaults(), out));
        assertTrue(ex.getMessage().contains("already exists"), ex.getMessage());
        ex = assertThrows(IOException.class, () -> BackboneSource.checkpoint(tmp.resolve("no-run"), false, 0, 0));
        assertTrue(ex.getMessage().contains("no-run"), ex.getMessage());
    }

    @Test
    void aTaskFailingMidPartitionIsRetriedWithoutDuplicateRows() throws Exception {
        SparkSession spark = SparkTests.spark();
        AtomicInteger fired = new AtomicInteger();
        // the first attempt of partition 1 dies after two of its images (its rows so far are already written)
        SparkEmbed.faultHook = (partition, attempt, index) -> {
            if (partition == 1 && attempt == 0 && index == 2 && fired.getAndIncrement() == 0) {
                throw new IllegalStateException("injected failure in the middle of partition 1");
            }
        };
        String out = tmp.resolve("retried").toString();
        EmbedSummary s = SparkEmbed.run(spark, images.toString(), model, new EmbedOptions(1, 3, 1, 20), out);
        assertEquals(1, fired.get(), "the fault fired once");
        assertEquals(22, s.embedded());
        assertEquals(1, s.unreadable());
        List<Row> rows = spark.read().parquet(out + "/" + SparkEmbed.EMBEDDINGS).collectAsList();
        assertEquals(22, rows.size());
        assertEquals(22, rows.stream().map(r -> r.getString(0)).distinct().count(), "no duplicate rows");
    }

    @Test
    void aJobThatFailsLeavesNoOutput() throws Exception {
        SparkSession spark = SparkTests.spark();
        SparkEmbed.faultHook = (partition, attempt, index) -> {
            if (partition == 0 && index == 1) {
                throw new IllegalStateException("injected permanent failure");
            }
        };
        String out = tmp.resolve("failed").toString();
        Exception e = assertThrows(Exception.class, () -> SparkEmbed.run(spark, images.toString(), model,
                new EmbedOptions(2, 2, 1, 20), out));
        assertTrue(String.valueOf(e.getMessage()).contains("injected permanent failure"), String.valueOf(e));
        assertFalse(Files.exists(Path.of(out)), "no output directory after a failed job");
        for (String name : tmp.toFile().list()) {
            assertFalse(name.startsWith(".failed"), "no staging directory left: " + name);
        }
    }

    @Test
    void emptyInputIsNamed() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("no-images/sub"));
        Files.writeString(empty.resolve("readme.txt"), "no images here");
        IOException e = assertThrows(IOException.class, () -> SparkEmbed.run(SparkTests.spark(),
                tmp.resolve("no-images").toString(), BackboneSource.exported(tmp.resolve("backbone.sd"), SIDE, 0),
                EmbedOptions.defaults(), tmp.resolve("empty-out").toString()));
        assertTrue(e.getMessage().contains("no images") && e.getMessage().contains("no-images"), e.getMessage());
        assertEquals("cat", SparkEmbed.label("file:/data/x/cat/a.png", "file:/data/x"));
        assertNull(SparkEmbed.label("file:/data/x/a.png", "file:/data/x"));
        assertEquals("x", SparkEmbed.label("file:/data/x/a.png", null));
    }
}

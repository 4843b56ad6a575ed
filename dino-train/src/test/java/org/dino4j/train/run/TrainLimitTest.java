package org.dino4j.train.run;

import org.dino4j.train.CropBatches;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DataConfig;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.config.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code data.trainLimit}: the training set is the first N images of the source, the queries are unchanged. */
class TrainLimitTest {
    @TempDir
    Path tmp;

    /** Writes raw (not gzipped) IDX files of n 4×4 images whose pixels encode the image index. */
    private static void writeIdx(Path dir, String prefix, int n) throws IOException {
        ByteBuffer img = ByteBuffer.allocate(16 + n * 16);
        img.putInt(0x00000803).putInt(n).putInt(4).putInt(4);
        for (int i = 0; i < n; i++) for (int k = 0; k < 16; k++) img.put((byte) ((i * 7 + k) % 256));
        ByteBuffer lab = ByteBuffer.allocate(8 + n);
        lab.putInt(0x00000801).putInt(n);
        for (int i = 0; i < n; i++) lab.put((byte) (i % 10));
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), img.array());
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), lab.array());
    }

    private static DataConfig idx(Path dir, int batch, int heldOut, int trainLimit) throws IOException {
        DinoConfig c = ConfigLoader.load("tiny", null, Map.of("data.source", "idx:" + dir,
                "data.batchSize", Integer.toString(batch), "data.heldOut", Integer.toString(heldOut),
                "data.crops.global1.size", "4", "data.crops.global2.size", "4", "data.crops.local.size", "2",
                "data.crops.numLocal", "0",
                "data.workers", "0", "data.trainLimit", Integer.toString(trainLimit)));
        return c.data();
    }

    private static int itersPerEpoch(TrainData td, DataConfig d) {
        try (CropBatches b = td.loader(d, 0, 1)) {
            return b.itersPerEpoch();
        }
    }

    @Test
    void limitTakesTheFirstImagesAndSetsTheEpochLength() throws IOException {
        writeIdx(tmp, "train", 100);
        writeIdx(tmp, "t10k", 30);
        DataConfig all = idx(tmp, 8, 20, 0);
        DataConfig lim = idx(tmp, 8, 20, 37);
        assertEquals(0, ConfigLoader.load("fashion-mnist", null, null).data().trainLimit(), "default = all images");

        TrainData a = TrainData.open(all), l = TrainData.open(lim);
        assertEquals(100, a.train().size());
        assertEquals(37, l.train().size());
        assertEquals(100 / 8, itersPerEpoch(a, all));
        assertEquals(37 / 8, itersPerEpoch(l, lim)); // floor(N / batch) = 4
        for (int i = 0; i < 37; i++) {
            assertArrayEquals(a.train().image(i), l.train().image(i), "training image " + i);
            assertEquals(a.train().label(i), l.train().label(i));
        }
        // the held-out queries (test split) do not depend on the limit
        assertEquals(20, l.queries().size());
        for (int i = 0; i < 20; i++) assertArrayEquals(a.queries().image(i), l.queries().image(i), "query " + i);
        assertTrue(l.description().contains("first 37 of 100"), l.description());

        // a limit at or above the training-set size keeps every image
        assertEquals(100, TrainData.open(idx(tmp, 8, 20, 100)).train().size());
        assertEquals(100, TrainData.open(idx(tmp, 8, 20, 5000)).train().size());
        // a limit below one batch leaves no step: the loader's clear error
        DataConfig tooFew = idx(tmp, 8, 20, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> itersPerEpoch(TrainData.open(tooFew), tooFew));
        assertTrue(e.getMessage().contains("dataset size 5"), e.getMessage());
    }

    @Test
    void limitCutsTheSyntheticTrainingSetToo() throws IOException {
        // synthetic: the limit cuts the generated training set, the queries come from their own seed
        DinoConfig c = ConfigLoader.load("tiny", null, Map.of("data.syntheticSize", "64", "data.trainLimit", "24"));
        TrainData l = TrainData.open(c.data());
        TrainData a = TrainData.open(ConfigLoader.override(c, Map.of("data.trainLimit", "0")).data());
        assertEquals(24, l.train().size());
        assertEquals(64, a.train().size());
        for (int i = 0; i < 24; i++) assertArrayEquals(a.train().image(i), l.train().image(i), "training image " + i);
        assertEquals(24 / c.data().batchSize(), itersPerEpoch(l, c.data()));
    }

    @Test
    void negativeLimitIsRefusedNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("fashion-mnist", null, Map.of("data.trainLimit", "-5")));
        assertEquals("data.trainLimit must be >= 0, got -5", e.getMessage());
    }

    @Test
    void configWithoutTheKeyLoadsAsAllImages() {
        // a checkpoint's config.json written before the key existed
        String json = ConfigLoader.toJson(Presets.get("tiny"))
                .replaceAll(",\\s*\"trainLimit\"\\s*:\\s*0", "");
        assertFalse(json.contains("trainLimit"), json);
        assertEquals(0, ConfigLoader.fromJson(json).data().trainLimit());
    }
}

package org.dino4j.train.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class DataScalingTest {
    @TempDir
    Path tmp;

    @Test
    void momentumFollowsTheRunsLengthWithinItsBounds() {
        // λ₀ = 1 − 100/T, computed by hand
        assertEquals(0.99, DataScaling.momentumFor(10_000), 1e-12);
        assertEquals(0.95, DataScaling.momentumFor(2_000), 1e-12);
        assertEquals(DataScaling.MIN_MOMENTUM, DataScaling.momentumFor(300), 1e-12);
        assertEquals(DataScaling.MAX_MOMENTUM, DataScaling.momentumFor(10_000_000), 1e-12);
    }

    @Test
    void smallSetGetsASmallerBatchAndAShorterTeacherHorizon() {
        DinoConfig c = ConfigLoader.override(Presets.get("images"), Map.of("run.epochs", "20", "teacher.momentumTeacher", "0.99"));
        DataScaling.Result r = DataScaling.adapt(c, 200, Set.of());
        // 200 / 8 = 25 → highest power of two 16: 12 steps per epoch, 240 steps, λ₀ = 1 − 100/240 → clamped 0.9
        assertEquals(16, r.config().data().batchSize());
        assertEquals(0.9, r.config().teacher().momentumTeacher(), 1e-12);
        assertEquals(2.0, r.config().optim().warmupEpochs(), 1e-12);
        assertEquals(2, r.config().run().knnEveryEpochs());
        assertEquals(4, r.changes().size(), r.changes().toString());
        // 5,000 images keep batch 64: 78 steps · 20 epochs = 1,560 → λ₀ = 1 − 100/1560 = 0.9359
        DataScaling.Result big = DataScaling.adapt(c, 5000, Set.of());
        assertEquals(64, big.config().data().batchSize());
        assertEquals(0.9359, big.config().teacher().momentumTeacher(), 1e-12);
    }

    @Test
    void keysTheUserSetAreLeftAlone() {
        DinoConfig c = ConfigLoader.override(Presets.get("images"), Map.of("run.epochs", "20", "teacher.momentumTeacher", "0.99"));
        DataScaling.Result r = DataScaling.adapt(c, 200, Set.of("data.batchSize", "teacher.momentumTeacher"));
        assertEquals(c.data().batchSize(), r.config().data().batchSize());
        assertEquals(c.teacher().momentumTeacher(), r.config().teacher().momentumTeacher());
        assertNotEquals(c.optim().warmupEpochs(), r.config().optim().warmupEpochs());
    }

    @Test
    void configWithoutAdaptToDataIsUnchanged() {
        DinoConfig c = Presets.get("synthetic-quick");
        assertFalse(c.run().adaptToData());
        assertSame(c, DataScaling.adapt(c, 10, Set.of()).config());
    }

    @Test
    void explicitKeysAreTheFilesLeavesAndTheOverrides() throws IOException {
        Path f = tmp.resolve("c.yaml");
        Files.writeString(f, "preset: images\noptim:\n  lr: 0.003\nrun:\n  epochs: 3\n");
        assertEquals(Set.of("optim.lr", "run.epochs", "data.batchSize"),
                ConfigLoader.explicitKeys(f, Map.of("data.batchSize", "32")));
        // an older key counts as the key it became
        Files.writeString(f, "preset: images\ndata:\n  localCrops: 4\n  batchSize: 16\n");
        assertEquals(Set.of("data.crops.numLocal", "data.batchSize"), ConfigLoader.explicitKeys(f, null));
        // a file without run.adaptToData takes its base's value (the default preset's: false)
        Files.writeString(f, "preset: images\n");
        assertTrue(ConfigLoader.load(null, f, null).run().adaptToData());
        assertFalse(ConfigLoader.load("tiny", null, null).run().adaptToData());
    }
}

package org.dino4j.train.config;

import org.dino4j.augment.MultiCropConfig;
import org.dino4j.train.run.TrainData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code data.rotationDegrees}: off (0) by default, set from YAML/overrides, passed to the crops, validated. */
class DataRotationConfigTest {
    @TempDir
    Path tmp;

    /** Rotation is off except in the synthetic-quality presets and the ViT one derived from synthetic-quick (their shapes are drawn at random angles). */
    @Test
    void onlyTheSyntheticQualityPresetsRotate() {
        for (String name : Presets.names()) {
            DataConfig d = Presets.get(name).data();
            double expected = List.of("synthetic-quick", "synthetic-main", "synthetic-long", "vit-tiny28").contains(name) ? 180.0 : 0.0;
            assertEquals(expected, d.rotationDegrees(), name);
            assertEquals(expected, TrainData.crops(d).rotationDegrees(), name);
        }
    }

    @Test
    void overrideAndFileReachTheMultiCropConfig() throws IOException {
        DinoConfig c = ConfigLoader.load("fashion-mnist", null, Map.of("data.rotationDegrees", "180"));
        assertEquals(180.0, c.data().rotationDegrees());
        MultiCropConfig mc = TrainData.crops(c.data());
        assertEquals(180.0, mc.rotationDegrees());
        // everything else is the recipe of the preset
        assertEquals(TrainData.crops(Presets.get("fashion-mnist").data()).withRotationDegrees(180), mc);

        Path yaml = tmp.resolve("rot.yaml");
        Files.writeString(yaml, "preset: tiny\ndata:\n  rotationDegrees: 22.5\n");
        assertEquals(22.5, ConfigLoader.load(null, yaml, null).data().rotationDegrees());
        // the written YAML names the key and loads back
        Path written = tmp.resolve("written.yaml");
        Files.writeString(written, ConfigLoader.toYaml(c));
        assertTrue(Files.readString(written).contains("rotationDegrees: 180.0"), Files.readString(written));
        assertEquals(c, ConfigLoader.load(null, written, null));
        assertEquals(c, ConfigLoader.fromJson(ConfigLoader.toJson(c)));
    }

    @Test
    void filesAndCheckpointsWithoutTheKeyLoadWithoutRotation() throws IOException {
        // a checkpoint's config.json written before the key (and before trainLimit) existed
        String json = ConfigLoader.toJson(Presets.get("tiny"))
                .replaceAll(",\\s*\"trainLimit\"\\s*:\\s*0", "")
                .replaceAll(",\\s*\"rotationDegrees\"\\s*:\\s*0\\.0", "");
        assertFalse(json.contains("rotationDegrees") || json.contains("trainLimit"), json);
        assertEquals(Presets.get("tiny"), ConfigLoader.fromJson(json));
        // an old YAML file with a full data section but no rotationDegrees
        String yaml = ConfigLoader.toYaml(Presets.get("tiny")).replaceAll("\\n\\s*rotationDegrees: 0\\.0", "");
        assertFalse(yaml.contains("rotationDegrees"), yaml);
        Path f = tmp.resolve("old.yaml");
        Files.writeString(f, yaml);
        assertEquals(0.0, ConfigLoader.load(null, f, null).data().rotationDegrees());
    }

    @Test
    void outOfRangeIsRefusedNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("tiny", null, Map.of("data.rotationDegrees", "200")));
        assertEquals("data.rotationDegrees must be in [0, 180], got 200.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("tiny", null, Map.of("data.rotationDegrees", "-0.5")));
        assertEquals("data.rotationDegrees must be in [0, 180], got -0.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("tiny", null, Map.of("data.rotationDegrees", "lots")));
        assertTrue(e.getMessage().contains("data.rotationDegrees"), e.getMessage());
    }
}

package org.dino4j.train.config;

import org.dino4j.augment.MultiCropConfig;
import org.dino4j.augment.transform.Normalization;
import org.dino4j.augment.transform.ViewSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@link DataConfig}: {@code data.crops} is dino-augment's {@link MultiCropConfig} key for key; validation names the key. */
class DataConfigTest {
    @TempDir
    Path tmp;

    /** Every field of MultiCropConfig is a key under data.crops, and every key under data.crops is one of its fields. */
    @Test
    void cropsSectionIsTheMultiCropConfigFieldForField() throws IOException {
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ConfigLoader.toJson(Presets.get("default")));
        List<String> keys = new java.util.ArrayList<>();
        tree.get("data").get("crops").fieldNames().forEachRemaining(keys::add);
        List<String> fields = java.util.Arrays.stream(MultiCropConfig.class.getRecordComponents())
                .map(java.lang.reflect.RecordComponent::getName).toList();
        assertEquals(fields, keys);
        // a file can set any of them, nested keys included
        Path f = tmp.resolve("crops.yaml");
        Files.writeString(f, "preset: tiny\ndata:\n  crops:\n    flipP: 0.25\n    jitter:\n      hue: 0.05\n"
                + "    normalization:\n      mean: [0.4]\n      std: [0.2]\n    local:\n      blurP: 0.3\n");
        MultiCropConfig c = ConfigLoader.load(null, f, null).data().crops();
        MultiCropConfig tiny = Presets.get("tiny").data().crops();
        assertEquals(tiny.toBuilder().flipP(0.25)
                .jitter(new org.dino4j.augment.transform.ColorJitterSpec(0.8, 0.4, 0.4, 0.2, 0.05))
                .normalization(new Normalization(new float[]{0.4f}, new float[]{0.2f}))
                .local(new ViewSpec(tiny.localSize(), tiny.local().scaleMin(), tiny.local().scaleMax(), 0.3, 0.0)).build(), c);
    }

    /** Rotation is off except in the synthetic-quality presets and the ViT one derived from synthetic-quick. */
    @Test
    void onlyTheSyntheticQualityPresetsRotate() {
        for (String name : Presets.names()) {
            double expected = List.of("synthetic-quick", "synthetic-main", "synthetic-long", "vit-tiny28").contains(name) ? 180.0 : 0.0;
            assertEquals(expected, Presets.get(name).data().crops().rotationDegrees(), name);
        }
    }

    @Test
    void overridesReachTheCropsAndRoundTrip() throws IOException {
        DinoConfig c = ConfigLoader.load("fashion-mnist", null, Map.of("data.crops.rotationDegrees", "180",
                "data.crops.numLocal", "4", "data.crops.local.size", "16"));
        MultiCropConfig mc = c.data().crops();
        assertEquals(Presets.get("fashion-mnist").data().crops().toBuilder().rotationDegrees(180).numLocal(4).localSize(16)
                .build(), mc);
        Path written = tmp.resolve("written.yaml");
        Files.writeString(written, ConfigLoader.toYaml(c));
        assertTrue(Files.readString(written).contains("rotationDegrees: 180.0"), Files.readString(written));
        assertEquals(c, ConfigLoader.load(null, written, null));
        assertEquals(c, ConfigLoader.fromJson(ConfigLoader.toJson(c)));
    }

    @Test
    void badValuesAreRefusedNamingTheFullKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("tiny", null, Map.of("data.crops.rotationDegrees", "200")));
        assertEquals("data.crops.rotationDegrees must be in [0, 180], got 200.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("tiny", null, Map.of("data.crops.global1.size", "0")));
        assertEquals("data.crops.global1.size must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("tiny", null, Map.of("data.crops.global2.size", "12")));
        assertTrue(e.getMessage().startsWith("data.crops.global2.size must equal global1.size (16), got 12"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("tiny", null, Map.of("data.crops.jitter.hue", "0.7")));
        assertEquals("data.crops.jitter.hue must be in [0, 0.5], got 0.7", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("tiny", null, Map.of("data.crops.numLocal", "lots")));
        assertTrue(e.getMessage().contains("data.crops.numLocal"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("tiny", null, Map.of("data.batchSize", "0")));
        assertEquals("data.batchSize must be > 0, got 0", e.getMessage());
        // crops smaller than the backbone accepts: the full key and the backbone's minimum
        e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("tiny", null, Map.of("data.crops.local.size", "2")));
        assertTrue(e.getMessage().startsWith("data.crops.local.size must be >= 4"), e.getMessage());
    }

    @Test
    void builderStartsFromTheDefaultPresetsDataSection() {
        assertEquals(Presets.get("default").data(), DataConfig.builder().build());
        DataConfig d = DataConfig.builder().batchSize(8).source("idx:somewhere").build();
        assertEquals(8, d.batchSize());
        assertEquals(d, d.toBuilder().build());
        assertThrows(IllegalArgumentException.class, () -> d.toBuilder().channels(2).build());
    }
}

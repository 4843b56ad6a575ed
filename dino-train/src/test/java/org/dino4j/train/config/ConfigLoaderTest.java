package org.dino4j.train.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.dino4j.core.model.SmallResNet;
import org.dino4j.core.model.vit.VisionTransformer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ConfigLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void defaultsAreTheOfficialOnes() throws IOException {
        DinoConfig c = ConfigLoader.load(null, null, null);
        assertEquals(5e-4, c.optim().lr());
        assertEquals(1e-6, c.optim().minLr());
        assertEquals(10, c.optim().warmupEpochs());
        assertEquals(0.04, c.optim().weightDecay());
        assertEquals(0.4, c.optim().weightDecayEnd());
        assertEquals(3.0, c.optim().clipGrad());
        assertEquals(1, c.optim().freezeLastLayer());
        assertEquals(0.1, c.teacher().studentTemp());
        assertEquals(0.04, c.teacher().warmupTeacherTemp());
        assertEquals(0.996, c.teacher().momentumTeacher());
        assertEquals(0.9, c.teacher().centerMomentum());
        assertEquals(64, c.data().batchSize());
        assertEquals(100, c.run().epochs());
        assertEquals(5e-4 * 64 / 256, c.peakLr(), 1e-18);
    }

    @Test
    void yamlFileOverridesOnlyItsKeysThenFlagsWin() throws IOException {
        Path f = tmp.resolve("c.yaml");
        Files.writeString(f, "preset: tiny\noptim:\n  lr: 0.003\nmodel:\n  small-resnet:\n    widths: [4, 8, 16]\nrun:\n  epochs: 3\n");
        Map<String, String> ov = new LinkedHashMap<>();
        ov.put("run.epochs", "5");
        ov.put("data.source", "idx:/x");
        DinoConfig c = ConfigLoader.load(null, f, ov);
        assertEquals(0.003, c.optim().lr());
        assertEquals(List.of(4, 8, 16), c.model().backboneOptions(SmallResNet.Options.class).widths());
        assertEquals(5, c.run().epochs());
        assertEquals("idx:/x", c.data().source());
        assertEquals(Presets.get("tiny").data().batchSize(), c.data().batchSize(), "untouched keys keep the preset");
    }

    @Test
    void jsonRoundTripIsExact() throws IOException {
        DinoConfig c = Presets.get("fashion-mnist");
        assertEquals(c, ConfigLoader.fromJson(ConfigLoader.toJson(c)));
        Path f = tmp.resolve("c.yml");
        Files.writeString(f, ConfigLoader.toYaml(c));
        assertEquals(c, ConfigLoader.load("default", f, null));
    }

    @Test
    void unknownKeysAreNamed() {
        Path f = tmp.resolve("bad.json");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            Files.writeString(f, "{\"optim\": {\"lrr\": 1}}");
            ConfigLoader.load(null, f, null);
        });
        assertTrue(e.getMessage().contains("optim.lrr"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(null, null, Map.of("optim.nope", "1")));
        assertTrue(e.getMessage().contains("optim.nope"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(null, null, Map.of("bogus", "1")));
        assertTrue(e.getMessage().contains("bogus"), e.getMessage());
    }

    @Test
    void invalidValuesNameFieldAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load(null, null, Map.of("teacher.teacherTemp", "-0.1")));
        assertEquals("teacher.teacherTemp must be > 0, got -0.1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(null, null, Map.of("optim.lr", "fast")));
        assertTrue(e.getMessage().contains("optim.lr") && e.getMessage().contains("fast"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(null, null, Map.of("run.epochs", "5")));
        assertTrue(e.getMessage().contains("optim.warmupEpochs") && e.getMessage().contains("10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(null, null, Map.of("data.source", "ftp:x")));
        assertTrue(e.getMessage().contains("data.source") && e.getMessage().contains("ftp:x"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load("huge", null, null));
        assertTrue(e.getMessage().contains("huge"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(null, null, Map.of("model.small-resnet.widths", "[8, 0]")));
        assertTrue(e.getMessage().contains("model.small-resnet.widths"), e.getMessage());
    }

    @Test
    void unreadableFilesAreIoErrorsNamingTheFile() {
        Path missing = tmp.resolve("missing.yaml");
        IOException e = assertThrows(IOException.class, () -> ConfigLoader.load(null, missing, null));
        assertTrue(e.getMessage().contains("missing.yaml"), e.getMessage());
        Path broken = tmp.resolve("broken.json");
        e = assertThrows(IOException.class, () -> {
            Files.writeString(broken, "{\"optim\": ");
            ConfigLoader.load(null, broken, null);
        });
        assertTrue(e.getMessage().contains("broken.json"), e.getMessage());
    }

    @Test
    void selectingABackboneStartsFromItsDefaultsThenTheKeysApply() throws IOException {
        Path f = tmp.resolve("vit.yaml");
        Files.writeString(f, "preset: tiny\nmodel:\n  vit:\n    depth: 2\n    dropPath: 0.0\n  backbone: vit\n");
        DinoConfig c = ConfigLoader.load(null, f, Map.of("model.vit.heads", "8"));
        assertEquals("vit", c.model().backbone());
        assertEquals(VisionTransformer.Options.builder().depth(2).heads(8).dropPath(0.0).build(),
                c.model().backboneOptions(VisionTransformer.Options.class));
        assertEquals(Presets.get("tiny").model().head(), c.model().head(), "the head is kept");
        assertEquals(4, c.model().minInputSize(), "one patch");
        assertEquals(c, ConfigLoader.fromJson(ConfigLoader.toJson(c)));
        // the same through overrides, in order: switch, then a key of the new section
        Map<String, String> o = new LinkedHashMap<>();
        o.put("model.backbone", "vit");
        o.put("model.vit.depth", "2");
        assertEquals(2, ConfigLoader.load("tiny", null, o).model().backboneOptions(VisionTransformer.Options.class).depth());
        // a config holds its own backbone's section only
        String yaml = ConfigLoader.toYaml(c);
        assertTrue(yaml.contains("vit:") && !yaml.contains("small-resnet"), yaml);
        // the GELU form: tanh unless set (configs written before it have no gelu field), erf on request, nothing else
        var noGelu = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(ConfigLoader.toJson(c));
        ((com.fasterxml.jackson.databind.node.ObjectNode) noGelu.get("model").get("vit")).remove("gelu");
        assertEquals(c, ConfigLoader.fromJson(noGelu.toString()));
        DinoConfig erf = ConfigLoader.load(null, f, Map.of("model.vit.gelu", "erf"));
        assertTrue(erf.model().backboneOptions(VisionTransformer.Options.class).toConfig(1).exactGelu());
        assertFalse(c.model().backboneOptions(VisionTransformer.Options.class).toConfig(1).exactGelu());
        assertEquals(erf, ConfigLoader.fromJson(ConfigLoader.toJson(erf)));
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load(null, f, Map.of("model.vit.gelu", "relu")));
        assertTrue(g.getMessage().contains("model.vit.gelu must be \"tanh\" or \"erf\", got \"relu\""), g.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("tiny", null, Map.of("model.vit.depth", "2")));
        assertTrue(e.getMessage().contains("model.vit.depth") && e.getMessage().contains("small-resnet"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load("tiny", null, Map.of("model.backbone", "resnet50")));
        assertTrue(e.getMessage().startsWith("model.backbone must be one of [small-resnet, ") && e.getMessage().contains("vit"),
                e.getMessage());
    }

    @Test
    void nestedErrorsNameTheFullKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("vit-tiny28", null, Map.of("model.vit.depth", "0")));
        assertEquals("model.vit.depth must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("tiny", null, Map.of("model.small-resnet.stem", "3")));
        assertEquals("model.small-resnet.stem must be > 0 and divisible by groups (2), got 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load("tiny", null, Map.of("model.head.outDim", "1")));
        assertEquals("model.head.outDim must be >= 2, got 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load("tiny", null, Map.of("ablation.centering", "maybe")));
        assertTrue(e.getMessage().contains("ablation.centering"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.fromJson("{\"model\": {\"backbone\": \"vit\", "
                + "\"vit\": {\"depth\": 2.5}, \"head\": {}}}"));
        assertEquals("model.vit.depth must be an integer, got 2.5", e.getMessage());
    }

    /** Overrides name today's keys; an older key gets one error naming the key to use. */
    @Test
    void olderKeyNamesInOverridesNameTheirReplacement() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("tiny", null, Map.of("data.localCrops", "4")));
        assertEquals("config key \"data.localCrops\" is read only from older config files; set data.crops.numLocal instead",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load("tiny", null, Map.of("data.globalCropSize", "24")));
        assertTrue(e.getMessage().endsWith("set data.crops.global1.size and data.crops.global2.size instead"), e.getMessage());
    }

    /** A partial file in the older layout (flat model and data keys) still applies its keys. */
    @Test
    void partialFilesWithOlderKeysApply() throws IOException {
        Path f = tmp.resolve("old.yaml");
        Files.writeString(f, "preset: tiny\nmodel:\n  widths: [4, 8, 16]\n  headHidden: 48\n  outDim: 32\n"
                + "data:\n  localCrops: 0\n  globalCropSize: 24\n  rotationDegrees: 90\n");
        DinoConfig c = ConfigLoader.load(null, f, null);
        assertEquals(List.of(4, 8, 16), c.model().backboneOptions(SmallResNet.Options.class).widths());
        assertEquals(48, c.model().head().hiddenDim());
        assertEquals(32, c.model().outDim());
        assertEquals(0, c.data().crops().numLocal());
        assertEquals(24, c.data().crops().global1().size());
        assertEquals(24, c.data().crops().global2().size());
        assertEquals(90.0, c.data().crops().rotationDegrees());
    }

    /**
     * A checkpoint's config from before the backbone registry, the crops section and the ablation section: a
     * small-resnet model with the flat keys and a vit section, no ablation, no trainLimit, no rotationDegrees, no
     * run.adaptToData (read as false: the run does not adapt).
     */
    @Test
    void oldCheckpointConfigsWithoutNewerKeysLoad() throws IOException {
        String old = Files.readString(Path.of("src/test/resources/legacy-presets/tiny.json"))
                .replaceAll(",\\s*\"trainLimit\"\\s*:\\s*0", "")
                .replaceAll(",\\s*\"rotationDegrees\"\\s*:\\s*0\\.0", "");
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(old);
        tree.remove("ablation");
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("model")).remove("vit");
        assertFalse(tree.toString().contains("rotationDegrees") || tree.toString().contains("trainLimit"), tree.toString());
        DinoConfig back = ConfigLoader.fromJson(tree.toString());
        assertEquals(Presets.get("tiny"), back);
        assertTrue(back.ablation().allOn());
        assertFalse(tree.toString().contains("adaptToData"), tree.toString());
        assertFalse(back.run().adaptToData());
    }
}

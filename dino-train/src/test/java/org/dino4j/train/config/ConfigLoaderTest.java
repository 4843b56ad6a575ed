package org.dino4j.train.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void everyPresetIsValidAndRoundTrips() {
        for (String name : Presets.names()) {
            DinoConfig c = Presets.get(name);
            assertEquals(c, ConfigLoader.fromJson(ConfigLoader.toJson(c)), name);
        }
        assertTrue(Presets.names().containsAll(List.of("default", "synthetic-quick", "fashion-mnist", "reference", "tiny")));
    }

    /**
     * A recorded run's config with {@code run.gcEveryIters} 0, as every preset has it now: the recorded runs called
     * System.gc() after each step, which frees memory and does not change a step's numbers.
     */
    static DinoConfig withoutGc(DinoConfig recorded) {
        return ConfigLoader.override(recorded, Map.of("run.gcEveryIters", "0"));
    }

    /** The fashion-mnist-long preset is exactly the resolved config of the recorded 85.70% run (docs/results). */
    @Test
    void fashionMnistLongIsTheRecordedRunsConfig() throws IOException {
        Path recorded = Path.of("..", "docs", "results", "fm-wide-e8", "config.yaml");
        assertTrue(Files.isRegularFile(recorded), recorded.toAbsolutePath().toString());
        assertEquals(withoutGc(ConfigLoader.load("default", recorded, null)), Presets.get("fashion-mnist-long"));
    }

    /** The synthetic-long preset is exactly the resolved config of the recorded 99.10% run (docs/results/synth-long-393k). */
    @Test
    void syntheticLongIsTheRecordedRunsConfig() throws IOException {
        Path recorded = Path.of("..", "docs", "results", "synth-long-393k", "config.yaml");
        assertTrue(Files.isRegularFile(recorded), recorded.toAbsolutePath().toString());
        assertEquals(withoutGc(ConfigLoader.load("default", recorded, null)), Presets.get("synthetic-long"));
        // and it differs from the main job only where docs/training.md says so
        DinoConfig quick = Presets.get("synthetic-quick"), long_ = Presets.get("synthetic-long");
        assertEquals(quick.model(), long_.model());
        assertEquals(quick.optim(), long_.optim());
        assertEquals(Presets.SYNTHETIC_LONG_IMAGES, long_.data().syntheticSize());
        assertEquals(0.99, long_.teacher().momentumTeacher());
        assertEquals(Presets.NO_BLUR, long_.data().blurSigmaMax());
        // the earlier records (97.30%, 98.30%) are the same preset on fewer images
        Map<String, String> earlier = Map.of("synth-long", "131072", "synth-long-262k", "262144");
        for (Map.Entry<String, String> e : earlier.entrySet()) {
            Path p = Path.of("..", "docs", "results", e.getKey(), "config.yaml");
            assertEquals(withoutGc(ConfigLoader.load("default", p, null)),
                    ConfigLoader.override(long_, Map.of("data.syntheticSize", e.getValue())), e.getKey());
        }
    }

    /**
     * The synthetic-main preset (the main job) is exactly the resolved config of its recorded seed-0 run
     * (docs/results/synth-main-s0) but for {@code run.threads}: the preset's 0 (all cores) was resolved to the 2 cores
     * of the machine that ran it.
     */
    @Test
    void syntheticMainIsTheRecordedRunsConfig() throws IOException {
        Path recorded = Path.of("..", "docs", "results", "synth-main-s0", "config.yaml");
        assertTrue(Files.isRegularFile(recorded), recorded.toAbsolutePath().toString());
        DinoConfig run = ConfigLoader.load("default", recorded, null);
        assertEquals(2, run.run().threads());
        assertEquals(ConfigLoader.override(run, Map.of("run.threads", "0")), Presets.get("synthetic-main"));
        // and it is what dino train uses on the synthetic data when no preset is named; other data gets "images"
        assertEquals("synthetic-main", org.dino4j.train.run.TrainingRun.defaultPreset(null, null));
        assertEquals("images", org.dino4j.train.run.TrainingRun.defaultPreset(null, Map.of("data.source", "idx:/x")));
    }

    @Test
    void yamlFileOverridesOnlyItsKeysThenFlagsWin() throws IOException {
        Path f = tmp.resolve("c.yaml");
        Files.writeString(f, "preset: tiny\noptim:\n  lr: 0.003\nmodel:\n  widths: [4, 8, 16]\nrun:\n  epochs: 3\n");
        Map<String, String> ov = new LinkedHashMap<>();
        ov.put("run.epochs", "5");
        ov.put("data.source", "idx:/x");
        DinoConfig c = ConfigLoader.load(null, f, ov);
        assertEquals(0.003, c.optim().lr());
        assertEquals(List.of(4, 8, 16), c.model().widths());
        assertEquals(5, c.run().epochs());
        assertEquals("idx:/x", c.data().source());
        assertEquals(Presets.tiny().data().batchSize(), c.data().batchSize(), "untouched keys keep the preset");
    }

    @Test
    void jsonRoundTripIsExact() throws IOException {
        DinoConfig c = Presets.fashionMnist();
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
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(null, null, Map.of("model.widths", "[8, 0]")));
        assertTrue(e.getMessage().contains("model.widths"), e.getMessage());
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
    void vitSectionAndAblationSectionNestedOverridesAndOldConfigsWithoutThem() throws IOException {
        Path f = tmp.resolve("vit.yaml");
        Files.writeString(f, "preset: tiny\nmodel:\n  backbone: vit\n  vit:\n    depth: 2\n    dropPath: 0.0\n");
        DinoConfig c = ConfigLoader.load(null, f, Map.of("model.vit.heads", "8"));
        assertTrue(c.model().usesVit());
        assertEquals(new ModelConfig.Vit(4, 64, 2, 8, 4.0, 0.0, 7), c.model().vit());
        assertEquals(4, c.model().minInputSize(), "one patch");
        assertEquals(c, ConfigLoader.fromJson(ConfigLoader.toJson(c)));
        for (String name : VitPresets.all().keySet()) {
            DinoConfig v = VitPresets.all().get(name).get();
            assertTrue(v.model().usesVit(), name);
            assertEquals(v, ConfigLoader.fromJson(ConfigLoader.toJson(v)), name);
            assertEquals(v, Presets.get(name), name + " is registered by name");
        }
        // a checkpoint config written before the sections existed: the defaults
        com.fasterxml.jackson.databind.node.ObjectNode old = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(ConfigLoader.toJson(Presets.tiny()));
        old.remove("ablation");
        ((com.fasterxml.jackson.databind.node.ObjectNode) old.get("model")).remove("vit");
        DinoConfig back = ConfigLoader.fromJson(old.toString());
        assertEquals(Presets.tiny(), back);
        assertEquals(ModelConfig.Vit.tiny28(), back.model().vit());
        assertTrue(back.ablation().allOn());
        // the GELU form: tanh unless set (old checkpoint configs have no gelu field), erf on request, nothing else
        com.fasterxml.jackson.databind.node.ObjectNode noGelu = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(ConfigLoader.toJson(c));
        ((com.fasterxml.jackson.databind.node.ObjectNode) noGelu.get("model").get("vit")).remove("gelu");
        assertEquals(c, ConfigLoader.fromJson(noGelu.toString()));
        DinoConfig erf = ConfigLoader.load(null, f, Map.of("model.vit.gelu", "erf"));
        assertTrue(erf.model().vit().toVitConfig(1).exactGelu());
        assertFalse(c.model().vit().toVitConfig(1).exactGelu());
        assertEquals(erf, ConfigLoader.fromJson(ConfigLoader.toJson(erf)));
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load(null, f, Map.of("model.vit.gelu", "relu")));
        assertTrue(g.getMessage().contains("model.vit.gelu must be \"tanh\" or \"erf\", got \"relu\""), g.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load("tiny", null, Map.of("model.vit.depth", "0")));
        assertEquals("model.vit.depth must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load("tiny", null, Map.of("ablation.centering", "maybe")));
        assertTrue(e.getMessage().contains("ablation.centering"), e.getMessage());
    }
}

package org.dino4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.dino4j.core.loss.DinoLoss;
import org.dino4j.core.model.Backbones;
import org.dino4j.core.model.DinoModel;
import org.dino4j.core.model.ParamInfo;
import org.dino4j.train.cli.DinoCommandTest;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.monitor.MetricsLog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A backbone added in one file ({@link ToyBackbone}) is selected by name in a config, trains through the command line,
 * takes weight decay where it declared it, and gets its own per-step input from the training step's seeded Random.
 */
class BackboneRegistryTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void register() {
        Backbones.register(new ToyBackbone.Factory());
    }

    static DinoConfig toy(double keep) throws Exception {
        return ConfigLoader.load("tiny", null, Map.of("model.backbone", "toy", "model.toy.width", "8",
                "model.toy.keep", Double.toString(keep)));
    }

    @Test
    void theConfigSectionIsTheOptionsRecord() throws Exception {
        assertTrue(Backbones.names().contains("toy"), Backbones.names().toString());
        DinoConfig c = toy(0.5);
        assertEquals(new ToyBackbone.Options(8, 0.5), c.model().backboneOptions(ToyBackbone.Options.class));
        assertTrue(ConfigLoader.toYaml(c).contains("toy:"), ConfigLoader.toYaml(c));
        assertEquals(c, ConfigLoader.fromJson(ConfigLoader.toJson(c)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> toy(0));
        assertEquals("model.toy.keep must be in (0, 1], got 0.0", e.getMessage());
        // registering another factory under the same name is refused
        assertThrows(IllegalArgumentException.class, () -> Backbones.register(new org.dino4j.core.model.BackboneFactory<
                ToyBackbone.Options>() {
            public String name() { return "toy"; }
            public Class<ToyBackbone.Options> optionsType() { return ToyBackbone.Options.class; }
            public ToyBackbone.Options defaultOptions() { return new ToyBackbone.Options(1, 1); }
            public org.dino4j.core.model.Backbone create(ToyBackbone.Options o, int c) { return null; }
        }));
    }

    @Test
    void weightDecayIsWhatTheBackboneDeclared() throws Exception {
        DinoModel m = CoreNetwork.create(toy(0.5).model(), 1, 3).model();
        Map<String, Boolean> decay = new java.util.TreeMap<>();
        for (ParamInfo p : m.parameters()) if (p.name().startsWith("backbone/")) decay.put(p.name(), p.weightDecay());
        assertEquals(Map.of("backbone/proj_w", true, "backbone/proj_b", false, "backbone/scale_b", true), decay);
    }

    /** Training calls draw the mask from their Random (same seed, same loss); other calls feed ones. */
    @Test
    void theStepInputIsDrawnFromTheTrainingRandomAndOnesElsewhere() throws Exception {
        DinoModel drop = CoreNetwork.create(toy(0.5).model(), 1, 3).model();
        DinoModel keepAll = CoreNetwork.create(toy(1.0).model(), 1, 3).model();
        Random r = new Random(4);
        INDArray g = images(r, 8, 16), l = images(r, 8, 8);
        assertEquals(keepAll.features(g), drop.features(g), "inference: the mask is ones");
        INDArray zt = keepAll.globalLogits(g);
        DinoLoss loss = new DinoLoss(DinoLoss.Options.dino(64));
        loss.setTeacherTemp(0.07);
        double a = drop.lossAndGradients(g, l, zt, loss, new Random(1));
        assertEquals(a, drop.lossAndGradients(g, l, zt, loss, new Random(1)), 0);
        assertNotEquals(a, drop.lossAndGradients(g, l, zt, loss, new Random(2)));
        assertEquals(keepAll.lossAndGradients(g, l, zt, loss, null), drop.lossAndGradients(g, l, zt, loss, null), 0);
    }

    /** The whole command line: train, stop, resume — a stopped and resumed run reproduces the uninterrupted losses. */
    @Test
    void trainsAndResumesThroughTheCommandLine() throws Exception {
        String[] args = {"train", "--preset", "tiny", "--no-eval", "--set", "model.backbone=toy", "--set", "model.toy.width=8",
                "--set", "run.knnEveryEpochs=0"};
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        DinoCommandTest.Result r = DinoCommandTest.run(concat(args, "--out", a.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(a.resolve("config.yaml")).contains("toy:"));
        r = DinoCommandTest.run(concat(args, "--out", b.toString(), "--stop-after", "3"));
        assertEquals(0, r.code(), r.err());
        r = DinoCommandTest.run("train", "--out", b.toString(), "--resume", "--no-eval");
        assertEquals(0, r.code(), r.err());
        List<Double> la = losses(a), lb = losses(b);
        assertEquals(8, la.size());
        assertTrue(la.stream().allMatch(Double::isFinite), la.toString());
        assertEquals(la, lb);
    }

    private static INDArray images(Random r, int n, int side) {
        float[] v = new float[n * side * side];
        for (int i = 0; i < v.length; i++) v[i] = r.nextFloat();
        return Nd4j.createFromArray(v).reshape('c', n, 1, side, side);
    }

    private static List<Double> losses(Path run) throws Exception {
        return MetricsLog.read(run.resolve("metrics.jsonl")).stream().filter(n -> n.get("type").asText().equals("iter"))
                .map(n -> n.get("loss").asDouble()).toList();
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}

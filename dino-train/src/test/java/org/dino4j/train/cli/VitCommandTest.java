package org.dino4j.train.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dino4j.train.checkpoint.CheckpointStore;
import org.dino4j.train.monitor.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.dino4j.train.cli.DinoCommandTest.run;
import static org.junit.jupiter.api.Assertions.*;

/** {@code dino train} with the ViT backbone: stop/resume, the exported backbone, {@code dino attention}, config errors. */
class VitCommandTest {
    @TempDir
    Path tmp;

    /** tiny preset, micro ViT (patch 4, D 16, depth 2) with drop path 0.2, 2 epochs of 4 iterations. */
    static final String[] VIT = {"train", "--preset", "tiny", "--epochs", "2", "--batch-size", "16", "--no-eval",
            "--set", "model.backbone=vit", "--set", "model.vit.embedDim=16", "--set", "model.vit.depth=2",
            "--set", "model.vit.heads=2", "--set", "model.vit.basePatchGrid=4", "--set", "model.vit.dropPath=0.2",
            "--set", "run.knnEveryEpochs=0"};

    @Test
    void aVitRunResumesExactlyExportsItsBackboneAndDrawsAttention() throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        DinoCommandTest.Result r = run(concat(VIT, "--out", a.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("vit p4 D16 depth 2"), r.err());
        r = run(concat(VIT, "--out", b.toString(), "--stop-after", "3"));
        assertEquals(0, r.code(), r.err());
        r = run("train", "--out", b.toString(), "--resume", "--no-eval");
        assertEquals(0, r.code(), r.err());
        List<Double> la = losses(a), lb = losses(b);
        assertEquals(8, la.size());
        assertEquals(la, lb, "a stopped and resumed ViT run (drop path on) reproduces the losses");
        assertArrayEquals(CheckpointStore.load(new CheckpointStore(a.resolve("checkpoints"), 1).latestFile().orElseThrow()).teacher(),
                CheckpointStore.load(new CheckpointStore(b.resolve("checkpoints"), 1).latestFile().orElseThrow()).teacher());

        // a changed architecture is refused on resume, naming the setting and both values
        r = run("train", "--out", b.toString(), "--resume", "--no-eval", "--epochs", "3", "--set", "model.vit.depth=3");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--resume cannot change model.vit.depth (the run has 2, asked for 3)"), r.err());

        // the exported teacher backbone: images -> features [B, 16], no drop-path placeholder to feed
        SameDiff g = SameDiff.load(a.resolve("teacher-backbone.sd").toFile(), false);
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 1, 16, 16);
        INDArray f = g.output(Map.of("images", x), "features").get("features");
        assertArrayEquals(new long[]{3, 16}, f.shape());

        // attention maps of the run
        Path att = tmp.resolve("att");
        r = run("attention", "--checkpoint", a.toString(), "--images", "0,3", "--out", att.toString(), "--threshold", "0.6");
        assertEquals(0, r.code(), r.err());
        JsonNode files = new ObjectMapper().readTree(r.out()).get("files");
        assertEquals(2, files.size());
        for (JsonNode n : files) assertTrue(Files.size(Path.of(n.asText())) > 100, n.asText());
    }

    @Test
    void invalidVitSettingsFailNamingTheField() {
        Path out = tmp.resolve("bad");
        DinoCommandTest.Result r = run("train", "--preset", "tiny", "--set", "model.backbone=vit", "--set", "model.vit.heads=3",
                "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("model.vit.embedDim must be >= 1 and divisible by heads (3), got 64"), r.err());
        r = run("train", "--preset", "tiny", "--set", "model.backbone=vit", "--set", "model.vit.dropPath=1", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("model.vit.dropPath must be in [0, 1), got 1.0"), r.err());
        r = run("train", "--preset", "tiny", "--set", "model.backbone=transformer", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("model.backbone must be one of [small-resnet, ") && r.err().contains("got \"transformer\""),
                r.err());
        r = run("train", "--preset", "tiny", "--set", "model.backbone=vit", "--set", "model.vit.patches=4", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("model.vit.patches"), r.err());
        // a key of another backbone's section
        r = run("train", "--preset", "tiny", "--set", "model.vit.depth=2", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("model.vit.depth") && r.err().contains("[backbone, small-resnet, head]"), r.err());
        // patch 16 does not fit the tiny preset's 8² local crops
        r = run("train", "--preset", "tiny", "--set", "model.backbone=vit", "--set", "model.vit.patchSize=16", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("16"), r.err());
        r = run("train", "--preset", "tiny", "--set", "ablation.stopGradient=false", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("ablation.ema must be false when ablation.stopGradient is false"), r.err());
        assertFalse(Files.exists(out), "nothing was created");
    }

    private static List<Double> losses(Path run) throws Exception {
        return MetricsLog.read(run.resolve("metrics.jsonl")).stream().filter(n -> n.get("type").asText().equals("iter"))
                .map(n -> n.get("loss").asDouble()).toList();
    }

    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}

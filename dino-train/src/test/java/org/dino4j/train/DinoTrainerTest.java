package org.dino4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.dino4j.train.checkpoint.CheckpointStore;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.config.Presets;
import org.dino4j.train.monitor.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The training loop on a hand-differentiated test network (the real model is exercised in the CLI tests). */
class DinoTrainerTest {
    @TempDir
    Path tmp;

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private static DinoConfig config(int epochs, int ckptEvery) throws IOException {
        return ConfigLoader.load("tiny", null, Map.of("run.epochs", "" + epochs, "optim.warmupEpochs", "1",
                "teacher.warmupTeacherTempEpochs", "1", "run.checkpointEveryIters", "" + ckptEvery,
                "data.batchSize", "4", "data.crops.numLocal", "2", "model.head.outDim", "16"));
    }

    private DinoTrainer trainer(DinoConfig cfg, Path dir, TinyMlpNetwork s) throws IOException {
        return new DinoTrainer(cfg, s, s.copy(), new RandomCrops(3, 4, 2, 4), new DinoTrainer.Output(dir, QUIET, false));
    }

    private static float[] flat(INDArray a) {
        return a.dup('c').reshape(a.length()).toFloatVector();
    }

    private static float[] params(TrainableNetwork n) {
        return n.params().toFloatVector();
    }

    @Test
    void stoppedAndResumedRunReproducesTheUninterruptedLosses() throws IOException {
        DinoConfig cfg = config(3, 3);
        TinyMlpNetwork sa = new TinyMlpNetwork(1, 8, 16, 11);
        DinoTrainer a = trainer(cfg, tmp.resolve("a"), sa);
        a.train();
        assertEquals(12, a.losses().size());
        float[] finalStudent = params(sa);
        float[] finalCenter = a.center().toFloatVector();

        // stop at the end of epoch 1, resume in a fresh process-like setup
        Path b = tmp.resolve("b");
        DinoTrainer b1 = trainer(cfg, b, new TinyMlpNetwork(1, 8, 16, 11));
        b1.train(4);
        DinoTrainer b2 = trainer(cfg, b, new TinyMlpNetwork(1, 8, 16, 999)); // different init: must be overwritten
        b2.restore(b1.checkpoints().loadLatest().orElseThrow());
        assertEquals(1, b2.epoch());
        assertEquals(4, b2.iteration());
        // stop again in the middle of epoch 2 (iteration 6), resume again
        b2.train(6);
        TinyMlpNetwork s3 = new TinyMlpNetwork(1, 8, 16, 5);
        DinoTrainer b3 = trainer(cfg, b, s3);
        b3.restore(b2.checkpoints().loadLatest().orElseThrow());
        assertEquals(6, b3.iteration());
        b3.train();
        List<Double> resumed = new java.util.ArrayList<>(b1.losses());
        resumed.addAll(b2.losses());
        resumed.addAll(b3.losses());
        assertEquals(a.losses(), resumed, "losses of the stopped-and-resumed run");
        assertArrayEquals(finalStudent, params(s3), "final student parameters");
        assertArrayEquals(finalCenter, b3.center().toFloatVector(), "final center");

        // the metrics log of the resumed run reads like the uninterrupted one
        List<JsonNode> ma = MetricsLog.read(tmp.resolve("a/metrics.jsonl")), mb = MetricsLog.read(b.resolve("metrics.jsonl"));
        assertEquals(ma.size(), mb.size());
        for (int i = 0; i < ma.size(); i++) {
            assertEquals(ma.get(i).get("type"), mb.get(i).get("type"), "line " + i);
            assertEquals(ma.get(i).get("iter"), mb.get(i).get("iter"), "line " + i);
            assertEquals(ma.get(i).get("loss"), mb.get(i).get("loss"), "line " + i);
        }
        assertEquals(12 + 3, ma.size(), "12 iteration lines + 3 epoch lines");
        JsonNode ep = ma.get(ma.size() - 1);
        for (String key : List.of("teacher_entropy", "mean_teacher_entropy", "kl", "center_norm", "ms_student")) {
            assertTrue(ep.has(key), key);
        }
        assertEquals(ep.get("loss").asDouble() - ep.get("teacher_entropy").asDouble(), ep.get("kl").asDouble(), 1e-6);
    }

    @Test
    void oneStepFollowsTheOfficialUpdateRules() throws IOException {
        DinoConfig cfg = config(2, 0);
        TinyMlpNetwork s = new TinyMlpNetwork(1, 8, 16, 1);
        TinyMlpNetwork t = s.copy();
        RandomCrops data = new RandomCrops(3, 4, 2, 4);
        try (DinoTrainer tr = new DinoTrainer(cfg, s, t, data, new DinoTrainer.Output(tmp, QUIET, false))) {
            // move the teacher away from the student so the EMA is visible
            t.params().addi(0.25);
            float[] t0 = params(t);
            float[] lastBefore = flat(s.w2);
            float[] c0 = tr.center().toFloatVector();
            CropBatch b = data.epoch(0, 0).next();
            INDArray zt = t.globalLogits(b.globals());
            double loss = tr.step(b, 0, 0);
            assertTrue(Double.isFinite(loss));
            float[] s1 = params(s), t1 = params(t);
            double lambda = tr.schedules().momentum()[0];
            for (int i = 0; i < s1.length; i++) {
                assertEquals(lambda * t0[i] + (1 - lambda) * s1[i], t1[i], 1e-5, "EMA at " + i);
            }
            assertArrayEquals(lastBefore, flat(s.w2), "last layer frozen in epoch 0");
            INDArray mean = zt.mean(0);
            float[] c1 = tr.center().toFloatVector();
            for (int j = 0; j < c1.length; j++) {
                assertEquals(0.9 * c0[j] + 0.1 * mean.getDouble(j), c1[j], 1e-5, "center " + j);
            }
            // in epoch 1 the last layer trains
            tr.step(data.epoch(1, 0).next(), 1, 4);
            assertFalse(java.util.Arrays.equals(lastBefore, flat(s.w2)), "last layer trains after freezeLastLayer");
        }
    }

    @Test
    void nonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() throws IOException {
        DinoConfig cfg = config(2, 2);
        TinyMlpNetwork s = new TinyMlpNetwork(1, 8, 16, 1);
        s.nanAtCall = 5; // iteration 5
        DinoTrainer tr = trainer(cfg, tmp, s);
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, tr::train);
        assertTrue(e.getMessage().contains("iteration 5"), e.getMessage());
        assertTrue(e.getMessage().contains("ckpt-000000004.zip"), e.getMessage());
        CheckpointStore store = new CheckpointStore(tmp.resolve("checkpoints"), 2);
        assertEquals(4, store.loadLatest().orElseThrow().iteration());
    }
}

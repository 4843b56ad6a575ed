package org.dino4j.train;

import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Each ablation switch of the trainer changes exactly what it claims. */
class AblationSwitchesTest {
    @TempDir
    Path tmp;

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    private static DinoConfig config(Map<String, String> extra) throws IOException {
        Map<String, String> o = new LinkedHashMap<>(Map.of("run.epochs", "2", "data.batchSize", "4", "data.crops.numLocal", "2",
                "model.head.outDim", "16", "optim.freezeLastLayer", "0"));
        o.putAll(extra);
        return ConfigLoader.load("tiny", null, o);
    }

    @Test
    void noCenteringKeepsTheCenterAtZeroAndFullDinoMovesIt() throws IOException {
        for (boolean centering : new boolean[]{true, false}) {
            DinoConfig cfg = config(Map.of("ablation.centering", "" + centering));
            TinyMlpNetwork s = new TinyMlpNetwork(1, 8, 16, 1);
            RandomCrops data = new RandomCrops(3, 4, 2, 4);
            try (DinoTrainer tr = new DinoTrainer(cfg, s, s.copy(), data, new DinoTrainer.Output(tmp.resolve("c" + centering), QUIET, false))) {
                tr.step(data.epoch(0, 0).next(), 0, 0);
                tr.step(data.epoch(0, 1).next(), 0, 1);
                double norm = tr.center().norm2Number().doubleValue();
                if (centering) assertTrue(norm > 1e-4, "center moves: " + norm);
                else assertEquals(0.0, norm, 0, "center stays 0");
            }
        }
    }

    @Test
    void noEmaMakesTheTeacherTheStudentAfterEachStep() throws IOException {
        DinoConfig cfg = config(Map.of("ablation.ema", "false"));
        TinyMlpNetwork s = new TinyMlpNetwork(1, 8, 16, 1);
        TinyMlpNetwork t = s.copy();
        t.params().addi(0.5); // a different teacher: after one step it must be the student
        RandomCrops data = new RandomCrops(3, 4, 2, 4);
        try (DinoTrainer tr = new DinoTrainer(cfg, s, t, data, new DinoTrainer.Output(tmp, QUIET, false))) {
            assertTrue(tr.schedules().momentum()[0] > 0.9, "the schedule is untouched; the switch overrides it");
            tr.step(data.epoch(0, 0).next(), 0, 0);
            assertArrayEquals(s.params().toFloatVector(), t.params().toFloatVector());
        }
    }

    @Test
    void noSharpeningAndNoMultiCropAreConfigRows() throws IOException {
        DinoConfig cfg = config(Map.of("teacher.warmupTeacherTemp", "0.1", "teacher.teacherTemp", "0.1", "data.crops.numLocal", "0"));
        assertEquals(cfg.teacher().studentTemp(), cfg.teacher().teacherTemp());
        TinyMlpNetwork s = new TinyMlpNetwork(1, 8, 16, 1);
        try (DinoTrainer tr = new DinoTrainer(cfg, s, s.copy(), new RandomCrops(3, 4, 0, 4), new DinoTrainer.Output(tmp, QUIET, false))) {
            for (double tau : tr.schedules().teacherTemp()) assertEquals(0.1, tau, 0);
            assertTrue(Double.isFinite(tr.step(new RandomCrops(3, 4, 0, 4).epoch(0, 0).next(), 0, 0)));
        }
    }

    /** The real model: the no-stop-gradient step's gradient differs from the stop-gradient one by the teacher path. */
    @Test
    void noStopGradientSendsGradientThroughTheTeacherBranch() throws IOException {
        DinoConfig full = config(Map.of("teacher.centerMomentum", "0.5"));
        DinoConfig noSg = config(Map.of("ablation.stopGradient", "false", "ablation.ema", "false", "teacher.centerMomentum", "0.5"));
        RandomCrops data = new RandomCrops(5, 4, 2, 4);
        CropBatch batch = data.epoch(0, 0).next();
        CoreNetwork s1 = CoreNetwork.create(full.model(), 1, 7), s2 = CoreNetwork.create(noSg.model(), 1, 7);
        CoreNetwork t1 = s1.copy(), t2 = s2.copy();
        INDArray g1, g2;
        double l1, l2;
        try (DinoTrainer a = new DinoTrainer(full, s1, t1, data, new DinoTrainer.Output(tmp.resolve("a"), QUIET, false));
             DinoTrainer b = new DinoTrainer(noSg, s2, t2, data, new DinoTrainer.Output(tmp.resolve("b"), QUIET, false))) {
            l1 = a.step(batch, 0, 0);
            g1 = s1.gradients().dup();
            l2 = b.step(batch, 0, 0);
            g2 = s2.gradients().dup();
            // same loss value (teacher = student at init, same center 0, same τ), different gradient
            assertEquals(l1, l2, 1e-5 * Math.abs(l1));
            double through = g2.sub(g1).norm2Number().doubleValue();
            assertTrue(through > 1e-3 * g1.norm2Number().doubleValue(), "gradient through the teacher branch: " + through);
            // the teacher copy is the student after the step, and the center followed the student's global logits
            assertArrayEquals(s2.params().toFloatVector(), t2.params().toFloatVector());
            assertTrue(b.center().norm2Number().doubleValue() > 0);
            // a second step runs (the student is its own teacher)
            assertTrue(Double.isFinite(b.step(data.epoch(0, 1).next(), 0, 1)));
        }
    }
}

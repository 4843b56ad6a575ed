package org.dino4j.train.schedule;

import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.config.Presets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** {@link TrainingSchedules}: the schedules of a config, as main_dino.py builds them. */
class TrainingSchedulesTest {

    @Test
    void trainingSchedulesFollowTheConfig() {
        DinoConfig c = Presets.get("default");
        int ipe = 3;
        TrainingSchedules t = TrainingSchedules.of(c, ipe);
        int n = 100 * ipe;
        assertEquals(n, t.totalIters());
        assertEquals(100, t.epochs());
        double peak = 5e-4 * 64 / 256.0;
        int warm = 10 * ipe;
        assertEquals(0, t.lr()[0], 0);
        assertEquals(peak, t.lr()[warm - 1], 1e-15, "end of warm-up reaches base·batch/256");
        assertEquals(peak, t.lr()[warm], 1e-15, "cosine starts at the peak");
        assertEquals(1e-6 + 0.5 * (peak - 1e-6) * (1 + Math.cos(Math.PI * (n - 1 - warm) / (n - warm))), t.lr()[n - 1], 1e-15);
        assertEquals(0.04, t.wd()[0], 1e-15);
        assertEquals(0.4, t.wd()[n - 1], 1e-4);
        assertEquals(0.996, t.momentum()[0], 1e-15);
        assertEquals(1.0, t.momentum()[n - 1], 1e-6);
        assertEquals(0.04, t.teacherTemp()[0], 1e-15);
        assertEquals(0.04 + 0.03 * 15 / 29.0, t.teacherTemp()[15 * ipe + 1], 1e-12);
        assertEquals(0.07, t.teacherTemp()[29 * ipe], 1e-12);
        assertEquals(0.07, t.teacherTemp()[n - 1], 1e-12);
    }

    /**
     * A fractional warm-up (synthetic-main: 0.4 of an epoch of 1,024 steps) lasts round(0.4 · 1024) = round(409.6) =
     * 410 steps.
     */
    @Test
    void fractionalWarmupRoundsItsIterations() {
        DinoConfig c = Presets.get("synthetic-main");
        assertEquals(0.4, c.optim().warmupEpochs());
        int ipe = 1024;
        TrainingSchedules t = TrainingSchedules.of(c, ipe);
        assertEquals(4 * ipe, t.totalIters());
        double peak = 2e-2 * 64 / 256.0;
        int warm = 410;
        assertEquals(0, t.lr()[0], 0);
        assertEquals(peak * 200 / 409.0, t.lr()[200], 1e-15, "linspace(0, peak, 410)");
        assertEquals(peak, t.lr()[warm - 1], 1e-15, "the 410th step reaches the peak");
        assertEquals(peak, t.lr()[warm], 1e-15, "cosine starts at the peak");
        assertTrue(t.lr()[warm + 1] < peak);
        assertEquals(0.99, t.momentum()[0], 1e-15);
    }

    @Test
    void lengthsAreChecked() {
        double[] ok = new double[6];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TrainingSchedules(ok, ok, new double[5], ok, 3));
        assertTrue(e.getMessage().contains("momentum"), e.getMessage());
        assertTrue(e.getMessage().contains("6"), e.getMessage());
    }
}

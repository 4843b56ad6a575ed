package org.dino4j.train.schedule;

import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.config.Presets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SchedulesTest {

    @Test
    void cosineWithWarmupMatchesTheFormulas() {
        int epochs = 5, ipe = 4, warm = 2;
        double base = 0.01, fin = 1e-4;
        double[] s = Schedules.cosine(base, fin, epochs, ipe, warm, 0);
        assertEquals(20, s.length);
        // warm-up: linspace(0, base, 8) — both ends included
        for (int i = 0; i < 8; i++) assertEquals(base * i / 7.0, s[i], 1e-15, "warm-up " + i);
        // cosine over the remaining 12 iterations
        for (int i = 0; i < 12; i++) {
            double want = fin + 0.5 * (base - fin) * (1 + Math.cos(Math.PI * i / 12.0));
            assertEquals(want, s[8 + i], 1e-15, "cosine " + i);
        }
        assertEquals(base, s[8], 1e-15, "cosine starts at base");
        assertTrue(s[19] > fin && s[19] < fin + 0.02 * (base - fin), "ends just above final: " + s[19]);
        for (int i = 9; i < 20; i++) assertTrue(s[i] < s[i - 1], "monotone decreasing after warm-up");
    }

    @Test
    void cosineWithoutWarmupAndArgumentChecks() {
        double[] s = Schedules.cosine(0.04, 0.4, 3, 2, 0, 0);
        assertEquals(6, s.length);
        assertEquals(0.04, s[0], 1e-15);
        assertEquals(0.4 + 0.5 * (0.04 - 0.4) * (1 + Math.cos(Math.PI * 5 / 6.0)), s[5], 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Schedules.cosine(1, 0, 2, 3, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> Schedules.cosine(1, 0, 0, 3, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Schedules.cosine(1, 0, 2, 0, 0, 0));
    }

    @Test
    void teacherTemperatureWarmsUpPerEpochThenStaysConstant() {
        double[] s = Schedules.linearWarmupPerEpoch(0.04, 0.07, 4, 6, 3);
        assertEquals(18, s.length);
        double[] perEpoch = {0.04, 0.05, 0.06, 0.07, 0.07, 0.07};
        for (int e = 0; e < 6; e++) {
            for (int i = 0; i < 3; i++) assertEquals(perEpoch[e], s[e * 3 + i], 1e-12, "epoch " + e);
        }
        double[] none = Schedules.linearWarmupPerEpoch(0.04, 0.07, 0, 2, 2);
        for (double v : none) assertEquals(0.07, v, 0);
    }

    @Test
    void trainingSchedulesFollowTheConfig() {
        DinoConfig c = Presets.get("default");
        int ipe = 3;
        TrainingSchedules t = TrainingSchedules.of(c, ipe);
        int n = 100 * ipe;
        assertEquals(n, t.totalIters());
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

    @Test
    void lengthsAreChecked() {
        double[] ok = new double[6];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TrainingSchedules(ok, ok, new double[5], ok, 2, 3));
        assertTrue(e.getMessage().contains("momentum"), e.getMessage());
        assertTrue(e.getMessage().contains("6"), e.getMessage());
    }
}

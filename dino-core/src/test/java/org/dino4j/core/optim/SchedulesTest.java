package org.dino4j.core.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** {@link Schedules}: main_dino.py's cosine scheduler and the teacher temperature's warm-up. */
class SchedulesTest {
    @Test
    void cosineWithWarmupMatchesTheFormulas() {
        int epochs = 5, ipe = 4, warm = 2;
        double base = 0.01, fin = 1e-4;
        double[] s = Schedules.cosine(base, fin, epochs * ipe, warm * ipe);
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
        double[] s = Schedules.cosine(0.04, 0.4, 6, 0);
        assertEquals(6, s.length);
        assertEquals(0.04, s[0], 1e-15);
        assertEquals(0.4 + 0.5 * (0.04 - 0.4) * (1 + Math.cos(Math.PI * 5 / 6.0)), s[5], 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Schedules.cosine(1, 0, 6, 7));
        assertThrows(IllegalArgumentException.class, () -> Schedules.cosine(1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Schedules.cosine(1, 0, 6, -1));
        assertArrayEquals(new double[]{0}, Schedules.cosine(1, 0, 1, 1), 0, "a single warm-up iteration holds 0");
    }

    @Test
    void teacherTemperatureWarmsUpPerEpochThenStaysConstant() {
        double[] s = Schedules.teacherTemperature(0.04, 0.07, 4, 6, 3);
        assertEquals(18, s.length);
        double[] perEpoch = {0.04, 0.05, 0.06, 0.07, 0.07, 0.07};
        for (int e = 0; e < 6; e++) {
            for (int i = 0; i < 3; i++) assertEquals(perEpoch[e], s[e * 3 + i], 1e-12, "epoch " + e);
        }
        double[] none = Schedules.teacherTemperature(0.04, 0.07, 0, 2, 2);
        for (double v : none) assertEquals(0.07, v, 0);
    }
}

package org.dino4j.core.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FastExpTest {

    @Test
    void relativeErrorBelow1e8AgainstMathExp() {
        double worst = 0;
        for (double x = -700; x <= 709; x += 0.00731) {
            double e = Math.exp(x);
            worst = Math.max(worst, Math.abs(FastExp.exp(x) - e) / e);
        }
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < 200_000; i++) {
            double x = -rnd.nextDouble() * 20;
            double e = Math.exp(x);
            worst = Math.max(worst, Math.abs(FastExp.exp(x) - e) / e);
        }
        assertTrue(worst < 1e-8, "max relative error " + worst);
    }

    @Test
    void edgeCases() {
        assertEquals(1.0, FastExp.exp(0.0), 0.0);
        assertEquals(0.0, FastExp.exp(-701), 0.0);
        assertEquals(0.0, FastExp.exp(Double.NEGATIVE_INFINITY), 0.0);
        assertEquals(Double.POSITIVE_INFINITY, FastExp.exp(710), 0.0);
        assertTrue(Double.isNaN(FastExp.exp(Double.NaN)));
    }
}

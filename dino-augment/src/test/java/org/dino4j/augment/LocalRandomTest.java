package org.dino4j.augment;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LocalRandomTest {
    /** Every draw the loader and the generator use, interleaved, against java.util.Random itself: the same bits. */
    @Test
    void drawsTheSequenceOfJavaUtilRandom() {
        for (long seed : new long[]{0, 1, -7, Long.MAX_VALUE, Seeds.derive(3, 1, 42)}) {
            Random ref = new Random(seed);
            LocalRandom r = new LocalRandom(seed);
            for (int i = 0; i < 20_000; i++) {
                switch (i % 9) {
                    case 0 -> assertEquals(Double.doubleToRawLongBits(ref.nextDouble()), Double.doubleToRawLongBits(r.nextDouble()));
                    case 1, 2, 3 -> assertEquals(Double.doubleToRawLongBits(ref.nextGaussian()),
                            Double.doubleToRawLongBits(r.nextGaussian()), "Gaussian " + i + " of seed " + seed);
                    case 4 -> assertEquals(ref.nextInt(i + 1), r.nextInt(i + 1));
                    case 5 -> assertEquals(ref.nextFloat(), r.nextFloat(), 0f);
                    case 6 -> assertEquals(ref.nextLong(), r.nextLong());
                    case 7 -> assertEquals(ref.nextBoolean(), r.nextBoolean());
                    default -> assertEquals(ref.nextInt(), r.nextInt());
                }
            }
            // setSeed restarts both, a pending second Gaussian included
            ref.nextGaussian();
            r.nextGaussian();
            ref.setSeed(seed + 1);
            r.setSeed(seed + 1);
            for (int i = 0; i < 100; i++) assertEquals(ref.nextGaussian(), r.nextGaussian(), 0.0);
        }
    }
}

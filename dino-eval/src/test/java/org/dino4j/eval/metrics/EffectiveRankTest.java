package org.dino4j.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class EffectiveRankTest {
    /** Hand computation: centred X = [[3,0],[-3,0],[0,1],[0,-1]] has XᵀX = diag(18, 2), σ = (3√2, √2), p = (¾, ¼). */
    @Test
    void matchesAHandComputation() {
        double[][] x = {{3, 0}, {-3, 0}, {0, 1}, {0, -1}};
        assertArrayEquals(new double[] {Math.sqrt(18), Math.sqrt(2)}, EffectiveRank.singularValues(x), 1e-12);
        double expected = Math.exp(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25))); // 1.7548…
        assertEquals(expected, EffectiveRank.of(x), 1e-12);
        assertEquals(1.7548, expected, 1e-4);
    }

    /** The same points shifted and rotated into 5 dimensions: centring removes the shift, rotation changes nothing. */
    @Test
    void invariantToShiftAndRotation() {
        double[][] base = {{3, 0, 0, 0, 0}, {-3, 0, 0, 0, 0}, {0, 1, 0, 0, 0}, {0, -1, 0, 0, 0}};
        double[][] q = randomRotation(5, new Random(1));
        double[][] x = new double[4][5];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 5; j++) {
                double v = 7.5; // shift
                for (int k = 0; k < 5; k++) {
                    v += base[i][k] * q[k][j];
                }
                x[i][j] = v;
            }
        }
        // the 3 null directions keep singular values ~1e-8 from rounding, worth ~1e-7 of effective rank
        assertEquals(EffectiveRank.of(new double[][] {{3, 0}, {-3, 0}, {0, 1}, {0, -1}}), EffectiveRank.of(x), 1e-6);
        double[] s = EffectiveRank.singularValues(x);
        assertEquals(Math.sqrt(18), s[0], 1e-9);
        assertEquals(Math.sqrt(2), s[1], 1e-9);
        assertEquals(0, s[2], 1e-6);
    }

    @Test
    void extremes() {
        // one line (dimensional collapse): 1
        float[][] line = new float[50][8];
        Random r = new Random(2);
        for (float[] row : line) {
            float t = (float) r.nextGaussian();
            for (int j = 0; j < 8; j++) {
                row[j] = 1 + t * (j + 1);
            }
        }
        assertEquals(1.0, EffectiveRank.of(line), 1e-3);
        // ±e_i: all singular values equal → D
        double[][] iso = new double[12][6];
        for (int i = 0; i < 6; i++) {
            iso[2 * i][i] = 1;
            iso[2 * i + 1][i] = -1;
        }
        assertEquals(6.0, EffectiveRank.of(iso), 1e-9);
        // identical rows: no spread at all
        assertEquals(0.0, EffectiveRank.of(new double[][] {{1, 2}, {1, 2}}), 0);
        assertEquals("features must have at least 2 rows, got 1",
                assertThrows(IllegalArgumentException.class, () -> EffectiveRank.of(new double[][] {{1, 2}})).getMessage());
    }

    private static double[][] randomRotation(int d, Random r) {
        double[][] q = new double[d][d];
        for (int i = 0; i < d; i++) { // Gram–Schmidt of random rows
            for (int j = 0; j < d; j++) {
                q[i][j] = r.nextGaussian();
            }
            for (int k = 0; k < i; k++) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += q[i][j] * q[k][j];
                }
                for (int j = 0; j < d; j++) {
                    q[i][j] -= dot * q[k][j];
                }
            }
            double n = 0;
            for (int j = 0; j < d; j++) {
                n += q[i][j] * q[i][j];
            }
            for (int j = 0; j < d; j++) {
                q[i][j] /= Math.sqrt(n);
            }
        }
        return q;
    }
}

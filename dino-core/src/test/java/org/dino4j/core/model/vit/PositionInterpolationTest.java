package org.dino4j.core.model.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PositionInterpolationTest {
    @Test
    void identityWhenGridEqualsStoredGrid() {
        for (int g : new int[] {1, 3, 7}) {
            double[][] m = PositionInterpolation.matrix(g, g, g);
            for (int i = 0; i < g * g; i++) {
                for (int j = 0; j < g * g; j++) {
                    assertEquals(i == j ? 1.0 : 0.0, m[i][j], 1e-15);
                }
            }
        }
    }

    @Test
    void rowsSumToOneAndAreNonNegative() {
        for (int[] s : new int[][] {{3, 3, 7}, {4, 4, 7}, {2, 5, 7}, {10, 9, 7}, {1, 1, 7}, {3, 3, 1}}) {
            double[][] m = PositionInterpolation.matrix(s[0], s[1], s[2]);
            assertEquals(s[0] * s[1], m.length);
            for (double[] row : m) {
                double sum = 0;
                for (double v : row) {
                    assertTrue(v >= 0);
                    sum += v;
                }
                assertEquals(1.0, sum, 1e-12);
            }
        }
    }

    /**
     * A field linear in the stored grid, f(a, b) = 2 + 0.5a − 1.5b, is reproduced exactly at every output cell's
     * source point for any downsampling (where no clamping happens): Σ M·f = f(s_h(i), s_w(j)) with
     * s(i) = (i + ½)G/g − ½ computed here independently.
     */
    @Test
    void reproducesLinearRampExactly() {
        int base = 7;
        double[] f = new double[base * base];
        for (int a = 0; a < base; a++) {
            for (int b = 0; b < base; b++) {
                f[a * base + b] = 2 + 0.5 * a - 1.5 * b;
            }
        }
        for (int[] g : new int[][] {{3, 3}, {4, 4}, {2, 5}, {6, 7}, {5, 1}}) {
            double[][] m = PositionInterpolation.matrix(g[0], g[1], base);
            for (int i = 0; i < g[0]; i++) {
                for (int j = 0; j < g[1]; j++) {
                    double v = 0;
                    for (int q = 0; q < base * base; q++) {
                        v += m[i * g[1] + j][q] * f[q];
                    }
                    double si = (i + 0.5) * base / g[0] - 0.5;
                    double sj = (j + 0.5) * base / g[1] - 0.5;
                    assertEquals(2 + 0.5 * si - 1.5 * sj, v, 1e-12);
                }
            }
        }
    }

    @Test
    void upsamplingClampsAtTheBorder() {
        double[][] r = PositionInterpolation.axisWeights(4, 2);
        // s = (i+0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25 → clamped 0, 0.25, 0.75, 1
        assertEquals(1.0, r[0][0], 0);
        assertEquals(0.75, r[1][0], 1e-15);
        assertEquals(0.25, r[2][0], 1e-15);
        assertEquals(1.0, r[3][1], 0);
        assertThrows(IllegalArgumentException.class, () -> PositionInterpolation.axisWeights(0, 3));
        assertThrows(IllegalArgumentException.class, () -> PositionInterpolation.axisWeights(3, 0));
    }
}

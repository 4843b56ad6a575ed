package org.dino4j.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClusterMetricsTest {
    private static double[][] col(double... v) {
        double[][] x = new double[v.length][1];
        for (int i = 0; i < v.length; i++) {
            x[i][0] = v[i];
        }
        return x;
    }

    /**
     * Input x = {0, 1, 3, 6, 10}; embedding y = {0, 5, 1, 2, 9}; N = 5.
     * Input ranks r(i, j) (ties by lower index):
     * <pre>
     *   i=0: j1:1 j2:2 j3:3 j4:4          i=1: j0:1 j2:2 j3:3 j4:4
     *   i=2: d = 3,2,-,3,7 → j1:1 j0:2 j3:3 j4:4 (j0 and j3 tie at 3, j0 first)
     *   i=3: d = 6,5,3,-,4 → j2:1 j4:2 j1:3 j0:4    i=4: j3:1 j2:2 j1:3 j0:4
     * </pre>
     * k = 1, embedding nearest neighbour and penalty r − k when r > k:
     * i0 → j2 (r 2, +1); i1 → j3 (r 3, +2); i2 → j0 (tie j0/j3 at 1, j0 first; r 2, +1); i3 → j2 (r 1, 0);
     * i4 → j1 (r 3, +2). Sum 6; T = 1 − 2/(5·1·(10−3−1)) · 6 = 1 − 12/30 = 0.6.
     * k = 2: i0 → {j2, j3}: r 2, 3 → +1; i1 → {j3, j2 (tie with j4 at 4)}: r 3, 2 → +1; i2 → {j0, j3}: r 2, 3 → +1;
     * i3 → {j2, j0}: r 1, 4 → +2; i4 → {j1, j3}: r 3, 1 → +1. Sum 6; T = 1 − 2/(5·2·(10−6−1)) · 6 = 0.6.
     */
    @Test
    void trustworthinessHandComputed() {
        double[][] x = col(0, 1, 3, 6, 10);
        double[][] y = col(0, 5, 1, 2, 9);
        assertEquals(0.6, ClusterMetrics.trustworthiness(x, y, 1), 1e-12);
        assertEquals(0.6, ClusterMetrics.trustworthiness(x, y, 2), 1e-12);
        // the identity embedding has no intruders
        assertEquals(1.0, ClusterMetrics.trustworthiness(x, x, 2), 1e-12);
    }

    /**
     * x = {0, 1, 4, 5} labels {0, 0, 1, 1}: a = 1 for everyone;
     * b: i0 = (4+5)/2 = 4.5, i1 = (3+4)/2 = 3.5, i2 = (4+3)/2 = 3.5, i3 = (5+4)/2 = 4.5;
     * s = 3.5/4.5, 2.5/3.5, 2.5/3.5, 3.5/4.5 → mean = (7/9 + 5/7)/2 = 47/63.
     * Adding x = 10 alone in label 2: its s = 0, and the others keep their b (10 is farther: 10, 9, 6, 5 ≥ 4.5)
     * → mean = (14/9 + 10/7)/5 = 188/315.
     */
    @Test
    void silhouetteHandComputed() {
        assertEquals(47.0 / 63.0, ClusterMetrics.silhouette(col(0, 1, 4, 5), new int[] {0, 0, 1, 1}), 1e-12);
        assertEquals(188.0 / 315.0,
                ClusterMetrics.silhouette(col(0, 1, 4, 5, 10), new int[] {0, 0, 1, 1, 2}), 1e-12);
        // 2-D, float overload: two points per label on a unit square's vertical edges:
        // a = 1, b = (1 + √2)/2 → s = (b − a)/b for all four.
        float[][] sq = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
        double b = (1 + Math.sqrt(2)) / 2;
        assertEquals((b - 1) / b, ClusterMetrics.silhouette(sq, new int[] {0, 0, 1, 1}), 1e-7);
    }

    @Test
    void badInputIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterMetrics.trustworthiness(col(0, 1, 2), col(0, 1), 1));
        assertTrue(e.getMessage().contains("3") && e.getMessage().contains("2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ClusterMetrics.trustworthiness(col(0, 1, 2, 3), col(0, 1, 2, 3), 2));
        assertTrue(e.getMessage().contains("k = 2") && e.getMessage().contains("N = 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ClusterMetrics.silhouette(col(0, 1, 2), new int[] {0, 0, 0}));
        assertTrue(e.getMessage().contains("1 labels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ClusterMetrics.silhouette(col(0, Double.NaN), new int[] {0, 1}));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClusterMetrics.silhouette(col(0, 1), null));
        assertTrue(e.getMessage().contains("labels are missing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ClusterMetrics.silhouette(new double[0][], new int[0]));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }
}

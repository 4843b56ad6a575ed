package org.dino4j.eval.knn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class WeightedKnnTest {

    /** Brute force in float64: full sort of all neighbours by (sim desc, index asc), then the weighted vote. */
    private static int[][] bruteForce(float[][] train, int[] trainLabels, float[][] test, int[] ks, double t,
                                      int c, boolean[][] top5Out) {
        int[][] pred = new int[ks.length][test.length];
        for (int q = 0; q < test.length; q++) {
            double[] qn = unit(test[q]);
            double[] sims = new double[train.length];
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < train.length; i++) {
                double[] mn = unit(train[i]);
                double s = 0;
                for (int j = 0; j < mn.length; j++) {
                    s += qn[j] * mn[j];
                }
                sims[i] = s;
                order.add(i);
            }
            order.sort(Comparator.<Integer>comparingDouble(i -> -sims[i]).thenComparingInt(i -> i));
            for (int ki = 0; ki < ks.length; ki++) {
                double[] score = new double[c];
                for (int r = 0; r < ks[ki]; r++) {
                    int i = order.get(r);
                    score[trainLabels[i]] += Math.exp(sims[i] / t);
                }
                Integer[] cls = new Integer[c];
                for (int a = 0; a < c; a++) {
                    cls[a] = a;
                }
                Arrays.sort(cls, Comparator.<Integer>comparingDouble(a -> -score[a]).thenComparingInt(a -> a));
                pred[ki][q] = cls[0];
                if (top5Out != null) {
                    top5Out[ki][q] = false;
                }
                for (int r = 0; r < Math.min(5, c) && top5Out != null; r++) {
                    if (cls[r] == top5Label) {
                        top5Out[ki][q] = true;
                    }
                }
            }
        }
        return pred;
    }

    private static int top5Label;

    private static double[] unit(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        double n = Math.sqrt(s);
        double[] u = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            u[i] = x[i] / n;
        }
        return u;
    }

    private static float[][] randn(Random r, int n, int d, int[] labels, int c, double sep) {
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) (r.nextGaussian() + (labels != null && j == labels[i] % d ? sep : 0));
            }
        }
        return x;
    }

    @Test
    void matchesBruteForceOnRandomDataForAllK() {
        Random r = new Random(7);
        int n = 400;
        int m = 37; // fewer than 100 queries, and not a multiple of the chunk size
        int d = 16;
        int c = 6;
        int[] yTrain = r.ints(n, 0, c).toArray();
        int[] yTest = r.ints(m, 0, c).toArray();
        float[][] train = randn(r, n, d, yTrain, c, 3.0);
        float[][] test = randn(r, m, d, yTest, c, 3.0);
        int[] ks = {1, 10, 20, 100, 200, 400};
        KnnOptions opt = new KnnOptions(ks, 0.07, 8);
        KnnResult res = new WeightedKnn(opt).evaluate(train, yTrain, test, yTest, c);
        boolean[][] top5 = new boolean[ks.length][m];
        for (int ki = 0; ki < ks.length; ki++) {
            KnnResult.PerK p = res.forK(ks[ki]);
            long hits1 = 0;
            long hits5 = 0;
            long[][] conf = new long[c][c];
            for (int q = 0; q < m; q++) {
                top5Label = yTest[q];
                boolean[][] t5 = new boolean[ks.length][1];
                int[][] bf = bruteForce(train, yTrain, new float[][] {test[q]}, ks, 0.07, c, t5);
                assertEquals(bf[ki][0], p.predictions()[q], "k=" + ks[ki] + " query " + q);
                hits1 += bf[ki][0] == yTest[q] ? 1 : 0;
                hits5 += t5[ki][0] ? 1 : 0;
                conf[yTest[q]][bf[ki][0]]++;
            }
            assertEquals(hits1 / (double) m, p.top1(), 1e-12, "top1 k=" + ks[ki]);
            assertEquals(hits5 / (double) m, p.top5(), 1e-12, "top5 k=" + ks[ki]);
            for (int a = 0; a < c; a++) {
                assertArrayEquals(conf[a], p.confusion()[a]);
                long tot = Arrays.stream(conf[a]).sum();
                assertEquals(tot == 0 ? Double.NaN : conf[a][a] / (double) tot, p.perClassAccuracy()[a], 1e-12);
            }
        }
        // separable-ish data: k-NN must beat chance clearly
        assertTrue(res.forK(10).top1() > 0.5, "top1 " + res.forK(10).top1());
        // the chunk size does not change the answer
        KnnResult one = new WeightedKnn(new KnnOptions(ks, 0.07, 1000)).evaluate(train, yTrain, test, yTest, c);
        for (int ki = 0; ki < ks.length; ki++) {
            assertArrayEquals(res.perK().get(ki).predictions(), one.perK().get(ki).predictions());
        }
    }

    @Test
    void tiesPreferLowerMemoryIndexThenLowerClass() {
        // Axis vectors: every dot product is exact, so the ties are exact in float32 too.
        // memory 0..3 are identical (e0) with labels 3,2,1,0; memory 4 is e1 with label 0.
        float[][] train = {{1, 0}, {1, 0}, {1, 0}, {1, 0}, {0, 1}};
        int[] yTrain = {3, 2, 1, 0, 0};
        float[][] test = {{2, 0}};
        // k = 1: four tied neighbours at sim 1, the lowest index (0, label 3) wins.
        KnnResult r1 = new WeightedKnn(new KnnOptions(new int[] {1, 2, 4, 5}, 0.07, 4))
                .evaluate(train, yTrain, test, new int[] {3}, 4);
        assertEquals(3, r1.forK(1).predictions()[0]);
        // k = 2: indices 0 and 1 (labels 3 and 2) tie in weight, the lower class (2) wins.
        assertEquals(2, r1.forK(2).predictions()[0]);
        // k = 4: four classes with equal weight e^(1/T): class 0 wins.
        assertEquals(0, r1.forK(4).predictions()[0]);
        // k = 5: class 0 gets e^(1/T) + e^(0) and wins outright.
        assertEquals(0, r1.forK(5).predictions()[0]);
        assertEquals(0.0, r1.forK(4).top1());   // label 3 is not top-1 ...
        assertEquals(1.0, r1.forK(4).top5());   // ... but is in the top 4 = min(5, C)
    }

    @Test
    void tinySetsWork() {
        float[][] train = {{1, 0}, {0, 1}};
        int[] yTrain = {0, 1};
        KnnResult r = new WeightedKnn(new KnnOptions(new int[] {1, 2}, 0.07, 256))
                .evaluate(train, yTrain, new float[][] {{0.9f, 0.1f}}, new int[] {0}, 0);
        assertEquals(2, r.numClasses());
        assertEquals(1.0, r.forK(1).top1());
        // k = 2: weights e^(0.9939/0.07) vs e^(0.1104/0.07): class 0 still wins
        assertEquals(1.0, r.forK(2).top1());
        assertEquals(1, r.numQueries());
    }

    @Test
    void jsonHasTheNumbers() throws Exception {
        float[][] train = {{1, 0}, {0, 1}, {1, 0.1f}};
        KnnResult r = new WeightedKnn(new KnnOptions(new int[] {1}, 0.07, 2))
                .evaluate(Nd4j.create(train), new int[] {0, 1, 0}, Nd4j.create(new float[][] {{0, 1}}),
                        new int[] {1}, 3);
        JsonNode j = new ObjectMapper().readTree(r.toJson());
        assertEquals(3, j.get("memorySize").asInt());
        assertEquals(1, j.get("results").get(0).get("k").asInt());
        assertEquals(1.0, j.get("results").get(0).get("top1").asDouble());
        assertTrue(j.get("results").get(0).get("perClassAccuracy").get(0).isNull());
        assertEquals(1, j.get("results").get(0).get("confusion").get(1).get(1).asLong());
    }

    @Test
    void badInputIsRejectedClearly() {
        WeightedKnn knn = new WeightedKnn(KnnOptions.defaults());
        float[][] small = new float[50][4];
        for (float[] row : small) {
            row[0] = 1;
        }
        int[] ys = new int[50];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> knn.evaluate(small, ys, new float[][] {{1, 0, 0, 0}}, new int[] {0}, 2));
        assertTrue(e.getMessage().contains("200") && e.getMessage().contains("50"), e.getMessage());
        WeightedKnn k1 = new WeightedKnn(new KnnOptions(new int[] {1}, 0.07, 4));
        e = assertThrows(IllegalArgumentException.class,
                () -> k1.evaluate(new float[0][], new int[0], new float[][] {{1}}, new int[] {0}, 0));
        assertTrue(e.getMessage().contains("trainFeatures is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> k1.evaluate(new float[][] {{1, 0}}, new int[] {0}, new float[][] {{1, 0, 0}}, new int[] {0}, 0));
        assertTrue(e.getMessage().contains("dimension 2") && e.getMessage().contains("dimension 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> k1.evaluate(new float[][] {{1, Float.NaN}}, new int[] {0}, new float[][] {{1, 0}}, new int[] {0}, 0));
        assertTrue(e.getMessage().contains("trainFeatures") && e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> k1.evaluate(new float[][] {{1, 0}}, new int[] {0}, new float[][] {{1, 0}}, null, 0));
        assertTrue(e.getMessage().contains("testLabels are missing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> k1.evaluate(new float[][] {{1, 0}}, new int[] {5}, new float[][] {{1, 0}}, new int[] {0}, 2));
        assertTrue(e.getMessage().contains("trainLabels[0] = 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new KnnOptions(new int[] {10, 0}, 0.07, 8));
        assertTrue(e.getMessage().contains("ks"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new KnnOptions(new int[] {10}, -0.1, 8));
        assertTrue(e.getMessage().contains("temperature") && e.getMessage().contains("-0.1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new KnnOptions(new int[] {10}, 0.07, 0));
        assertTrue(e.getMessage().contains("chunkSize"), e.getMessage());
    }
}

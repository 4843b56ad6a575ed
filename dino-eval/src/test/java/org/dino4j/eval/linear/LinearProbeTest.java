package org.dino4j.eval.linear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dino4j.eval.features.Features;
import org.junit.jupiter.api.Test;

class LinearProbeTest {

    static float[][] data(Random r, int n, int d, int c, int[] labels, double sep) {
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(c);
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) (r.nextGaussian() + (j == labels[i] ? sep : 0));
            }
            Features.normaliseInPlace(x[i]);
        }
        return x;
    }

    @Test
    void learnsSeparableClassesAndReportsTheRightAccuracy() {
        Random r = new Random(3);
        int d = 12;
        int c = 4;
        int[] yTrain = new int[400];
        int[] yTest = new int[200];
        float[][] train = data(r, 400, d, c, yTrain, 4);
        float[][] test = data(r, 200, d, c, yTest, 4);
        LinearProbeOptions opt = LinearProbeOptions.builder().epochs(30).batchSize(64).weightDecay(1e-4).seed(5).build();
        LinearProbeResult res = new LinearProbe(opt).fit(train, yTrain, test, yTest, c);
        // accuracy recomputed here from the returned weights
        int hits = 0;
        for (int i = 0; i < test.length; i++) {
            int best = 0;
            double bs = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) {
                double s = res.bias()[k];
                for (int j = 0; j < d; j++) {
                    s += res.weights()[k][j] * test[i][j];
                }
                if (s > bs) {
                    bs = s;
                    best = k;
                }
            }
            assertEquals(best, res.testPredictions()[i]);
            hits += best == yTest[i] ? 1 : 0;
        }
        assertEquals(hits / 200.0, res.testAccuracy(), 1e-12);
        assertTrue(res.testAccuracy() > 0.95, "test accuracy " + res.testAccuracy());
        assertTrue(res.trainLoss() < 0.3, "train loss " + res.trainLoss());
        // same seed → same weights
        LinearProbeResult again = new LinearProbe(opt).fit(train, yTrain, test, yTest, c);
        for (int k = 0; k < c; k++) {
            assertArrayEquals(res.weights()[k], again.weights()[k], 0.0);
        }
        assertTrue(res.toJson().contains("\"testAccuracy\""));
    }

    /** Loss by an independent float64 loop; gradient by central finite differences of that loss. */
    @Test
    void lossAndGradientAreCorrect() {
        Random r = new Random(1);
        int n = 7;
        int d = 3;
        int c = 3;
        int[] y = new int[n];
        float[][] x = data(r, n, d, c, y, 1);
        double[][] w = new double[c][d];
        double[] b = new double[c];
        for (int k = 0; k < c; k++) {
            b[k] = r.nextGaussian();
            for (int j = 0; j < d; j++) {
                w[k][j] = r.nextGaussian();
            }
        }
        int[] idx = {0, 1, 2, 3, 4, 5, 6};
        double lambda = 0.3;
        double[][] gw = new double[c][d];
        double[] gb = new double[c];
        double loss = LinearProbe.lossAndGradient(w, b, x, y, idx, 0, n, lambda, gw, gb, new double[c]);
        assertEquals(reference(w, b, x, y, lambda), loss, 1e-12);
        double eps = 1e-6;
        for (int k = 0; k < c; k++) {
            for (int j = 0; j < d; j++) {
                double keep = w[k][j];
                w[k][j] = keep + eps;
                double up = reference(w, b, x, y, lambda);
                w[k][j] = keep - eps;
                double down = reference(w, b, x, y, lambda);
                w[k][j] = keep;
                assertEquals((up - down) / (2 * eps), gw[k][j], 1e-7);
            }
            double keep = b[k];
            b[k] = keep + eps;
            double up = reference(w, b, x, y, lambda);
            b[k] = keep - eps;
            double down = reference(w, b, x, y, lambda);
            b[k] = keep;
            assertEquals((up - down) / (2 * eps), gb[k], 1e-7);
        }
    }

    private static double reference(double[][] w, double[] b, float[][] x, int[] y, double lambda) {
        double total = 0;
        for (int i = 0; i < x.length; i++) {
            double[] z = new double[b.length];
            double norm = 0;
            for (int k = 0; k < b.length; k++) {
                z[k] = b[k];
                for (int j = 0; j < x[i].length; j++) {
                    z[k] += w[k][j] * x[i][j];
                }
                norm += Math.exp(z[k]);
            }
            total += Math.log(norm) - z[y[i]];
        }
        double reg = 0;
        for (double[] row : w) {
            for (double v : row) {
                reg += v * v;
            }
        }
        return total / x.length + 0.5 * lambda * reg;
    }

    @Test
    void badInputIsRejected() {
        LinearProbe p = new LinearProbe(LinearProbeOptions.defaults(0));
        float[][] a = {{1, 0}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.fit(a, new int[] {0}, new float[][] {{1, 0, 0}}, new int[] {0}, 0));
        assertTrue(e.getMessage().contains("dimension"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> p.fit(a, null, a, new int[] {0}, 0));
        assertTrue(e.getMessage().contains("trainLabels are missing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> p.fit(new float[0][], new int[0], a, new int[] {0}, 0));
        assertTrue(e.getMessage().contains("trainFeatures is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> p.fit(a, new int[] {0}, new float[][] {{Float.NaN, 0}}, new int[] {0}, 0));
        assertTrue(e.getMessage().contains("testFeatures") && e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LinearProbeOptions.builder().epochs(0).batchSize(1).learningRate(1).weightDecay(0).build());
        assertTrue(e.getMessage().contains("epochs must be >= 1, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LinearProbeOptions.builder().epochs(1).batchSize(1).learningRate(1).momentum(1.0).weightDecay(0).build());
        assertTrue(e.getMessage().contains("momentum"), e.getMessage());
    }
}

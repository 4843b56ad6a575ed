package org.dino4j.eval.tsne;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.dino4j.eval.metrics.ClusterMetrics;
import org.dino4j.eval.plot.ScatterPlot;
import org.junit.jupiter.api.Test;

class TsneTest {

    /** c Gaussian blobs (σ = 1) in d dims with centres 12·e_{label} (pairwise distance ≈ 17). */
    static double[][] blobs(int n, int d, int c, int[] labels, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[n][d];
        for (int i = 0; i < n; i++) {
            labels[i] = i % c;
            for (int j = 0; j < d; j++) {
                x[i][j] = r.nextGaussian() + (j == labels[i] ? 12 : 0);
            }
        }
        return x;
    }

    @Test
    void barnesHutSeparatesBlobsAndIsReproducible() throws Exception {
        int n = 300;
        int[] labels = new int[n];
        double[][] x = blobs(n, 60, 5, labels, 1);   // 60 dims: PCA to 50 is exercised
        TsneOptions opt = TsneOptions.defaults(42).withIterations(500);
        TsneResult a = new Tsne(opt).fit(x);
        double trust = ClusterMetrics.trustworthiness(x, a.embedding(), 5);
        double sil = ClusterMetrics.silhouette(a.embedding(), labels);
        double silInput = ClusterMetrics.silhouette(x, labels);
        System.out.printf("BH t-SNE 300 pts: %d ms, KL %.4f, trustworthiness %.4f, silhouette %.4f (input %.4f)%n",
                a.millis(), a.klDivergence(), trust, sil, silInput);
        assertTrue(trust > 0.9, "trustworthiness " + trust);
        assertTrue(sil > 0.7, "silhouette " + sil);
        assertTrue(a.klDivergence() > 0 && a.klDivergence() < 2, "KL " + a.klDivergence());
        Path dir = Path.of("target", "tsne-test");
        Files.createDirectories(dir);
        ScatterPlot.writePng(a.embedding(), labels, null, "t-SNE of 5 Gaussian blobs (N=300)",
                dir.resolve("blobs.png"), 640, 480);
        assertTrue(Files.size(dir.resolve("blobs.png")) > 1000);
        TsneResult b = new Tsne(opt).fit(x);
        for (int i = 0; i < n; i++) {
            assertArrayEquals(a.embedding()[i], b.embedding()[i], 0.0, "row " + i);
        }
        TsneResult c = new Tsne(TsneOptions.builder().iterations(500).seed(43).build()).fit(x);
        assertFalse(c.embedding()[0][0] == a.embedding()[0][0], "another seed gives another embedding");
    }

    @Test
    void exactModeSeparatesBlobs() {
        int n = 120;
        int[] labels = new int[n];
        double[][] x = blobs(n, 10, 3, labels, 3);
        TsneResult r = new Tsne(TsneOptions.defaults(1).withExact(true).withIterations(400)).fit(x);
        assertTrue(ClusterMetrics.trustworthiness(x, r.embedding(), 5) > 0.9);
        assertTrue(ClusterMetrics.silhouette(r.embedding(), labels) > 0.7);
    }

    /** Affinities: symmetric, sum to 1, each conditional row has the target perplexity. */
    @Test
    void affinitiesHaveTheTargetPerplexity() {
        Random rnd = new Random(5);
        double[] d2 = new double[40];
        for (int j = 0; j < d2.length; j++) {
            d2[j] = 10 * rnd.nextDouble();
        }
        double[] p = new double[40];
        Tsne.conditional(d2, 40, 12, p);
        double sum = 0;
        double h = 0;
        for (double v : p) {
            sum += v;
            h -= v > 0 ? v * Math.log(v) : 0;
        }
        assertEquals(1.0, sum, 1e-12);
        assertEquals(12.0, Math.exp(h), 12.0 * 1e-4);
        // p ∝ exp(−β d²): the log-ratio is linear in d² with one β
        double beta = Math.log(p[0] / p[1]) / (d2[1] - d2[0]);
        assertEquals(beta, Math.log(p[2] / p[3]) / (d2[3] - d2[2]), 1e-6 * Math.abs(beta));

        int n = 40;
        int[] labels = new int[n];
        double[][] x = blobs(n, 5, 2, labels, 9);
        for (boolean exact : new boolean[] {true, false}) {
            Tsne.Affinities a = new Tsne(TsneOptions.defaults(0).withPerplexity(5).withExact(exact)).affinities(x);
            double[][] dense = toDense(a, n);
            double total = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(0.0, dense[i][i]);
                for (int j = 0; j < n; j++) {
                    assertEquals(dense[i][j], dense[j][i], 1e-15);
                    total += dense[i][j];
                }
            }
            assertEquals(1.0, total, 1e-9, "exact=" + exact);
        }
    }

    /** The exact gradient matches central finite differences of KL(P‖Q) computed here in a plain loop. */
    @Test
    void exactGradientMatchesFiniteDifferences() {
        int n = 25;
        int[] labels = new int[n];
        double[][] x = blobs(n, 4, 2, labels, 11);
        Tsne t = new Tsne(TsneOptions.defaults(0).withPerplexity(5).withExact(true));
        double[][] p = toDense(t.affinities(x), n);
        Random r = new Random(2);
        double[][] y = new double[n][2];
        for (double[] row : y) {
            row[0] = r.nextGaussian();
            row[1] = r.nextGaussian();
        }
        double[][] g = new double[n][2];
        t.gradient(t.affinities(x), y, 1.0, g);
        double eps = 1e-6;
        for (int i = 0; i < n; i += 4) {
            for (int d = 0; d < 2; d++) {
                double keep = y[i][d];
                y[i][d] = keep + eps;
                double up = kl(p, y);
                y[i][d] = keep - eps;
                double down = kl(p, y);
                y[i][d] = keep;
                assertEquals((up - down) / (2 * eps), g[i][d], 1e-6, "i=" + i + " d=" + d);
            }
        }
    }

    /** With all N−1 neighbours in the sparse P, Barnes-Hut equals the exact gradient as θ → 0, and is close at θ = 0.5. */
    @Test
    void barnesHutGradientMatchesExact() {
        int n = 31;   // 3 · perplexity 10 = 30 = N − 1: the sparse P is the dense P
        int[] labels = new int[n];
        double[][] x = blobs(n, 6, 3, labels, 4);
        Random r = new Random(8);
        double[][] y = new double[n][2];
        for (double[] row : y) {
            row[0] = 3 * r.nextGaussian();
            row[1] = 3 * r.nextGaussian();
        }
        TsneOptions base = TsneOptions.defaults(0).withPerplexity(10);
        Tsne exact = new Tsne(base.withExact(true));
        double[][] ge = new double[n][2];
        double ze = exact.gradient(exact.affinities(x), y, 12, ge);
        Tsne fine = new Tsne(base.withTheta(1e-9));
        double[][] gf = new double[n][2];
        double zf = fine.gradient(fine.affinities(x), y, 12, gf);
        assertEquals(ze, zf, 1e-9 * ze);
        for (int i = 0; i < n; i++) {
            assertArrayEquals(ge[i], gf[i], 1e-9, "row " + i);
        }
        Tsne bh = new Tsne(base.withTheta(0.5));
        double[][] gb = new double[n][2];
        double zb = bh.gradient(bh.affinities(x), y, 12, gb);
        assertEquals(ze, zb, 0.05 * ze);
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < 2; d++) {
                num += (gb[i][d] - ge[i][d]) * (gb[i][d] - ge[i][d]);
                den += ge[i][d] * ge[i][d];
            }
        }
        assertTrue(Math.sqrt(num / den) < 0.05, "relative BH error " + Math.sqrt(num / den));
    }

    @Test
    void pcaFindsTheLeadingDirections() {
        // points on a line along (3, 4)/5 plus tiny noise on the orthogonal direction: PC1 carries the spread.
        Random r = new Random(1);
        double[][] x = new double[50][2];
        double[] t = new double[50];
        for (int i = 0; i < 50; i++) {
            t[i] = r.nextGaussian() * 5;
            double e = r.nextGaussian() * 0.01;
            x[i][0] = 1 + 0.6 * t[i] - 0.8 * e;
            x[i][1] = 2 + 0.8 * t[i] + 0.6 * e;
        }
        double[][] p = Pca.project(x, 1);
        double mt = 0;
        for (double v : t) {
            mt += v / 50;
        }
        for (int i = 0; i < 50; i++) {
            assertEquals(t[i] - mt, p[i][0], 0.05);   // sign fixed: largest component (0.8) positive
        }
        // eigen-decomposition of a known matrix: [[2,1],[1,2]] has eigenvalues 1 and 3
        double[][] vecs = new double[2][2];
        double[] vals = Pca.symmetricEigen(new double[][] {{2, 1}, {1, 2}}, vecs);
        java.util.Arrays.sort(vals);
        assertArrayEquals(new double[] {1, 3}, vals, 1e-12);
    }

    @Test
    void badInputIsRejected() {
        Tsne t = new Tsne(TsneOptions.defaults(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(new double[50][3]
                .clone()));
        assertTrue(e.getMessage().contains("perplexity 30") && e.getMessage().contains("50 points"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.fit(new double[0][]));
        assertTrue(e.getMessage().contains("tsneInput is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.fit(new float[][] {{1, Float.NaN}}));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.fit(new double[][] {{1, 2}, {1}}));
        assertTrue(e.getMessage().contains("row 1 has dimension 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TsneOptions.defaults(0).withPerplexity(0.5));
        assertTrue(e.getMessage().contains("perplexity"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TsneOptions.defaults(0).withTheta(-1));
        assertTrue(e.getMessage().contains("theta"), e.getMessage());
    }

    private static double[][] toDense(Tsne.Affinities a, int n) {
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int e = a.rowStart[i]; e < a.rowStart[i + 1]; e++) {
                d[i][a.col[e]] += a.val[e];
            }
        }
        return d;
    }

    private static double kl(double[][] p, double[][] y) {
        int n = y.length;
        double z = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    z += 1 / (1 + sq(y[i], y[j]));
                }
            }
        }
        double kl = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j && p[i][j] > 0) {
                    kl += p[i][j] * Math.log(p[i][j] / (1 / (1 + sq(y[i], y[j])) / z));
                }
            }
        }
        return kl;
    }

    private static double sq(double[] a, double[] b) {
        return (a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]);
    }
}

package org.dino4j.bench;

import java.util.Random;
import org.dino4j.eval.knn.KnnOptions;
import org.dino4j.eval.knn.KnnResult;
import org.dino4j.eval.knn.WeightedKnn;
import org.dino4j.eval.linear.LinearProbe;
import org.dino4j.eval.linear.LinearProbeOptions;
import org.dino4j.eval.metrics.ClusterMetrics;
import org.dino4j.eval.tsne.Tsne;
import org.dino4j.eval.tsne.TsneOptions;
import org.dino4j.eval.tsne.TsneResult;
import org.dino4j.train.run.RuntimeOverrides;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The evaluation speed measurements of docs/eval.md: weighted k-NN 60 000 × 10 000, Barnes-Hut t-SNE of 10 000
 * points, linear probe on 60 000 × 128 (synthetic Gaussian classes, seeded). Run with
 * {@code java -cp dino-bench/target/benchmarks.jar org.dino4j.bench.EvalSpeed [knn|tsne|linear ...]} (all three
 * without arguments; {@code -Ddino.eval.dim=D} sets the k-NN feature width, default 128).
 */
public final class EvalSpeed {
    private EvalSpeed() {
    }

    /**
     * @param args the measurements to run: {@code knn}, {@code tsne}, {@code linear} (default: all)
     */
    public static void main(String[] args) {
        RuntimeOverrides.applyProcessWide();
        java.util.List<String> which = args.length == 0 ? java.util.List.of("knn", "tsne", "linear") : java.util.List.of(args);
        for (String w : which) {
            switch (w) {
                case "knn" -> knn60kBy10k();
                case "tsne" -> tsne10k();
                case "linear" -> linearProbe60k();
                default -> throw new IllegalArgumentException("measurement must be knn, tsne or linear, got " + w);
            }
        }
    }

    /** CPU seconds used by this JVM so far (all threads): the machine is shared, so wall time alone misleads. */
    private static double cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    private static float[][] data(Random r, int n, int d, int c, int[] labels) {
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(c);
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) (r.nextGaussian() + (j == labels[i] ? 2.5 : 0));
            }
        }
        return x;
    }

    static void knn60kBy10k() {
        Random r = new Random(1);
        int d = Integer.getInteger("dino.eval.dim", 128);
        int[] yTrain = new int[60_000];
        int[] yTest = new int[10_000];
        float[][] train = data(r, 60_000, d, 10, yTrain);
        float[][] test = data(r, 10_000, d, 10, yTest);
        WeightedKnn knn = new WeightedKnn(KnnOptions.defaults());
        // warm-up on a slice
        float[][] warm = java.util.Arrays.copyOf(test, 300);
        knn.evaluate(train, yTrain, warm, java.util.Arrays.copyOf(yTest, 300), 10);
        long t0 = System.nanoTime();
        double c0 = cpu();
        KnnResult res = knn.evaluate(train, yTrain, test, yTest, 10);
        double total = (System.nanoTime() - t0) / 1e9;
        double totalCpu = cpu() - c0;
        // the matrix multiplies alone, same chunking
        INDArray mem = Nd4j.rand(DataType.FLOAT, 60_000, d);
        INDArray q = Nd4j.rand(DataType.FLOAT, 256, d);
        INDArray out = Nd4j.create(DataType.FLOAT, 256, 60_000);
        INDArray memT = mem.transpose();
        q.mmul(memT, out);
        long t1 = System.nanoTime();
        double c1 = cpu();
        int chunks = (10_000 + 255) / 256;
        for (int c = 0; c < chunks; c++) {
            q.mmul(memT, out);
        }
        double mm = (System.nanoTime() - t1) / 1e9;
        double mmCpu = cpu() - c1;
        System.out.printf("kNN 60000 x 10000 x %d, k {10,20,100,200}: total %.2f s wall / %.2f s CPU; the same "
                + "gemms alone %.2f s wall / %.2f s CPU (%.1f GFLOP per CPU-second); top1@20 %.4f; load %.1f%n", d,
                total, totalCpu, mm, mmCpu, 2.0 * 60_000 * 10_000 * d / mmCpu / 1e9, res.forK(20).top1(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static void tsne10k() {
        // 10 classes: random class centres of norm ~11 (pairwise ~16), within-class noise sigma 0.7 per dim
        // (within-class distance ~11): clustered but overlapping tails, like real embeddings
        Random r = new Random(2);
        int[] y = new int[10_000];
        double[][] centres = new double[10][128];
        for (double[] c : centres) {
            for (int j = 0; j < 128; j++) {
                c[j] = r.nextGaussian();
            }
        }
        float[][] x = new float[10_000][128];
        for (int i = 0; i < x.length; i++) {
            y[i] = r.nextInt(10);
            for (int j = 0; j < 128; j++) {
                x[i][j] = (float) (centres[y[i]][j] + 0.7 * r.nextGaussian());
            }
        }
        double c0 = cpu();
        TsneResult res = new Tsne(TsneOptions.defaults(7)).fit(x);
        double tsneCpu = cpu() - c0;
        long t0 = System.nanoTime();
        double trust = ClusterMetrics.trustworthiness(x, res.embedding(), 5);
        double tTrust = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        double sil = ClusterMetrics.silhouette(res.embedding(), y);
        double tSil = (System.nanoTime() - t0) / 1e9;
        double silIn = ClusterMetrics.silhouette(x, y);
        try {
            java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "speed"));
            org.dino4j.eval.plot.ScatterPlot.writePng(res.embedding(), y, null, "t-SNE, 10 000 points x 128 dims",
                    java.nio.file.Path.of("target", "speed", "tsne10k.png"), 800, 600);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        System.out.printf("input-space silhouette %.4f%n", silIn);
        System.out.printf("t-SNE 10000 x 128 (BH, 1000 it): %.1f s wall / %.1f s CPU, KL %.3f; trustworthiness(5) "
                + "%.4f in %.1f s; silhouette %.4f in %.1f s; load %.1f%n", res.millis() / 1e3, tsneCpu,
                res.klDivergence(), trust, tTrust, sil, tSil,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static void linearProbe60k() {
        Random r = new Random(3);
        int[] yTrain = new int[60_000];
        int[] yTest = new int[10_000];
        float[][] train = data(r, 60_000, 128, 10, yTrain);
        float[][] test = data(r, 10_000, 128, 10, yTest);
        for (float[][] m : new float[][][] {train, test}) {
            for (float[] row : m) {
                org.dino4j.eval.features.Features.normaliseInPlace(row);
            }
        }
        long t0 = System.nanoTime();
        double c0 = cpu();
        var res = new LinearProbe(LinearProbeOptions.builder().epochs(10).weightDecay(0).seed(1).build()).fit(train, yTrain, test, yTest, 10);
        System.out.printf("linear probe 60000 x 128, 10 classes, 10 epochs: %.1f s wall / %.1f s CPU, test acc %.4f%n",
                (System.nanoTime() - t0) / 1e9, cpu() - c0, res.testAccuracy());
    }
}

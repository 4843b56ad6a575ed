package org.dino4j.bench;

import org.dino4j.augment.MultiCropConfig;
import org.dino4j.augment.MultiCropTransform;
import org.dino4j.augment.Seeds;

import org.dino4j.augment.data.ImageDataset;
import org.dino4j.augment.data.SyntheticDataset;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.Random;

/**
 * Writes docs/img/synthetic-samples.png and docs/img/multicrop-example.png and prints
 * the raw-pixel weighted k-NN accuracy of the synthetic set (cosine, k 20, T 0.07; Wu et al. 2018 as
 * used by DINO's eval_knn). Args: [outDir] [trainSize] [testSize].
 */
public final class SyntheticReport {
    private SyntheticReport() {
    }

    public static void main(String[] args) throws IOException {
        File out = new File(args.length > 0 ? args[0] : "docs/img");
        int nTrain = args.length > 1 ? Integer.parseInt(args[1]) : 10000;
        int nTest = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        out.mkdirs();
        if (args.length > 3 && args[3].equals("fashion")) { // reference point: the same k-NN on Fashion-MNIST subsets
            var ftr = org.dino4j.augment.data.IdxDataset.fashionMnist(org.dino4j.augment.data.IdxDataset.FASHION_MNIST_DIR, true);
            var fte = org.dino4j.augment.data.IdxDataset.fashionMnist(org.dino4j.augment.data.IdxDataset.FASHION_MNIST_DIR, false);
            System.out.printf("Fashion-MNIST raw-pixel kNN, first %d train / %d test: %.2f%%%n", nTrain, nTest,
                    100 * knnAccuracy(new Subset(ftr, nTrain), new Subset(fte, nTest), 20, 0.07));
            return;
        }
        SyntheticDataset train = SyntheticDataset.of28(nTrain, 1L), test = SyntheticDataset.of28(nTest, 2L);
        // 1. sample grid: 10 classes (rows) x 12 samples, scaled x3.
        int cols = 12, z = 3, s = 28;
        BufferedImage grid = new BufferedImage(cols * s * z, 10 * s * z, BufferedImage.TYPE_INT_RGB);
        for (int c = 0; c < 10; c++) for (int j = 0; j < cols; j++) put(grid, train.image(c + 10 * j), 1, s, s, j * s * z, c * s * z, z, false);
        ImageIO.write(grid, "png", new File(out, "synthetic-samples.png"));
        SyntheticDataset rgb = new SyntheticDataset(40, 28, 28, 3, 3L);
        BufferedImage g2 = new BufferedImage(10 * s * z, 4 * s * z, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 40; i++) put(g2, rgb.image(i), 3, s, s, (i % 10) * s * z, (i / 10) * s * z, z, false);
        ImageIO.write(g2, "png", new File(out, "synthetic-samples-rgb.png"));
        // 2. multi-crop example: rows = 4 images; columns: original, 2 globals, 6 locals (un-normalised back to [0,1]).
        MultiCropTransform t = MultiCropTransform.forDataset(MultiCropConfig.preset28(), train);
        int zz = 4, cell = 28 * zz + 4;
        BufferedImage mc = new BufferedImage(9 * cell, 4 * cell, BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < 4; r++) {
            float[] img = train.image(r * 3);
            put(mc, img, 1, 28, 28, 0, r * cell, zz, false);
            float[][] v = t.views(img, new Random(Seeds.derive(7, 0, r)));
            for (int k = 0; k < v.length; k++) {
                int sz = k < 2 ? 28 : 12;
                int zk = k < 2 ? zz : zz * 28 / 12;
                put(mc, v[k], 1, sz, sz, (k + 1) * cell, r * cell, zk, true);
            }
        }
        ImageIO.write(mc, "png", new File(out, "multicrop-example.png"));
        // 3. raw-pixel kNN.
        long t0 = System.nanoTime();
        double acc = knnAccuracy(train, test, 20, 0.07);
        System.out.printf("raw-pixel weighted kNN (cosine, k=20, T=0.07), train %d / test %d: top-1 %.2f%% (%.1f s)%n",
                nTrain, nTest, 100 * acc, (System.nanoTime() - t0) / 1e9);
    }

    private static void put(BufferedImage dst, float[] img, int c, int h, int w, int ox, int oy, int zoom, boolean normalized) {
        for (int y = 0; y < h * zoom; y++) for (int x = 0; x < w * zoom; x++) {
            int i = (y / zoom) * w + x / zoom;
            int[] rgb = new int[3];
            for (int k = 0; k < 3; k++) {
                float v = img[(c == 3 ? k : 0) * h * w + i];
                if (normalized) v = v * 0.5f + 0.5f;
                rgb[k] = Math.max(0, Math.min(255, Math.round(v * 255)));
            }
            dst.setRGB(ox + x, oy + y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
        }
    }

    /** Weighted k-NN (cosine similarity, votes exp(sim/T)) in plain double arithmetic. */
    static double knnAccuracy(ImageDataset train, ImageDataset test, int k, double temp) {
        double[][] tr = unit(train), te = unit(test);
        int correct = 0, nc = train.numClasses();
        for (int q = 0; q < te.length; q++) {
            double[] sims = new double[tr.length];
            for (int i = 0; i < tr.length; i++) {
                double d = 0;
                for (int j = 0; j < te[q].length; j++) d += te[q][j] * tr[i][j];
                sims[i] = d;
            }
            Integer[] idx = new Integer[tr.length];
            for (int i = 0; i < idx.length; i++) idx[i] = i;
            java.util.Arrays.sort(idx, (a, b) -> Double.compare(sims[b], sims[a]));
            double[] votes = new double[nc];
            for (int r = 0; r < k; r++) votes[train.label(idx[r])] += Math.exp(sims[idx[r]] / temp);
            int best = 0;
            for (int c = 1; c < nc; c++) if (votes[c] > votes[best]) best = c;
            if (best == test.label(q)) correct++;
        }
        return correct / (double) te.length;
    }

    private static double[][] unit(ImageDataset ds) {
        double[][] r = new double[ds.size()][];
        for (int i = 0; i < r.length; i++) {
            float[] f = ds.image(i);
            double n = 0;
            r[i] = new double[f.length];
            for (int j = 0; j < f.length; j++) n += f[j] * (double) f[j];
            n = Math.sqrt(n) + 1e-12;
            for (int j = 0; j < f.length; j++) r[i][j] = f[j] / n;
        }
        return r;
    }

    /** The first n images of a dataset. */
    private record Subset(ImageDataset d, int n) implements ImageDataset {
        public int size() { return n; }
        public int channels() { return d.channels(); }
        public int height() { return d.height(); }
        public int width() { return d.width(); }
        public int numClasses() { return d.numClasses(); }
        public int label(int i) { return d.label(i); }
        public void imageInto(int i, float[] dst) { d.imageInto(i, dst); }
    }
}

package org.dino4j.bench;

import org.dino4j.augment.LoaderConfig;
import org.dino4j.augment.MultiCropBatch;
import org.dino4j.augment.MultiCropConfig;
import org.dino4j.augment.MultiCropLoader;
import org.dino4j.augment.MultiCropTransform;

import org.dino4j.augment.data.SyntheticDataset;

import java.util.Iterator;

/**
 * Throughput of {@link MultiCropLoader} in images/s at batch 256 with the 28 preset
 * (2 global views of 28 + 6 local views of 12) on the synthetic dataset, for 1 and 2 worker threads.
 * Args: [batches per measurement, default 40] [threads list, default "1,2"].
 */
public final class BenchLoader {
    private BenchLoader() {
    }

    public static void main(String[] args) {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        String[] threads = (args.length > 1 ? args[1] : "1,2").split(",");
        int b = 256;
        SyntheticDataset ds = SyntheticDataset.of28(b * (batches + 1), 1);
        MultiCropTransform t = MultiCropTransform.forDataset(MultiCropConfig.preset28(), ds);
        for (String th : threads) {
            int w = Integer.parseInt(th.trim());
            try (MultiCropLoader l = new MultiCropLoader(ds, t, LoaderConfig.builder().batchSize(b).seed(1).workers(w).prefetch(Math.max(4, 2 * w)).build())) {
                Iterator<MultiCropBatch> warm = l.epoch(100);
                for (int k = 0; k < 5; k++) warm.next();
                Iterator<MultiCropBatch> it = l.epoch(0);
                long t0 = System.nanoTime();
                int n = 0;
                for (int k = 0; k < batches; k++) n += it.next().batchSize();
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("workers %d: %d images (B %d, 2x28 + 6x12 views) in %.2f s = %.0f images/s (%.1f ms/batch)%n",
                        w, n, b, s, n / s, 1000 * s / batches);
            }
        }
        // the same measurement without the dataset rendering cost (images pre-rendered)
        float[][] cache = new float[b][];
        for (int i = 0; i < b; i++) cache[i] = ds.image(i);
        float[] g = new float[2 * b * t.globalViewLength()], lo = new float[6 * b * t.localViewLength()];
        java.util.Random r = new java.util.Random(1);
        for (int rep = 0; rep < 3; rep++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < b; i++) t.applyInto(cache[i], r, i, b, g, lo);
            double s = (System.nanoTime() - t0) / 1e9;
            if (rep == 2) System.out.printf("augmentation alone, 1 thread: %.0f images/s%n", b / s);
        }
        long t0 = System.nanoTime();
        float[] img = new float[784];
        for (int i = 0; i < 2560; i++) ds.imageInto(i, img);
        System.out.printf("synthetic rendering alone, 1 thread: %.0f images/s%n", 2560 / ((System.nanoTime() - t0) / 1e9));
    }
}

package org.dino4j.augment;

import org.dino4j.augment.data.ImageDataset;
import org.dino4j.augment.transform.Normalization;
import org.dino4j.augment.transform.ViewOps;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The plain "eval" view of a dataset for feature extraction: un-augmented images, normalised exactly like
 * the training views, in index order, in batches of {@code batchSize} (the last one may be smaller, so
 * every image is covered once).
 */
public final class EvalLoader implements Iterable<EvalLoader.Batch> {
    /**
     * @param images  float32 {@code [b, C, H, W]}, normalised
     * @param labels  {@code [b]}
     * @param indices dataset indices {@code [b]}
     */
    public record Batch(INDArray images, int[] labels, int[] indices) {
    }

    private final ImageDataset dataset;
    private final int batchSize;
    private final float[] mean, std;

    /**
     * @param dataset   the images
     * @param batchSize images per batch, &ge; 1
     * @param norm      the same normalisation as the training views
     */
    public EvalLoader(ImageDataset dataset, int batchSize, Normalization norm) {
        if (dataset == null) throw new IllegalArgumentException("dataset must not be null");
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.mean = norm.meanFor(dataset.channels());
        this.std = norm.stdFor(dataset.channels());
    }

    /** @return the number of batches, ceil(size / batchSize). */
    public int numBatches() {
        return (dataset.size() + batchSize - 1) / batchSize;
    }

    /** @return batch {@code k}: images {@code [k·B, min(size, (k+1)·B))}. */
    public Batch batch(int k) {
        int from = k * batchSize, to = Math.min(dataset.size(), from + batchSize);
        if (k < 0 || from >= to) throw new IndexOutOfBoundsException("batch " + k + " outside [0, " + numBatches() + ")");
        int c = dataset.channels(), h = dataset.height(), w = dataset.width(), len = c * h * w;
        float[] buf = new float[(to - from) * len], img = new float[len];
        int[] labels = new int[to - from], idx = new int[to - from];
        for (int i = from; i < to; i++) {
            dataset.imageInto(i, img);
            ViewOps.normalize(img, c, h * w, mean, std);
            System.arraycopy(img, 0, buf, (i - from) * len, len);
            labels[i - from] = dataset.label(i);
            idx[i - from] = i;
        }
        return new Batch(OffHeap.floats(buf, new long[]{to - from, c, h, w}), labels, idx);
    }

    @Override
    public Iterator<Batch> iterator() {
        return new Iterator<>() {
            int k;

            @Override
            public boolean hasNext() {
                return k < numBatches();
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                return batch(k++);
            }
        };
    }
}

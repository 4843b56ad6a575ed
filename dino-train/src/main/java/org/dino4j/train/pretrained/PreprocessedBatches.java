package org.dino4j.train.pretrained;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dino4j.eval.features.LabeledBatch;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batches of preprocessed images {@code [B, C, H, W]} with labels, built on one background thread one batch
 * ahead of the consumer (decoding and resizing overlap the model's forward pass). Closing stops the thread.
 */
public final class PreprocessedBatches implements Iterator<LabeledBatch>, AutoCloseable {

    /** Produces the preprocessed tensor of one item. */
    @FunctionalInterface
    public interface Source {
        /**
         * @param i item index
         * @return its {@code C·H·W} floats
         * @throws IOException naming the item when it cannot be read
         */
        float[] tensor(int i) throws IOException;
    }

    private final Source source;
    private final int[] labels;
    private final int batch;
    private final long[] shape;
    private final ExecutorService exec;
    private Future<LabeledBatch> next;
    private int nextStart;

    /**
     * @param source item → tensor
     * @param labels one label per item (defines the item count)
     * @param batch batch size, &gt;= 1
     * @param c channels
     * @param h height
     * @param w width
     */
    public PreprocessedBatches(Source source, int[] labels, int batch, int c, int h, int w) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batch);
        }
        this.source = source;
        this.labels = labels;
        this.batch = batch;
        this.shape = new long[] {c, h, w};
        this.exec = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dino4j-preprocess");
            t.setDaemon(true);
            return t;
        });
        schedule();
    }

    private void schedule() {
        if (nextStart >= labels.length) {
            next = null;
            return;
        }
        int from = nextStart;
        int to = Math.min(labels.length, from + batch);
        nextStart = to;
        next = exec.submit(() -> build(from, to));
    }

    private LabeledBatch build(int from, int to) throws IOException {
        int n = (int) (shape[0] * shape[1] * shape[2]);
        float[] data = new float[(to - from) * n];
        for (int i = from; i < to; i++) {
            float[] t = source.tensor(i);
            if (t.length != n) {
                throw new IllegalStateException("item " + i + " has " + t.length + " values, expected " + n);
            }
            System.arraycopy(t, 0, data, (i - from) * n, n);
        }
        int[] l = java.util.Arrays.copyOfRange(labels, from, to);
        return new LabeledBatch(Nd4j.createFromArray(data).reshape('c', to - from, shape[0], shape[1], shape[2]), l);
    }

    @Override
    public boolean hasNext() {
        return next != null;
    }

    /**
     * @return the next batch
     * @throws UncheckedIOException when an item could not be read (the message names it)
     */
    @Override
    public LabeledBatch next() {
        if (next == null) {
            throw new NoSuchElementException();
        }
        Future<LabeledBatch> f = next;
        schedule();
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw new UncheckedIOException(io.getMessage(), io);
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(c);
        }
    }

    @Override
    public void close() {
        exec.shutdownNow();
    }
}

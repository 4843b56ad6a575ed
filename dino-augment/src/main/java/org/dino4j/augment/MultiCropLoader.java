package org.dino4j.augment;

import org.dino4j.augment.data.ImageDataset;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps training fed: background workers build augmented {@link MultiCropBatch}es ahead of the consumer.
 *
 * <p>Determinism: epoch e visits the images in the order {@link #order(int)} (a Fisher–Yates permutation
 * drawn from {@code Seeds.derive(seed, e, -1)}, or index order without shuffle); image i of epoch e is
 * augmented with {@code new Random(Seeds.derive(seed, e, i))}. A batch is therefore a pure function of
 * (seed, epoch, batch number) — the same for any worker count or scheduling. Each batch is built by one
 * worker; up to {@code prefetch} batches are in flight, and the consumer receives them in order.
 *
 * <p>A worker's exception is rethrown to the consumer by {@code next()} as an
 * {@link IllegalStateException} with the original as cause. {@link #close()} stops the workers.
 * Usage: {@code try (var loader = new MultiCropLoader(ds, t, cfg)) { for (var it = loader.epoch(e); it.hasNext();) ... }}.
 */
public final class MultiCropLoader implements AutoCloseable {
    private final ImageDataset dataset;
    private final MultiCropTransform transform;
    private final LoaderConfig cfg;
    private final ExecutorService pool;
    private EpochIterator current;

    /**
     * @throws IllegalArgumentException if the dataset is smaller than one batch with dropLast, or empty
     */
    public MultiCropLoader(ImageDataset dataset, MultiCropTransform transform, LoaderConfig cfg) {
        if (dataset == null || transform == null || cfg == null)
            throw new IllegalArgumentException("dataset, transform and cfg must not be null");
        if (dataset.size() == 0) throw new IllegalArgumentException("dataset is empty");
        if (cfg.dropLast() && dataset.size() < cfg.batchSize())
            throw new IllegalArgumentException("batchSize must be <= the dataset size " + dataset.size() + " when dropLast, got " + cfg.batchSize());
        this.dataset = dataset;
        this.transform = transform;
        this.cfg = cfg;
        if (cfg.workers() == 0) {
            pool = null;
        } else {
            AtomicInteger n = new AtomicInteger();
            pool = Executors.newFixedThreadPool(cfg.workers(), r -> {
                Thread t = new Thread(r, "dino-augment-" + n.getAndIncrement());
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** @return batches per epoch: floor(size/B) with dropLast, else ceil(size/B). */
    public int batchesPerEpoch() {
        int n = dataset.size(), b = cfg.batchSize();
        return cfg.dropLast() ? n / b : (n + b - 1) / b;
    }

    /** @return the visiting order of epoch {@code epoch} ({@code int[size]}, a permutation of 0..size−1). */
    public int[] order(int epoch) {
        int n = dataset.size();
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = i;
        if (cfg.shuffle()) Seeds.shuffle(o, new Random(Seeds.derive(cfg.seed(), epoch, Seeds.SHUFFLE_INDEX)));
        return o;
    }

    /**
     * Starts epoch {@code epoch} and returns its batches in order. Starting another epoch cancels the
     * batches still in flight for the previous one.
     */
    public synchronized Iterator<MultiCropBatch> epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /**
     * Starts epoch {@code epoch} at batch {@code from} (resuming inside an epoch: the batches before it are not
     * built, since a batch depends only on (seed, epoch, batch number)) and returns the rest of its batches in order.
     *
     * @throws IllegalArgumentException if {@code from} is not in {@code [0, batchesPerEpoch()]}
     */
    public synchronized Iterator<MultiCropBatch> epoch(int epoch, int from) {
        if (from < 0 || from > batchesPerEpoch())
            throw new IllegalArgumentException("from must be in [0, " + batchesPerEpoch() + "], got " + from);
        if (current != null) current.cancel();
        current = new EpochIterator(epoch, from);
        return current;
    }

    /** Stops the workers; pending batches are dropped. */
    @Override
    public synchronized void close() {
        if (current != null) current.cancel();
        if (pool != null) pool.shutdownNow();
    }

    private MultiCropBatch build(int epoch, int[] order, int k) {
        int b = cfg.batchSize();
        int from = k * b, to = Math.min(order.length, from + b);
        int[] idx = new int[to - from];
        System.arraycopy(order, from, idx, 0, idx.length);
        return transform.batch(dataset, idx, cfg.seed(), epoch);
    }

    private final class EpochIterator implements Iterator<MultiCropBatch> {
        private final int epoch;
        private final int[] order;
        private final int total;
        private final ArrayDeque<Future<MultiCropBatch>> inFlight = new ArrayDeque<>();
        private int submitted, delivered;

        EpochIterator(int epoch, int from) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.total = batchesPerEpoch();
            this.submitted = from;
            this.delivered = from;
            fill();
        }

        private void fill() {
            if (pool == null) return;
            while (submitted < total && inFlight.size() < cfg.prefetch()) {
                final int k = submitted++;
                inFlight.add(pool.submit(() -> build(epoch, order, k)));
            }
        }

        @Override
        public boolean hasNext() {
            return delivered < total;
        }

        @Override
        public MultiCropBatch next() {
            if (!hasNext()) throw new NoSuchElementException("epoch " + epoch + " has " + total + " batches");
            int k = delivered++;
            if (pool == null) return build(epoch, order, k);
            Future<MultiCropBatch> f = inFlight.poll();
            if (f == null) throw new IllegalStateException("loader was closed or epoch " + epoch + " was superseded");
            try {
                MultiCropBatch result = f.get();
                fill();
                return result;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for batch " + k + " of epoch " + epoch, e);
            } catch (ExecutionException e) {
                cancel();
                throw new IllegalStateException("augmentation worker failed on batch " + k + " of epoch " + epoch
                        + ": " + e.getCause(), e.getCause());
            } catch (CancellationException e) {
                throw new IllegalStateException("batch " + k + " of epoch " + epoch + " was cancelled (loader closed?)", e);
            }
        }

        void cancel() {
            for (Future<MultiCropBatch> f : inFlight) f.cancel(true);
            inFlight.clear();
            submitted = total;
        }
    }
}

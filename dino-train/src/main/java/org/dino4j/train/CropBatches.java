package org.dino4j.train;

import java.util.Iterator;

/**
 * The training data as epochs of multi-crop batches. Batch {@code i} of epoch {@code e} must depend only on
 * (seed, e, i) — this is what makes a resumed run reproduce an uninterrupted one.
 */
public interface CropBatches extends AutoCloseable {
    /** B, images per batch. */
    int batchSize();

    /** N, local crops per image. */
    int numLocal();

    /** Batches per epoch (drop-last). */
    int itersPerEpoch();

    /** The batches {@code from, from+1, …, itersPerEpoch()−1} of epoch {@code epoch}. */
    Iterator<CropBatch> epoch(int epoch, int from);

    @Override
    void close();
}

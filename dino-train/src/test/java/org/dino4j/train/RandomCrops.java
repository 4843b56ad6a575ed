package org.dino4j.train;

import org.nd4j.linalg.factory.Nd4j;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/** Test data: batch i of epoch e is Gaussian noise drawn from (seed, e, i) only. */
final class RandomCrops implements CropBatches {
    private final long seed;
    private final int b, n, ipe;

    RandomCrops(long seed, int batch, int numLocal, int itersPerEpoch) {
        this.seed = seed;
        this.b = batch;
        this.n = numLocal;
        this.ipe = itersPerEpoch;
    }

    @Override
    public int batchSize() {
        return b;
    }

    @Override
    public int numLocal() {
        return n;
    }

    @Override
    public int itersPerEpoch() {
        return ipe;
    }

    static float[] noise(SplittableRandom r, int len) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    @Override
    public Iterator<CropBatch> epoch(int epoch, int from) {
        return new Iterator<>() {
            int i = from;

            @Override
            public boolean hasNext() {
                return i < ipe;
            }

            @Override
            public CropBatch next() {
                if (!hasNext()) throw new NoSuchElementException();
                SplittableRandom r = new SplittableRandom(seed * 1_000_003L + epoch * 10_007L + i++);
                return new CropBatch(Nd4j.create(noise(r, 2 * b * 16 * 16), new long[]{2L * b, 1, 16, 16}, 'c'),
                        n == 0 ? null : Nd4j.create(noise(r, n * b * 8 * 8), new long[]{(long) n * b, 1, 8, 8}, 'c'),
                        new int[b]);
            }
        };
    }

    @Override
    public void close() {
    }
}

package org.dino4j.augment;

import org.dino4j.augment.transform.Checks;

/**
 * Settings of the prefetching {@link MultiCropLoader}.
 *
 * @param batchSize B, images per batch, &ge; 1
 * @param seed      run seed; batches depend only on (seed, epoch), never on {@code workers}
 * @param workers   background threads, &ge; 0 (0 = build batches on the consumer's thread)
 * @param prefetch  batches built ahead of the consumer, &ge; 1 (bounded memory: at most this many wait)
 * @param shuffle   whether each epoch visits the images in a permutation drawn from (seed, epoch)
 * @param dropLast  whether an epoch is {@code floor(size/B)} batches (true, the default) or
 *                  {@code ceil(size/B)} with a smaller last batch
 */
public record LoaderConfig(int batchSize, long seed, int workers, int prefetch, boolean shuffle, boolean dropLast) {
    /** Validates; a bad value throws {@link IllegalArgumentException} naming the field. */
    public LoaderConfig {
        Checks.atLeast("batchSize", batchSize, 1);
        Checks.atLeast("workers", workers, 0);
        Checks.atLeast("prefetch", prefetch, 1);
    }

    /** Training defaults: shuffle, drop last, 2 workers, prefetch 4. */
    public static LoaderConfig training(int batchSize, long seed) {
        return new LoaderConfig(batchSize, seed, 2, 4, true, true);
    }

    /** @return a copy with another worker count. */
    public LoaderConfig withWorkers(int w) {
        return new LoaderConfig(batchSize, seed, w, Math.max(prefetch, w), shuffle, dropLast);
    }
}

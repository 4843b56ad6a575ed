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
        return builder().batchSize(batchSize).seed(seed).build();
    }

    /** @return a copy with another worker count. */
    public LoaderConfig withWorkers(int w) {
        return toBuilder().workers(w).prefetch(Math.max(prefetch, w)).build();
    }

    /** @return a builder starting from the training defaults: batch 64, seed 0, 2 workers, prefetch 4, shuffle, drop last */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this record's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A {@link LoaderConfig} under construction: starts from the defaults or from a record, validated by {@link #build()}. */
    public static final class Builder {
        private int batchSize = 64;
        private long seed;
        private int workers = 2;
        private int prefetch = 4;
        private boolean shuffle = true;
        private boolean dropLast = true;

        private Builder() {
        }

        private Builder(LoaderConfig r) {
            batchSize = r.batchSize;
            seed = r.seed;
            workers = r.workers;
            prefetch = r.prefetch;
            shuffle = r.shuffle;
            dropLast = r.dropLast;
        }

        /** Sets {@link LoaderConfig#batchSize()}; returns this builder. */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /** Sets {@link LoaderConfig#seed()}; returns this builder. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** Sets {@link LoaderConfig#workers()}; returns this builder. */
        public Builder workers(int v) {
            workers = v;
            return this;
        }

        /** Sets {@link LoaderConfig#prefetch()}; returns this builder. */
        public Builder prefetch(int v) {
            prefetch = v;
            return this;
        }

        /** Sets {@link LoaderConfig#shuffle()}; returns this builder. */
        public Builder shuffle(boolean v) {
            shuffle = v;
            return this;
        }

        /** Sets {@link LoaderConfig#dropLast()}; returns this builder. */
        public Builder dropLast(boolean v) {
            dropLast = v;
            return this;
        }

        /** Builds and validates the record (the record's constructor throws on a bad value, naming the field). */
        public LoaderConfig build() {
            return new LoaderConfig(batchSize, seed, workers, prefetch, shuffle, dropLast);
        }
    }
}

package org.dino4j.train.config;

import org.dino4j.augment.MultiCropConfig;

/**
 * Data and multi-crop augmentation (Caron et al. 2021, §3.1 "multi-crop"; official {@code --global_crops_scale},
 * {@code --local_crops_scale}, {@code --local_crops_number}).
 *
 * @param source        {@code synthetic}, {@code idx:DIR} (MNIST/Fashion-MNIST IDX files) or {@code images:DIR}
 *                      (one sub-folder per class).
 * @param batchSize     images per step (each image contributes all its crops); official 64 per GPU.
 * @param imageSize     side of the images of {@code synthetic} and {@code images:DIR} (folder images are resized);
 *                      IDX images keep their own size (28).
 * @param channels      1 (grayscale) or 3 (RGB) for {@code synthetic} and {@code images:DIR}; IDX is grayscale.
 * @param crops         the multi-crop recipe, dino-augment's {@link MultiCropConfig} field for field (YAML section
 *                      {@code data.crops}: {@code global1}, {@code global2}, {@code local} views with size, crop-area
 *                      scale range and blur/solarize probabilities, {@code numLocal}, aspect ratios, flip, colour
 *                      jitter, grayscale, blur σ range, {@code normalization} (also applied to evaluation images) and
 *                      the optional {@code rotationDegrees}, not in DINO's recipe, 0 = off).
 * @param syntheticSize number of training images generated for {@code synthetic} (ignored otherwise).
 * @param heldOut       labelled images held out of training for the online/final k-NN queries (from the test split
 *                      when the source has one, otherwise taken from the training images).
 * @param workers       background threads of the prefetching loader (0 = load on the training thread).
 * @param trainLimit    training-set budget: train on the first N training images only (after the held-out split, in
 *                      the source's order, so every run with the same N sees the same images); 0 = all; N larger than
 *                      the training set = all. Not in the paper: a way to run short, comparable experiments (e.g. an
 *                      ablation) on a large set; an epoch is then ⌊min(N, train size) / batchSize⌋ steps.
 */
public record DataConfig(String source, int batchSize, int imageSize, int channels, MultiCropConfig crops,
                         int syntheticSize, int heldOut, int workers, int trainLimit) {

    /** Validates every field. */
    public DataConfig {
        Checks.notNull("data.source", source);
        if (!(source.equals("synthetic") || (source.startsWith("idx:") && source.length() > 4)
                || (source.startsWith("images:") && source.length() > 7))) {
            throw new IllegalArgumentException("data.source must be synthetic, idx:DIR or images:DIR, got \"" + source + "\"");
        }
        Checks.positive("data.batchSize", batchSize);
        Checks.positive("data.imageSize", imageSize);
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("data.channels must be 1 or 3, got " + channels);
        Checks.notNull("data.crops", crops);
        Checks.positive("data.syntheticSize", syntheticSize);
        Checks.nonNegative("data.heldOut", heldOut);
        Checks.nonNegative("data.workers", workers);
        Checks.nonNegative("data.trainLimit", trainLimit);
    }

    /** @return a builder starting from the defaults of the {@code default} preset's data section */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this record's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A {@link DataConfig} under construction: starts from the defaults or from a record, validated by {@link #build()}. */
    public static final class Builder {
        private String source = "synthetic";
        private int batchSize = 64;
        private int imageSize = 28;
        private int channels = 1;
        private MultiCropConfig crops = MultiCropConfig.preset28().toBuilder().numLocal(8).build();
        private int syntheticSize = 10_000;
        private int heldOut = 1000;
        private int workers = 2;
        private int trainLimit;

        private Builder() {
        }

        private Builder(DataConfig r) {
            source = r.source;
            batchSize = r.batchSize;
            imageSize = r.imageSize;
            channels = r.channels;
            crops = r.crops;
            syntheticSize = r.syntheticSize;
            heldOut = r.heldOut;
            workers = r.workers;
            trainLimit = r.trainLimit;
        }

        /** Sets {@link DataConfig#source()}; returns this builder. */
        public Builder source(String v) {
            source = v;
            return this;
        }

        /** Sets {@link DataConfig#batchSize()}; returns this builder. */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /** Sets {@link DataConfig#imageSize()}; returns this builder. */
        public Builder imageSize(int v) {
            imageSize = v;
            return this;
        }

        /** Sets {@link DataConfig#channels()}; returns this builder. */
        public Builder channels(int v) {
            channels = v;
            return this;
        }

        /** Sets {@link DataConfig#crops()}; returns this builder. */
        public Builder crops(MultiCropConfig v) {
            crops = v;
            return this;
        }

        /** Sets {@link DataConfig#syntheticSize()}; returns this builder. */
        public Builder syntheticSize(int v) {
            syntheticSize = v;
            return this;
        }

        /** Sets {@link DataConfig#heldOut()}; returns this builder. */
        public Builder heldOut(int v) {
            heldOut = v;
            return this;
        }

        /** Sets {@link DataConfig#workers()}; returns this builder. */
        public Builder workers(int v) {
            workers = v;
            return this;
        }

        /** Sets {@link DataConfig#trainLimit()}; returns this builder. */
        public Builder trainLimit(int v) {
            trainLimit = v;
            return this;
        }

        /** Builds and validates the record (the record's constructor throws on a bad value, naming the field). */
        public DataConfig build() {
            return new DataConfig(source, batchSize, imageSize, channels, crops, syntheticSize, heldOut, workers, trainLimit);
        }
    }
}

package org.dino4j.train.config;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/**
 * Data and multi-crop augmentation (Caron et al. 2021, §3.1 "multi-crop"; official {@code --global_crops_scale},
 * {@code --local_crops_scale}, {@code --local_crops_number}).
 *
 * @param source          {@code synthetic}, {@code idx:DIR} (MNIST/Fashion-MNIST IDX files) or {@code images:DIR}
 *                        (one sub-folder per class).
 * @param batchSize       images per step (each image contributes all its crops); official 64 per GPU.
 * @param imageSize       side of the images of {@code synthetic} and {@code images:DIR} (folder images are resized);
 *                        IDX images keep their own size (28).
 * @param channels        1 (grayscale) or 3 (RGB) for {@code synthetic} and {@code images:DIR}; IDX is grayscale.
 * @param globalCropSize  side of the 2 global crops in pixels (official 224; small 28).
 * @param localCropSize   side of the local crops (official 96; small 12).
 * @param localCrops      number N of local crops per image (official 8; reference config 6; 0 disables multi-crop).
 * @param globalScaleMin  lower bound of the random-resized-crop area fraction for global crops (official 0.4).
 * @param globalScaleMax  upper bound for global crops (official 1.0).
 * @param localScaleMin   lower bound for local crops (official 0.05).
 * @param localScaleMax   upper bound for local crops (official 0.4).
 * @param blurSigmaMax    largest Gaussian-blur σ in pixels (official 2.0, meant for 224-pixel images; smaller
 *                        values suit 28-pixel data). The smallest σ is 0.1 as in the official recipe.
 * @param syntheticSize   number of training images generated for {@code synthetic} (ignored otherwise).
 * @param heldOut         labelled images held out of training for the online/final k-NN queries (from the test
 *                        split when the source has one, otherwise taken from the training images).
 * @param workers         background threads of the prefetching loader (0 = load on the training thread).
 * @param trainLimit      training-set budget: train on the first N training images only (after the held-out split,
 *                        in the source's order, so every run with the same N sees the same images); 0 (default) =
 *                        all; N larger than the training set = all. Not in the paper: a way to run short,
 *                        comparable experiments (e.g. an ablation) on a large set; an epoch is then
 *                        ⌊min(N, train size) / batchSize⌋ steps. Missing in a file or an older checkpoint = 0.
 * @param rotationDegrees largest random rotation of every crop, in degrees, in [0, 180] (YAML
 *                        {@code data.rotationDegrees}): each view's crop box is turned by θ ~ U(−r, +r) about its
 *                        centre before resampling (edge pixels repeat outside the image). Default 0 = off; the
 *                        synthetic presets ({@code synthetic-quick}, {@code synthetic-long}, {@code vit-tiny28}) use 180. Not in the official recipe; useful when classes are rotation-invariant, e.g. the
 *                        synthetic shapes (drawn at a uniformly random angle). With 0 the crops are exactly those
 *                        of the recipe without the option. Missing in a file or an older checkpoint = 0.
 */
public record DataConfig(String source, int batchSize, int imageSize, int channels, int globalCropSize,
                         int localCropSize, int localCrops, double globalScaleMin, double globalScaleMax,
                         double localScaleMin, double localScaleMax, double blurSigmaMax, int syntheticSize,
                         int heldOut, int workers,
                         @JsonSetter(nulls = Nulls.AS_EMPTY) int trainLimit,
                         @JsonSetter(nulls = Nulls.AS_EMPTY) double rotationDegrees) {

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
        Checks.positive("data.globalCropSize", globalCropSize);
        Checks.positive("data.localCropSize", localCropSize);
        Checks.nonNegative("data.localCrops", localCrops);
        Checks.closed("data.globalScaleMin", globalScaleMin, Double.MIN_VALUE, 1);
        Checks.closed("data.globalScaleMax", globalScaleMax, Double.MIN_VALUE, 1);
        if (globalScaleMin > globalScaleMax) {
            throw new IllegalArgumentException("data.globalScaleMin must be <= data.globalScaleMax (" + globalScaleMax + "), got " + globalScaleMin);
        }
        Checks.closed("data.localScaleMin", localScaleMin, Double.MIN_VALUE, 1);
        Checks.closed("data.localScaleMax", localScaleMax, Double.MIN_VALUE, 1);
        if (localScaleMin > localScaleMax) {
            throw new IllegalArgumentException("data.localScaleMin must be <= data.localScaleMax (" + localScaleMax + "), got " + localScaleMin);
        }
        if (!(blurSigmaMax >= 0.1) || !Double.isFinite(blurSigmaMax)) {
            throw new IllegalArgumentException("data.blurSigmaMax must be >= 0.1 (the smallest σ), got " + blurSigmaMax);
        }
        Checks.positive("data.syntheticSize", syntheticSize);
        Checks.nonNegative("data.heldOut", heldOut);
        Checks.nonNegative("data.workers", workers);
        Checks.nonNegative("data.trainLimit", trainLimit);
        if (!(rotationDegrees >= 0 && rotationDegrees <= 180)) {
            throw new IllegalArgumentException("data.rotationDegrees must be in [0, 180], got " + rotationDegrees);
        }
    }

    /** @return this config with another number of synthetic training images (the other fields kept) */
    public DataConfig withSyntheticSize(int n) {
        return new DataConfig(source, batchSize, imageSize, channels, globalCropSize, localCropSize, localCrops,
                globalScaleMin, globalScaleMax, localScaleMin, localScaleMax, blurSigmaMax, n, heldOut, workers,
                trainLimit, rotationDegrees);
    }

    /** The same config without a training-set budget ({@code trainLimit} 0 = all training images) or rotation. */
    public DataConfig(String source, int batchSize, int imageSize, int channels, int globalCropSize,
                      int localCropSize, int localCrops, double globalScaleMin, double globalScaleMax,
                      double localScaleMin, double localScaleMax, double blurSigmaMax, int syntheticSize,
                      int heldOut, int workers) {
        this(source, batchSize, imageSize, channels, globalCropSize, localCropSize, localCrops, globalScaleMin,
                globalScaleMax, localScaleMin, localScaleMax, blurSigmaMax, syntheticSize, heldOut, workers, 0, 0.0);
    }
}

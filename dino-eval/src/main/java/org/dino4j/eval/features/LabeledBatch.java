package org.dino4j.eval.features;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One batch of images with labels, as fed to {@link Features#extract}.
 *
 * @param images images {@code [B, C, H, W]} float32, channels-first (the project's image convention)
 * @param labels class labels {@code int[B]}
 */
public record LabeledBatch(INDArray images, int[] labels) {
    /** Validates presence and matching batch size. */
    public LabeledBatch {
        if (images == null) {
            throw new IllegalArgumentException("images is missing (null)");
        }
        if (labels == null) {
            throw new IllegalArgumentException("labels are missing (null) for a batch of "
                    + images.size(0) + " images");
        }
        if (images.rank() < 1 || images.size(0) != labels.length) {
            throw new IllegalArgumentException("labels has " + labels.length + " entries but images has "
                    + (images.rank() < 1 ? 0 : images.size(0)) + " rows");
        }
    }
}

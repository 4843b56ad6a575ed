package org.dino4j.augment;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One multi-crop batch in the project's view-major order (docs/CONTRACTS.md): rows {@code [v·B, (v+1)·B)}
 * hold view v of images 0..B−1.
 *
 * @param globals the two global views, float32 {@code [2B, C, Hg, Wg]} (rows 0..B−1 view 1, B..2B−1 view 2)
 * @param locals  the N local views, float32 {@code [N·B, C, Hl, Wl]}; {@code null} when N = 0
 * @param labels  class labels {@code [B]} (for evaluation only; training must not use them)
 * @param indices dataset indices {@code [B]} of the images, in row order
 */
public record MultiCropBatch(INDArray globals, INDArray locals, int[] labels, int[] indices) {
    /** @return B, the number of source images. */
    public int batchSize() {
        return labels.length;
    }

    /** @return N, the number of local views per image. */
    public int numLocal() {
        return locals == null ? 0 : (int) (locals.size(0) / labels.length);
    }
}

package org.dino4j.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training batch of B images in the view-major multi-crop layout (docs/CONTRACTS.md).
 *
 * @param globals global crops {@code [2B, C, Hg, Wg]}.
 * @param locals  local crops {@code [N·B, C, Hl, Wl]}, null when N = 0.
 * @param labels  labels {@code [B]} (never used by training; carried for monitoring).
 */
public record CropBatch(INDArray globals, INDArray locals, int[] labels) {
    /** Checks presence. */
    public CropBatch {
        if (globals == null) throw new IllegalArgumentException("globals must be set, got null");
    }
}

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

    /**
     * Frees the crops' off-heap memory now instead of whenever the Java GC collects them (the step copies them into
     * its own arrays, so nothing reads them afterwards). Arrays that are views or that ND4J does not allow to be
     * closed are left to the GC.
     */
    public void release() {
        for (INDArray a : new INDArray[] {globals, locals}) {
            if (a != null && a.closeable()) {
                a.close();
            }
        }
    }
}

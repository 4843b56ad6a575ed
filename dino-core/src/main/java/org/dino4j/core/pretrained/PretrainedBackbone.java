package org.dino4j.core.pretrained;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An imported backbone's inference: normalised images {@code [B, C, H, W]} (FLOAT, 'c' order) → features
 * {@code [B, D]}. Implementations keep their weights as ND4J arrays, reuse their work buffers between calls of the
 * same batch shape and are safe to call from several threads (calls are serialised).
 */
public interface PretrainedBackbone extends AutoCloseable {
    /**
     * @param images {@code [B, C, H, W]} normalised as the model expects (ImageNet mean/std for DINO)
     * @return features {@code [B, D]} (a new array)
     */
    INDArray features(INDArray images);

    /** @return D */
    int featureDim();

    /** @return image channels C */
    int inChannels();

    /** @return a one-line description of the architecture */
    String describe();

    /** Stops the kernel threads. */
    @Override
    void close();
}

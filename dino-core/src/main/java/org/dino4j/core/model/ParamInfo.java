package org.dino4j.core.model;

import java.util.Arrays;

/**
 * One trainable parameter of a {@link DinoModel}: its slice {@code [offset, offset+length)} of the flat
 * buffers {@code params()} / {@code gradients()} and its shape ('c' order inside the slice).
 *
 * @param name SameDiff variable name
 * @param offset first index in the flat {@code [1, P]} buffer
 * @param length number of elements
 * @param shape parameter shape (a defensive copy is kept)
 * @param weightDecay whether weight decay applies: false for biases, norm gains/biases and every parameter
 *        that is effectively 1-D (at most one dimension &gt; 1), as DINO's {@code get_params_groups}
 * @param lastLayer whether it belongs to the head's last layer (frozen during the first epoch in DINO)
 */
public record ParamInfo(String name, long offset, long length, long[] shape, boolean weightDecay,
                        boolean lastLayer) {

    /** Validates and copies the shape. */
    public ParamInfo {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name must be non-empty, got " + name);
        }
        if (offset < 0 || length < 1) {
            throw new IllegalArgumentException("offset must be >= 0 and length >= 1, got offset=" + offset
                    + " length=" + length);
        }
        shape = shape.clone();
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        if (n != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not have length " + length);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParamInfo p && p.name.equals(name) && p.offset == offset && p.length == length
                && Arrays.equals(p.shape, shape) && p.weightDecay == weightDecay && p.lastLayer == lastLayer;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Long.hashCode(offset);
    }

    @Override
    public String toString() {
        return "ParamInfo[" + name + " @" + offset + "+" + length + " " + Arrays.toString(shape)
                + (weightDecay ? " decay" : "") + (lastLayer ? " last" : "") + "]";
    }

    /**
     * The description of a {@link DinoModel} parameter, with DINO's rules for weight decay (official
     * {@code get_params_groups}: no decay for biases and tensors with one non-trivial dimension; here also GroupNorm
     * gains/biases and LayerNorm gains/biases by name; the ViT's cls token and position embeddings are 3-D there, so
     * they are decayed) and for the head's last layer (names containing {@link DinoHead#LAST_LAYER}).
     *
     * @param name variable name
     * @param offset first index in the flat buffer
     * @param length number of elements
     * @param shape parameter shape
     * @return the description
     */
    static ParamInfo of(String name, long offset, long length, long[] shape) {
        int big = 0;
        for (long d : shape) {
            if (d > 1) {
                big++;
            }
        }
        boolean vitToken = name.equals(DinoModel.BACKBONE_SCOPE + "/cls_token") || name.equals(DinoModel.BACKBONE_SCOPE + "/cls_pos");
        boolean vector = big <= 1 && !vitToken;
        boolean decay = !vector && !name.endsWith("_b") && !name.contains("gn") && !name.endsWith("_gain")
                && !name.endsWith("_bias");
        return new ParamInfo(name, offset, length, shape, decay, name.contains(DinoHead.LAST_LAYER));
    }
}

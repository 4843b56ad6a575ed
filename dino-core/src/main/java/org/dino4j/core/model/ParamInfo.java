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
 * @param weightDecay whether weight decay applies, as the component that created the parameter declared it
 *        ({@link GraphScope#param}; DINO's {@code get_params_groups}: none on biases and normalisation parameters)
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
     * @param name        variable name
     * @param offset      first index in the flat buffer
     * @param shape       parameter shape
     * @param weightDecay whether weight decay applies (declared by the component that created it)
     * @param lastLayer   whether it belongs to the head's last layer
     * @return the description, its length the product of the shape
     */
    public static ParamInfo of(String name, long offset, long[] shape, boolean weightDecay, boolean lastLayer) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return new ParamInfo(name, offset, n, shape, weightDecay, lastLayer);
    }
}

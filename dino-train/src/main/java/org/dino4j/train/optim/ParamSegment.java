package org.dino4j.train.optim;

/**
 * One parameter tensor as the optimizer sees it: a contiguous range of the model's flat parameter (and gradient)
 * buffer.
 *
 * @param name      parameter name (for messages).
 * @param offset    first element in the flat buffer.
 * @param length    number of elements.
 * @param decay     whether weight decay applies (main_dino.py's {@code get_params_groups}: none on biases and
 *                  1-D / normalisation parameters).
 * @param lastLayer whether it belongs to the head's last layer (frozen during the first {@code freezeLastLayer} epochs).
 */
public record ParamSegment(String name, int offset, int length, boolean decay, boolean lastLayer) {
    /** Validates the range. */
    public ParamSegment {
        if (name == null) throw new IllegalArgumentException("name must be set, got null");
        if (offset < 0) throw new IllegalArgumentException("offset of " + name + " must be >= 0, got " + offset);
        if (length <= 0) throw new IllegalArgumentException("length of " + name + " must be > 0, got " + length);
    }

    /** One past the last element. */
    public int end() {
        return offset + length;
    }
}

package org.dino4j.core.pretrained.io;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major order, as read from or written to a checkpoint file.
 *
 * @param shape sizes (rank 0 = scalar)
 * @param data {@code prod(shape)} values, row-major
 */
public record Tensor(long[] shape, float[] data) {
    /** Validates that the data fits the shape; keeps the arrays (no copy). */
    public Tensor {
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative size in shape " + Arrays.toString(shape));
            }
            n *= s;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got "
                    + data.length);
        }
    }

    /**
     * @param ref a stored tensor
     * @return its values as float32
     */
    public static Tensor of(TensorRef ref) {
        return new Tensor(ref.shape(), ref.floats());
    }

    /** @return the number of elements */
    public int size() {
        return data.length;
    }

    /**
     * @param d dimension
     * @return size of dimension d
     */
    public long dim(int d) {
        return shape[d];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}

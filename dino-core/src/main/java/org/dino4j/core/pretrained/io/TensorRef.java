package org.dino4j.core.pretrained.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor stored in a checkpoint file, read on demand: element type, shape, strides and offset (in elements)
 * into a storage, as PyTorch describes a tensor ({@code torch._utils._rebuild_tensor_v2}); safetensors tensors
 * are dense (strides of a row-major array, offset 0). Reading converts to {@code float} (or {@code long}) in
 * row-major order. Only the bytes of the tensor's own storage are read.
 */
public final class TensorRef {

    /** Reads bytes of one storage. */
    @FunctionalInterface
    public interface Storage {
        /**
         * @param byteOffset first byte within the storage
         * @param length number of bytes
         * @return a buffer of exactly {@code length} bytes (position 0)
         * @throws IOException when the file cannot be read or is too short
         */
        ByteBuffer read(long byteOffset, int length) throws IOException;
    }

    private final DType dtype;
    private final long[] shape;
    private final long[] stride;
    private final long offset;
    private final Storage storage;
    private final String where;

    /**
     * @param dtype element type
     * @param shape sizes (rank 0 = scalar)
     * @param stride element strides, same rank as shape
     * @param offset element offset into the storage
     * @param storage the storage's bytes
     * @param where a description of the storage for error messages (file and entry)
     */
    public TensorRef(DType dtype, long[] shape, long[] stride, long offset, Storage storage, String where) {
        if (shape.length != stride.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " and stride "
                    + Arrays.toString(stride) + " differ in rank");
        }
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative size in shape " + Arrays.toString(shape));
            }
        }
        if (offset < 0) {
            throw new IllegalArgumentException("negative storage offset " + offset);
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.stride = stride.clone();
        this.offset = offset;
        this.storage = storage;
        this.where = where;
    }

    /**
     * @param shape sizes
     * @return row-major (contiguous) strides of {@code shape}
     */
    public static long[] contiguousStrides(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = s;
            s *= Math.max(1, shape[d]);
        }
        return st;
    }

    /** @return the element type */
    public DType dtype() {
        return dtype;
    }

    /** @return a copy of the shape */
    public long[] shape() {
        return shape.clone();
    }

    /** @return the number of elements */
    public long numel() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    /** @return the values converted to float, row-major */
    public float[] floats() {
        long n = numel();
        if (dtype == DType.F32 && n > 0 && n < Integer.MAX_VALUE / 4
                && java.util.Arrays.equals(stride, contiguousStrides(shape))) {
            try {
                float[] f = new float[(int) n];
                storage.read(offset * 4, (int) n * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
                return f;
            } catch (IOException e) {
                throw new UncheckedIOException(where + ": " + e.getMessage(), e);
            }
        }
        double[] d = doubles();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** @return the values as double, row-major (exact for every stored type except 64-bit integers above 2^53) */
    public double[] doubles() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of " + n + " elements in " + where + " is too large");
        }
        double[] out = new double[(int) n];
        if (n == 0) {
            return out;
        }
        // the span of storage elements the tensor touches
        long max = offset;
        for (int d = 0; d < shape.length; d++) {
            max += (shape[d] - 1) * stride[d];
        }
        long spanBytes = (max - offset + 1) * dtype.bytes();
        if (spanBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor in " + where + " spans more than 2 GiB");
        }
        ByteBuffer b;
        try {
            b = storage.read(offset * dtype.bytes(), (int) spanBytes).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(where + ": " + e.getMessage(), e);
        }
        int[] idx = new int[shape.length];
        for (int i = 0; i < out.length; i++) {
            long e = 0;
            for (int d = 0; d < shape.length; d++) {
                e += idx[d] * stride[d];
            }
            out[i] = dtype.get(b, (int) e);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "tensor " + dtype + Arrays.toString(shape);
    }
}

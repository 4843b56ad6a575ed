package org.dino4j.core.util;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Locale;
import org.dino4j.core.KernelOptions;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Direct host-memory access to ND4J arrays for the Java kernels, and the single backend switch.
 *
 * <p>The kernels read and write an array's memory through {@link #floats(INDArray)}: a {@link FloatBuffer} over
 * the whole underlying data buffer, indexed absolutely from {@link #base(INDArray)} (= {@code arr.offset()}, the
 * element offset of a view). This is only valid for arrays whose elements are laid out densely in 'c' order
 * ({@link #isCContiguous(INDArray)}), which the kernels check.
 *
 * <p><b>Backend switch</b> ({@link #hostKernels()}): the Java kernels run only where array memory is host
 * resident, i.e. on the ND4J CPU backend. Elsewhere (CUDA) every kernel falls back to ND4J ops.
 * {@link KernelOptions#kernels()} ({@code -Ddino4j.kernels=host|nd4j|auto} on the command line) overrides the choice,
 * which is made on the first call of {@link #hostKernels()}.
 */
public final class HostArrays {

    private HostArrays() {
    }

    /** Holds the backend switch: initialised on first use, a constant to the JIT from then on. */
    private static final class Switch {
        static final boolean HOST_KERNELS = switch (KernelOptions.inForce().kernels()) {
            case HOST -> true;
            case ND4J -> false;
            case AUTO -> isCpuBackend();
        };
    }

    /** @return whether the active ND4J backend keeps array data in host memory (the CPU backend) */
    public static boolean isCpuBackend() {
        String name = Nd4j.getBackend().getClass().getName().toLowerCase(Locale.ROOT);
        return name.contains("cpu") || name.contains("nativecpu");
    }

    /** @return true when the Java host-memory kernels are used, false for the ND4J-op fallback */
    public static boolean hostKernels() {
        return Switch.HOST_KERNELS;
    }

    /**
     * Whether the array's elements are dense in 'c' order, so element {@code i} of its row-major flattening sits
     * at {@code offset() + i} of the data buffer. Dimensions of size 1 may have any stride.
     */
    public static boolean isCContiguous(INDArray a) {
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expect = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expect) {
                return false;
            }
            expect *= shape[d];
        }
        return true;
    }

    /** Whether the array's elements are dense in 'f' order (column-major); dimensions of size 1 may have any stride. */
    public static boolean isFContiguous(INDArray a) {
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expect = 1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] != 1 && stride[d] != expect) {
                return false;
            }
            expect *= shape[d];
        }
        return true;
    }

    /**
     * Whether a Java kernel can work on {@code a} directly: host kernels enabled, the given type, 'c'-contiguous,
     * and addressable by {@code int} indices.
     */
    public static boolean hostReady(INDArray a, DataType type) {
        return Switch.HOST_KERNELS && a.dataType() == type && isCContiguous(a)
                && a.offset() + a.length() <= Integer.MAX_VALUE;
    }

    /** @return the element offset of {@code a} in the buffers returned by {@link #floats}/{@link #doubles} */
    public static int base(INDArray a) {
        return Math.toIntExact(a.offset());
    }

    /**
     * @return a buffer over all of {@code a}'s underlying FLOAT memory (absolute indices; add {@link #base})
     * @throws IllegalArgumentException if {@code a} is not FLOAT
     */
    public static FloatBuffer floats(INDArray a) {
        if (a.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("expected a FLOAT array, got " + a.dataType());
        }
        return a.data().asNioFloat();
    }

    /**
     * Whether {@code a}'s elements can be addressed by {@code int} byte offsets in {@link #bytes} (offset and
     * length within 2 GiB).
     */
    public static boolean byteAddressable(INDArray a) {
        return (a.offset() + a.length()) * a.dataType().width() <= Integer.MAX_VALUE;
    }

    /**
     * @return a native-order byte view of all of {@code a}'s underlying memory (absolute: element {@code i} of a
     *         'c'-contiguous FLOAT array at byte {@code 4·(base(a) + i)}); one small wrapper object per call, so
     *         hot paths cache it per data buffer
     */
    public static ByteBuffer bytes(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder());
    }

    /**
     * @return a buffer over all of {@code a}'s underlying DOUBLE memory (absolute indices; add {@link #base})
     * @throws IllegalArgumentException if {@code a} is not DOUBLE
     */
    public static DoubleBuffer doubles(INDArray a) {
        if (a.dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException("expected a DOUBLE array, got " + a.dataType());
        }
        return a.data().asNioDouble();
    }

    /**
     * Checks that {@code a} is a rank-2 array and returns its shape.
     *
     * @param name the argument name used in the exception message
     * @throws IllegalArgumentException if {@code a} is null or not rank 2
     */
    public static long[] requireMatrix(INDArray a, String name) {
        if (a == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (a.rank() != 2) {
            throw new IllegalArgumentException(name + " must be rank 2 [rows, K], got shape "
                    + java.util.Arrays.toString(a.shape()));
        }
        return a.shape();
    }

    /**
     * Checks that {@code t} is finite and {@code > 0}.
     *
     * @throws IllegalArgumentException naming {@code name} and the value otherwise
     */
    public static void requirePositive(double t, String name) {
        if (!(t > 0) || Double.isInfinite(t)) {
            throw new IllegalArgumentException(name + " must be > 0 and finite, got " + t);
        }
    }
}

package org.dino4j.train.optim;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.util.List;

/** Direct access to the float memory of a contiguous flat INDArray (no copy), and layout checks. */
public final class FlatBuffers {
    private FlatBuffers() {}

    /**
     * A {@link FloatBuffer} over the whole underlying data buffer of {@code a}; element {@code i} of {@code a} is
     * at index {@code a.offset() + i}.
     *
     * @throws IllegalArgumentException if {@code a} is not a float32, contiguous array.
     */
    public static FloatBuffer floats(INDArray a, String what) {
        if (a.dataType() != DataType.FLOAT) throw new IllegalArgumentException(what + " must be FLOAT, got " + a.dataType());
        if (a.length() > 1 && (a.elementWiseStride() != 1 || !(a.isRowVectorOrScalar() || a.isColumnVector()
                || a.ordering() == 'c'))) {
            throw new IllegalArgumentException(what + " must be a contiguous flat array, got shape "
                    + java.util.Arrays.toString(a.shape()) + " order " + a.ordering() + " ews " + a.elementWiseStride());
        }
        return a.data().asNioFloat();
    }

    /** Element offset of {@code a} inside its data buffer, checked to fit in an int. */
    public static int offset(INDArray a) {
        return Math.toIntExact(a.offset());
    }

    /**
     * Checks that the segments are sorted, disjoint and cover {@code [0, size)} exactly.
     *
     * @throws IllegalArgumentException naming the first offending segment.
     */
    public static void checkLayout(List<ParamSegment> segments, long size) {
        long next = 0;
        for (ParamSegment s : segments) {
            if (s.offset() != next) {
                throw new IllegalArgumentException("parameter layout must cover the flat buffer contiguously: segment "
                        + s.name() + " starts at " + s.offset() + ", expected " + next);
            }
            next = s.end();
        }
        if (next != size) throw new IllegalArgumentException("parameter layout covers " + next + " elements, the flat buffer has " + size);
    }
}

package org.dino4j.core.optim;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import org.dino4j.core.model.ParamInfo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Direct access to the float memory of a contiguous flat array, and the layout check of the optimizers. */
final class FlatBuffers {
    private FlatBuffers() {
    }

    /**
     * A {@link FloatBuffer} over the whole data buffer of {@code a}; element {@code i} of {@code a} is at
     * {@code offset(a) + i}.
     *
     * @throws IllegalArgumentException if {@code a} is not FLOAT, not contiguous or not {@code size} long
     */
    static FloatBuffer floats(INDArray a, String what, long size) {
        if (a.dataType() != DataType.FLOAT) throw new IllegalArgumentException(what + " must be FLOAT, got " + a.dataType());
        if (a.length() != size) throw new IllegalArgumentException(what + " must have " + size + " elements, got " + a.length());
        if (a.length() > 1 && (a.elementWiseStride() != 1 || !(a.isRowVectorOrScalar() || a.isColumnVector()
                || a.ordering() == 'c'))) {
            throw new IllegalArgumentException(what + " must be a contiguous flat array, got shape "
                    + Arrays.toString(a.shape()) + " order " + a.ordering() + " ews " + a.elementWiseStride());
        }
        return a.data().asNioFloat();
    }

    /** Element offset of {@code a} in its data buffer, checked to fit an int. */
    static int offset(INDArray a) {
        return Math.toIntExact(a.offset());
    }

    /**
     * Checks that the tensors are sorted, disjoint and cover {@code [0, size)} contiguously.
     *
     * @return size, the number of parameters (checked to fit an int)
     * @throws IllegalArgumentException naming the first offending tensor
     */
    static int checkLayout(List<ParamInfo> params) {
        long next = 0;
        for (ParamInfo s : params) {
            if (s.offset() != next) {
                throw new IllegalArgumentException("parameters must cover the flat buffer contiguously: " + s.name()
                        + " starts at " + s.offset() + ", expected " + next);
            }
            next = s.offset() + s.length();
        }
        if (next > Integer.MAX_VALUE) throw new IllegalArgumentException("more than 2^31 parameters: " + next);
        return (int) next;
    }
}

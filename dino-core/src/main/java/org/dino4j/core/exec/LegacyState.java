package org.dino4j.core.exec;

import java.lang.reflect.Field;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.ScalarOp;

/**
 * The state a legacy (non-custom) ND4J op keeps in the op object rather than in its {@code OpContext} — reduction
 * dimensions and the scalar operand — as recorded for a plan. SameDiff sets it on the shared op object before each
 * session execution; a plan puts its own values back before each call, so sessions and plans of one graph can
 * alternate.
 */
final class LegacyState {
    private static final Field DIMENSIONS = field();

    private final DifferentialFunction op;
    private final INDArray dims;
    private final INDArray scalar;

    LegacyState(DifferentialFunction op, INDArray dims, INDArray scalar) {
        this.op = op;
        this.dims = dims;
        this.scalar = scalar;
    }

    private static Field field() {
        try {
            Field f = BaseOp.class.getDeclaredField("dimensionz");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this ND4J has no BaseOp.dimensionz: execution plans need ND4J 1.0.0-M2.1", e);
        }
    }

    void restore() {
        if (op instanceof BaseOp b && b.dimensions() != dims) {
            try {
                DIMENSIONS.set(b, dims);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        if (scalar != null && op instanceof ScalarOp s && s.scalar() != scalar) {
            s.setScalar(scalar);
        }
    }
}

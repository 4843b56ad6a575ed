package org.dino4j.core.exec;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A region of a SameDiff graph that an {@link ExecutionPlan} runs as one Java kernel instead of the region's
 * SameDiff ops: the graph still defines the computation (and the session still runs it), the kernel computes the
 * same function and its gradient in fewer passes over memory. A backbone declares its regions while it builds the
 * graph ({@link Fusions#add}).
 *
 * <p>Contract: the region's {@link #inputs()} are read only by the region's own forward ops (so the gradient
 * SameDiff computes for each input is the region's contribution alone; the plan checks this), and its
 * {@link #outputs()} are the region's results. In a gradient plan the kernel's {@link Instance#backward} writes
 * dL/d(input) for each input from dL/d(output), replacing every backward op of the region.
 */
public interface FusedOp {

    /** @return names of the variables the region reads (e.g. x, γ, β) */
    List<String> inputs();

    /** @return names of the variables the region produces (e.g. y) */
    List<String> outputs();

    /**
     * Whether the plan should lay out each output like the first input ('c' or 'f' order, same strides) rather than
     * as SameDiff's session did: element-wise kernels then walk all their arrays in one order.
     *
     * @return false by default
     */
    default boolean outputsLikeFirstInput() {
        return false;
    }

    /**
     * Binds the kernel to a plan's arrays (shapes fixed from now on).
     *
     * @param inputs arrays of {@link #inputs()}, in order
     * @param outputs arrays of {@link #outputs()}, in order, written by {@link Instance#forward}
     * @return the bound kernel
     * @throws UnsupportedOperationException when the kernel cannot handle these arrays (type, layout, backend): the
     *         plan then keeps the region's SameDiff ops
     */
    Instance bind(INDArray[] inputs, INDArray[] outputs);

    /** A kernel bound to fixed arrays; the backward pass may use state the forward pass left. */
    interface Instance {
        /** Computes the outputs from the inputs. */
        void forward();

        /**
         * Binds the backward pass: the returned task computes input gradients from output gradients, after
         * {@link #forward} of the same execution.
         *
         * @param outputGrads dL/d(output) for each output, in order
         * @param inputGrads arrays to write dL/d(input) into, in order; null entries are not needed
         * @return the backward task
         * @throws UnsupportedOperationException when the kernel cannot handle these arrays
         */
        Runnable backward(INDArray[] outputGrads, INDArray[] inputGrads);
    }
}

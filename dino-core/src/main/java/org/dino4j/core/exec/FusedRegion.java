package org.dino4j.core.exec;

import java.util.List;

/**
 * The naming half of a {@link FusedOp}: the region's input and output variable names, fixed at construction. A
 * fused kernel extends it and supplies {@link #bind}.
 */
public abstract class FusedRegion implements FusedOp {
    private final List<String> inputs;
    private final List<String> outputs;

    /**
     * @param inputs names of the variables the region reads
     * @param outputs names of the variables the region produces
     */
    protected FusedRegion(List<String> inputs, List<String> outputs) {
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
    }

    @Override
    public final List<String> inputs() {
        return inputs;
    }

    @Override
    public final List<String> outputs() {
        return outputs;
    }
}

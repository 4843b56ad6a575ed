package org.dino4j.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link DinoModel}'s parameters as one flat buffer {@code [1, P]} and its gradients as another, with a 'c'-ordered
 * view of each parameter's slice (the arrays the graphs' variables are bound to), in the graph's variable order.
 */
final class FlatParameters {
    final INDArray params;
    final INDArray gradients;
    final List<ParamInfo> infos;
    final List<String> names;
    private final INDArray[] paramViews;
    private final INDArray[] gradViews;

    /**
     * Lays out every VARIABLE of {@code sd} in order and copies its initial value into the flat buffer.
     *
     * @param sd           the reference graph
     * @param weightDecay  each parameter's declared weight decay ({@link GraphScope#param})
     * @param dataType     FLOAT or DOUBLE
     * @param owner        the backbone's name, for the message about an undeclared parameter
     */
    FlatParameters(SameDiff sd, Map<String, Boolean> weightDecay, DataType dataType, String owner) {
        List<ParamInfo> list = new ArrayList<>();
        long p = 0;
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                Boolean decay = weightDecay.get(v.name());
                if (decay == null) {
                    throw new IllegalStateException("parameter " + v.name() + " of " + owner
                            + " was not created through GraphScope.param (which declares its weight decay)");
                }
                ParamInfo pi = ParamInfo.of(v.name(), p, v.getShape(), decay, v.name().startsWith(GraphNames.LAST_LAYER_PREFIX));
                list.add(pi);
                p += pi.length();
            }
        }
        this.infos = Collections.unmodifiableList(list);
        this.names = list.stream().map(ParamInfo::name).toList();
        this.params = Nd4j.create(dataType, 1, p);
        this.gradients = Nd4j.create(dataType, 1, p);
        this.paramViews = new INDArray[list.size()];
        this.gradViews = new INDArray[list.size()];
        for (int i = 0; i < list.size(); i++) {
            paramViews[i] = view(params, list.get(i));
            paramViews[i].assign(sd.getArrForVarName(list.get(i).name()));
            gradViews[i] = view(gradients, list.get(i));
        }
    }

    /** A 'c'-ordered view of {@code flat}'s slice for {@code pi}, with the parameter's shape. */
    private static INDArray view(INDArray flat, ParamInfo pi) {
        long[] shape = pi.shape();
        return Nd4j.create(flat.data(), shape, Nd4j.getStrides(shape, 'c'), pi.offset(), 'c', flat.dataType());
    }

    /** Points every parameter variable of {@code g} at its slice of the flat buffer. */
    void bind(SameDiff g) {
        for (int i = 0; i < infos.size(); i++) {
            g.associateArrayWithVariable(paramViews[i], infos.get(i).name());
        }
    }

    INDArray parameter(int i) {
        return paramViews[i];
    }

    INDArray gradient(int i) {
        return gradViews[i];
    }
}

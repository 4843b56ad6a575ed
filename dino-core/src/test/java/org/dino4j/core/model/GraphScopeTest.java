package org.dino4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** {@link GraphScope}: parameters with their declared weight decay, step inputs, scopes sharing declarations. */
class GraphScopeTest {

    @Test
    void parametersAreNamedUnderTheScopeAndKeepTheirDeclaredDecay() {
        SameDiff sd = SameDiff.create();
        GraphScope g = GraphScope.of(sd, "backbone", DataType.DOUBLE, new Random(1));
        SDVariable w = g.param("w", Init.fill(2, DataType.DOUBLE, 2, 3), true);
        g.child("blk0").param("bias_w", Init.fill(0, DataType.DOUBLE, 3), false);
        g.sibling("head").param("v", Init.fill(1, DataType.DOUBLE, 3, 4), true);
        assertEquals("backbone/w", w.name());
        assertEquals(VariableType.VARIABLE, w.getVariableType());
        assertEquals(Nd4j.valueArrayOf(new long[] {2, 3}, 2.0, DataType.DOUBLE), sd.getArrForVarName("backbone/w"));
        assertEquals(List.of("backbone/w", "backbone/blk0/bias_w", "head/v"), List.copyOf(g.weightDecay().keySet()));
        assertEquals(Map.of("backbone/w", true, "backbone/blk0/bias_w", false, "head/v", true), g.weightDecay());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.param("w", Init.fill(0, DataType.DOUBLE, 1), true));
        assertEquals("parameter backbone/w is already defined", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GraphScope.of(sd, "x", DataType.INT, new Random(1)));
    }

    @Test
    void stepInputsAreRecordedInOrderWithTheInputTheyFollow() {
        SameDiff sd = SameDiff.create();
        GraphScope g = GraphScope.of(sd, "backbone", DataType.FLOAT, new Random(1));
        SDVariable a = sd.placeHolder("a", DataType.FLOAT, -1, 2);
        SDVariable b = sd.placeHolder("b", DataType.FLOAT, -1, 2);
        SDVariable ma = g.stepInput("mask", a, 5, (rows, rng, dt) -> Nd4j.ones(dt, rows, 5));
        g.stepInput("mask_1", b, 5, (rows, rng, dt) -> Nd4j.zeros(dt, rows, 5));
        assertEquals(VariableType.PLACEHOLDER, ma.getVariableType());
        assertEquals(2, g.stepInputs().size());
        assertEquals("backbone/mask", g.stepInputs().get(0).name());
        assertEquals("a", g.stepInputs().get(0).input());
        assertEquals("b", g.stepInputs().get(1).input());
        assertEquals(Nd4j.zeros(DataType.FLOAT, 3, 5), g.stepInputs().get(1).values().values(3, null, DataType.FLOAT));
        assertTrue(g.stepInputs().get(0).values().values(2, new Random(0), DataType.FLOAT).eq(1).all());
    }

    /** A backbone that creates a parameter without declaring it is refused by the model, naming the parameter. */
    @Test
    void aModelRefusesUndeclaredParameters() {
        Backbone sneaky = new Backbone() {
            public String name() {
                return "sneaky";
            }

            public int inChannels() {
                return 1;
            }

            public int featureDim() {
                return 2;
            }

            public int minInputSize() {
                return 1;
            }

            public Instance define(GraphScope g) {
                SDVariable w = g.sd().var("backbone/w", Init.fill(1, g.dataType(), 1, 2));
                return x -> g.sd().mean(x, 2, 3).mmul(w);
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DinoModel.create(sneaky, DinoHeadConfig.builder().hiddenDim(4).bottleneckDim(2).outDim(3).build(), 1));
        assertTrue(e.getMessage().contains("backbone/w") && e.getMessage().contains("GraphScope.param"), e.getMessage());
    }
}

package org.dino4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ActivationsTest {
    static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    @Test
    void geluForwardAndGradientMatchTheFormula() {
        double[] xs = {-4, -2, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 2, 4};
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.createFromArray(xs));
        SDVariable y = Activations.gelu(sd, x);
        sd.sum("s", y);
        sd.setLossVariables("s");
        INDArray out = sd.output(Map.of(), y.name()).get(y.name());
        INDArray grad = sd.calculateGradients(Map.of(), "x").get("x");
        for (int i = 0; i < xs.length; i++) {
            assertEquals(gelu(xs[i]), out.getDouble(i), 1e-12, "gelu(" + xs[i] + ")");
            double h = 1e-6;
            double fd = (gelu(xs[i] + h) - gelu(xs[i] - h)) / (2 * h);
            assertEquals(fd, grad.getDouble(i), 1e-8, "gelu'(" + xs[i] + ")");
        }
        // the exact erf GELU at 1 is 0.841345; the tanh form is within 5e-4 of it
        assertEquals(0.841345, out.getDouble(8), 5e-4);
    }

    @Test
    void builtInPreciseGeluStillDiffersFromItsName() {
        // documents the M2.1 defect that Activations.gelu works around; if this starts failing, ND4J fixed it
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1);
        sd.nn.preciseGelu("p", x);
        double p1 = sd.output(Map.of("x", Nd4j.createFromArray(1.0)), "p").get("p").getDouble(0);
        assertTrue(Math.abs(p1 - gelu(1.0)) > 5e-3, "preciseGelu(1) = " + p1);
    }
}

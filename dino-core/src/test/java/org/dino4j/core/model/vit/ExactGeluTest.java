package org.dino4j.core.model.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.math3.special.Erf;
import org.dino4j.core.model.Activations;
import org.dino4j.core.model.GraphScope;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link VitConfig#exactGelu()}: the erf GELU's values and gradients, and the ViT built with it. */
class ExactGeluTest {

    @Test
    void exactGeluValuesAndGradientMatchDoubleFormulas() {
        SameDiff sd = SameDiff.create();
        double[] xs = {-5, -2.5, -1, -0.3, 0, 0.4, 1, 2, 6};
        SDVariable x = sd.var("x", Nd4j.createFromArray(xs));
        SDVariable y = Activations.geluExact(sd, x);
        sd.setLossVariables(y.sum());
        INDArray out = y.eval();
        Map<String, INDArray> g = sd.calculateGradients(Map.of(), List.of("x"));
        for (int i = 0; i < xs.length; i++) {
            double v = xs[i];
            double cdf = 0.5 * (1 + Erf.erf(v / Math.sqrt(2)));
            assertEquals(v * cdf, out.getDouble(i), 1e-12, "GELU(" + v + ")");
            double pdf = Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
            assertEquals(cdf + v * pdf, g.get("x").getDouble(i), 1e-12, "GELU'(" + v + ")");
        }
    }

    @Test
    void exactGeluViTDiffersFromTheTanhOneOnlyInTheActivation() {
        VitConfig tanh = VitConfig.builder().embedDim(8).depth(2).heads(2).mlpRatio(2.0).basePatchGrid(3).build();
        VitConfig erf = tanh.withExactGelu(true);
        assertTrue(erf.exactGelu() && !tanh.exactGelu());
        assertEquals(erf, erf.withDropPath(0.2).withDropPath(0.0), "withDropPath keeps the GELU form");
        INDArray[] f = new INDArray[2];
        int k = 0;
        for (VitConfig c : new VitConfig[] {tanh, erf}) {
            SameDiff sd = SameDiff.create();
            SDVariable in = sd.placeHolder("x", DataType.DOUBLE, -1, 1, -1, -1);
            SDVariable out = new VisionTransformer(c).define(GraphScope.of(sd, "vit", DataType.DOUBLE, new Random(1))).apply(in);
            Random noise = new Random(7);
            for (SDVariable v : sd.variables()) {
                if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
                    INDArray a = v.getArr();
                    double[] d = new double[(int) a.length()];
                    for (int i = 0; i < d.length; i++) {
                        d[i] = noise.nextDouble() - 0.5;
                    }
                    a.addi(Nd4j.createFromArray(d).reshape(a.shape()));
                }
            }
            Random r = new Random(2);
            double[] img = new double[2 * 12 * 12];
            for (int i = 0; i < img.length; i++) {
                img[i] = r.nextGaussian();
            }
            f[k++] = sd.output(Map.of("x", Nd4j.createFromArray(img).reshape(2, 1, 12, 12)), out.name()).get(out.name());
        }
        double rel = f[0].sub(f[1]).norm2Number().doubleValue() / f[1].norm2Number().doubleValue();
        assertTrue(rel > 1e-7 && rel < 1e-2, "same weights, tanh vs erf GELU: relative difference " + rel);
    }
}

package org.dino4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link DinoHead} against the head written as float64 loops (MLP with the tanh GELU, ℓ2 normalisation with its ε,
 * the weight-normalised last layer with and without a trainable gain), and the weight decay it declares.
 */
class DinoHeadTest {
    private static final int IN = 3;

    /** A head in DOUBLE with every parameter moved off its initial value (zero biases would hide a bias bug). */
    private static Map<String, INDArray> build(DinoHeadConfig cfg, SameDiff sd, GraphScope g) {
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, IN);
        DinoHead.Output out = DinoHead.define(g, IN, cfg).apply(x);
        out.embedding().rename("emb");
        out.logits().rename("logits");
        Random r = new Random(3);
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (String name : g.weightDecay().keySet()) {
            INDArray a = sd.getArrForVarName(name);
            for (long i = 0; i < a.length(); i++) {
                a.putScalar(i, a.getDouble(i) + 0.3 * r.nextGaussian());
            }
            params.put(name, a);
        }
        return params;
    }

    private static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    private static double[] linear(double[] h, INDArray w, INDArray b) {
        double[] o = new double[(int) w.size(1)];
        for (int j = 0; j < o.length; j++) {
            double s = b.getDouble(j);
            for (int i = 0; i < h.length; i++) {
                s += h[i] * w.getDouble(i, j);
            }
            o[j] = s;
        }
        return o;
    }

    @Test
    void forwardMatchesAFloat64Loop() {
        for (int layers : new int[] {1, 3}) {
            for (boolean normLastLayer : new boolean[] {true, false}) {
                DinoHeadConfig cfg = DinoHeadConfig.builder().hiddenDim(6).bottleneckDim(4).outDim(5).nLayers(layers)
                        .normLastLayer(normLastLayer).build();
                SameDiff sd = SameDiff.create();
                Map<String, INDArray> p = build(cfg, sd, GraphScope.of(sd, "head", DataType.DOUBLE, new Random(1)));
                Random r = new Random(4);
                double[][] x = new double[4][IN];
                for (double[] row : x) {
                    for (int i = 0; i < IN; i++) {
                        row[i] = r.nextGaussian();
                    }
                }
                Map<String, INDArray> out = sd.output(Map.of("x", Nd4j.createFromArray(x)), "emb", "logits");
                INDArray v = p.get("head/last_layer/weight_v");
                INDArray g = p.get("head/last_layer/weight_g");
                String what = layers + " layers, normLastLayer " + normLastLayer;
                for (int b = 0; b < x.length; b++) {
                    double[] h = x[b];
                    for (int i = 0; i < layers; i++) {
                        h = linear(h, p.get("head/mlp" + i + "_w"), p.get("head/mlp" + i + "_b"));
                        if (i < layers - 1) {
                            for (int j = 0; j < h.length; j++) {
                                h[j] = gelu(h[j]);
                            }
                        }
                    }
                    double n = 0;
                    for (double e : h) {
                        n += e * e;
                    }
                    n = Math.max(Math.sqrt(n), cfg.l2Eps());
                    for (int j = 0; j < h.length; j++) {
                        assertEquals(h[j] / n, out.get("emb").getDouble(b, j), 1e-12, "embedding, " + what);
                    }
                    for (int k = 0; k < cfg.outDim(); k++) {
                        double vn = 0;
                        double dot = 0;
                        for (int j = 0; j < h.length; j++) {
                            vn += v.getDouble(j, k) * v.getDouble(j, k);
                            dot += h[j] / n * v.getDouble(j, k);
                        }
                        double expected = dot / Math.sqrt(vn) * (normLastLayer ? 1 : g.getDouble(0, k));
                        assertEquals(expected, out.get("logits").getDouble(b, k), 1e-12, "logit, " + what);
                    }
                }
            }
        }
    }

    @Test
    void weightDecayIsDeclaredOnTheMatricesOnly() {
        DinoHeadConfig cfg = DinoHeadConfig.builder().hiddenDim(6).bottleneckDim(4).outDim(5).nLayers(2)
                .normLastLayer(false).useBn(true).build();
        SameDiff sd = SameDiff.create();
        GraphScope g = GraphScope.of(sd, "head", DataType.DOUBLE, new Random(1));
        DinoHead.define(g, IN, cfg);
        Map<String, Boolean> expected = new LinkedHashMap<>();
        expected.put("head/mlp0_w", true);
        expected.put("head/mlp0_b", false);
        expected.put("head/mlp0_bn_gain", false);
        expected.put("head/mlp0_bn_bias", false);
        expected.put("head/mlp1_w", true);
        expected.put("head/mlp1_b", false);
        expected.put("head/last_layer/weight_v", true);
        expected.put("head/last_layer/weight_g", false);
        assertEquals(expected, g.weightDecay());
        assertEquals(6L, sd.getArrForVarName("head/mlp0_bn_gain").length());
    }

    @Test
    void badInputDimensionIsRejected() {
        SameDiff sd = SameDiff.create();
        GraphScope g = GraphScope.of(sd, "head", DataType.DOUBLE, new Random(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DinoHead.define(g, 0, DinoHeadConfig.of(6, 4, 5)));
        assertEquals("inDim must be >= 1, got 0", e.getMessage());
    }
}

package org.dino4j.core.model;

import org.dino4j.core.loss.DinoLoss;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The head's optional batch normalisation (official {@code use_bn}): forward, gradient and batch-centering. */
class DinoHeadBatchNormTest {
    static final DinoHeadConfig BN_HEAD = DinoHeadConfig.builder().hiddenDim(16).bottleneckDim(8).outDim(10).useBn(true).build();

    static DinoModel model(DataType dt, long seed) {
        return DinoModel.create(new SmallResNet(DinoModelTest.TINY), BN_HEAD, dt, seed);
    }

    /** Float64 head with training-mode BN over the rows: Linear → BN → GELU (hidden), Linear, ℓ2, weight-norm. */
    static double[][] refLogits(DinoModel m, double[][] feats) {
        DinoHeadConfig hc = m.headConfig();
        int rows = feats.length;
        double[][] x = feats;
        for (int l = 0; l < hc.nLayers(); l++) {
            String p = GraphNames.HEAD_SCOPE + "/mlp" + l;
            double[] w = Ref.param(m, p + "_w");
            double[] b = Ref.param(m, p + "_b");
            int out = b.length;
            double[][] y = new double[rows][out];
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < out; o++) {
                    double acc = b[o];
                    for (int i = 0; i < x[r].length; i++) {
                        acc += x[r][i] * w[i * out + o];
                    }
                    y[r][o] = acc;
                }
            }
            if (l < hc.nLayers() - 1) {
                double[] gain = Ref.param(m, p + "_bn_gain");
                double[] bias = Ref.param(m, p + "_bn_bias");
                for (int o = 0; o < out; o++) {
                    double mean = 0;
                    for (int r = 0; r < rows; r++) {
                        mean += y[r][o];
                    }
                    mean /= rows;
                    double var = 0;
                    for (int r = 0; r < rows; r++) {
                        var += (y[r][o] - mean) * (y[r][o] - mean);
                    }
                    var /= rows; // biased, as BatchNorm1d in training mode
                    for (int r = 0; r < rows; r++) {
                        y[r][o] = Ref.gelu((y[r][o] - mean) / Math.sqrt(var + DinoHeadConfig.BN_EPS) * gain[o] + bias[o]);
                    }
                }
            }
            x = y;
        }
        double[] v = Ref.param(m, GraphNames.HEAD_SCOPE + "/" + DinoHead.LAST_LAYER + "/weight_v");
        int k = hc.outDim(), d = hc.bottleneckDim();
        double[][] z = new double[rows][k];
        for (int r = 0; r < rows; r++) {
            double n = 0;
            for (double e : x[r]) {
                n += e * e;
            }
            n = Math.max(Math.sqrt(n), hc.l2Eps());
            for (int c = 0; c < k; c++) {
                double cn = 0, acc = 0;
                for (int i = 0; i < d; i++) {
                    cn += v[i * k + c] * v[i * k + c];
                    acc += x[r][i] / n * v[i * k + c];
                }
                z[r][c] = acc / Math.sqrt(cn);
            }
        }
        return z;
    }

    @Test
    void bnParametersExistWithoutWeightDecay() {
        DinoModel m = model(DataType.FLOAT, 1);
        int bn = 0;
        for (ParamInfo p : m.parameters()) {
            if (p.name().contains("_bn_")) {
                bn++;
                assertFalse(p.weightDecay(), p.name() + " must not be weight-decayed");
                assertEquals(16, p.length(), p.name());
            }
        }
        assertEquals(4, bn, "gain and bias for each of the 2 hidden layers");
        assertEquals(1.0, Ref.param(m, GraphNames.HEAD_SCOPE + "/mlp0_bn_gain")[3], 0.0);
    }

    @Test
    void logitsMatchFloat64ReferenceWithBatchStatistics() {
        DinoModel m = model(DataType.DOUBLE, 3);
        Random r = new Random(4);
        INDArray g = DinoModelTest.images(r, DataType.DOUBLE, 6, 1, 12, 12);
        INDArray feats = m.features(g);
        double[][] f = new double[6][];
        for (int b = 0; b < 6; b++) {
            f[b] = Ref.plainFeatures(m, DinoModelTest.TINY, Ref.image(g, b));
        }
        double[][] z = refLogits(m, f);
        INDArray logits = m.globalLogits(g);
        for (int b = 0; b < 6; b++) {
            for (int i = 0; i < f[b].length; i++) {
                assertEquals(f[b][i], feats.getDouble(b, i), 1e-9, "feature");
            }
            for (int c = 0; c < 10; c++) {
                assertEquals(z[b][c], logits.getDouble(b, c), 1e-8, "logit " + b + "," + c);
            }
        }
    }

    @Test
    void batchStatisticsRemoveWhatAllImagesShare() {
        // a constant added to every row of the head's input shifts each hidden unit by a constant, which the
        // batch mean removes: the BN head's logits do not move, the plain head's do
        Random r = new Random(7);
        double[][] feats = new double[5][8];
        for (double[] row : feats) {
            for (int i = 0; i < row.length; i++) {
                row[i] = r.nextGaussian();
            }
        }
        double[][] shifted = new double[5][8];
        for (int b = 0; b < 5; b++) {
            for (int i = 0; i < 8; i++) {
                shifted[b][i] = feats[b][i] + 3.0 + i;
            }
        }
        DinoModel m = model(DataType.DOUBLE, 8);
        double[][] a = refLogits(m, feats), s = refLogits(m, shifted);
        double moved = 0;
        for (int b = 0; b < 5; b++) {
            for (int c = 0; c < 10; c++) {
                moved = Math.max(moved, Math.abs(a[b][c] - s[b][c]));
            }
        }
        assertTrue(moved < 1e-6, "BN head moved by " + moved);
        DinoModel plain = DinoModel.create(new SmallResNet(DinoModelTest.TINY), DinoModelTest.HEAD, DataType.DOUBLE, 8);
        double[][] pa = new double[5][], ps = new double[5][];
        for (int b = 0; b < 5; b++) {
            pa[b] = Ref.head(plain, feats[b])[1];
            ps[b] = Ref.head(plain, shifted[b])[1];
        }
        double movedPlain = 0;
        for (int b = 0; b < 5; b++) {
            for (int c = 0; c < 10; c++) {
                movedPlain = Math.max(movedPlain, Math.abs(pa[b][c] - ps[b][c]));
            }
        }
        assertTrue(movedPlain > 1e-3, "plain head moved by only " + movedPlain);
    }

    @Test
    void gradientsThroughBatchStatisticsMatchFiniteDifferences() {
        DinoModel m = model(DataType.DOUBLE, 11);
        Random r = new Random(12);
        INDArray g = DinoModelTest.images(r, DataType.DOUBLE, 4, 1, 12, 12);
        INDArray l = DinoModelTest.images(r, DataType.DOUBLE, 4, 1, 6, 6);
        double tau = 0.5;
        DinoLoss loss = new DinoLoss(new DinoLoss.Options(10, tau, 0.9, 1));
        loss.setTeacherTemp(0.3);
        INDArray zt = DinoModelTest.teacher(r, DataType.DOUBLE, 4, 10);
        m.lossAndGradients(g, l, zt, loss, null);
        INDArray grad = m.gradients().dup();
        DinoLoss.Targets targets = loss.targets(zt, 2);
        INDArray t = targets.targets();
        INDArray w = targets.rowWeights();
        Map<String, INDArray> ph = new HashMap<>(Map.of(GraphNames.GLOBAL_CROPS, g, GraphNames.LOCAL_CROPS, l,
                GraphNames.TARGETS, t, GraphNames.ROW_WEIGHTS, w, GraphNames.TAU_S, Nd4j.scalar(tau)));
        List<ParamInfo> ps = new ArrayList<>();
        for (ParamInfo p : m.parameters()) {
            if (p.name().startsWith(GraphNames.HEAD_SCOPE) || p.name().contains("stem")) {
                ps.add(p);
            }
        }
        int checked = 0;
        for (ParamInfo pi : ps) {
            for (int rep = 0; rep < 2; rep++) {
                long idx = pi.offset() + r.nextInt((int) pi.length());
                double x0 = m.params().getDouble(0, idx);
                double h = 1e-6;
                m.params().putScalar(0, idx, x0 + h);
                double up = m.graph().output(ph, GraphNames.LOSS).get(GraphNames.LOSS).getDouble(0);
                m.params().putScalar(0, idx, x0 - h);
                double down = m.graph().output(ph, GraphNames.LOSS).get(GraphNames.LOSS).getDouble(0);
                m.params().putScalar(0, idx, x0);
                double fd = (up - down) / (2 * h);
                assertEquals(fd, grad.getDouble(0, idx), 1e-7 + 1e-3 * Math.abs(fd), pi.name());
                checked++;
            }
        }
        assertTrue(checked >= 20, "checked " + checked);
    }
}

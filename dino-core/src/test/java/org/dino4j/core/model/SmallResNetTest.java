package org.dino4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link SmallResNet} against its layout written as float64 loops (conv3×3 SAME with stride 1 and 2 on odd sizes,
 * GroupNorm with the clamped group variance, ReLU, an identity residual block, global average pooling and pooling to
 * a grid of adaptive bins), and the
 * weight decay it declares.
 */
class SmallResNetTest {
    private static final SmallResNetConfig CFG = new SmallResNetConfig(2, 4, List.of(4, 6), 1, 2, 1e-5, 4);

    /** conv3×3, SAME padding (TensorFlow's: out = ⌈in/s⌉, the odd padding pixel at the bottom/right), no bias. */
    private static double[][][] conv(double[][][] x, INDArray w, int s) {
        int cin = x.length, h = x[0].length, wd = x[0][0].length, cout = (int) w.size(3);
        int oh = (h + s - 1) / s, ow = (wd + s - 1) / s;
        int padT = Math.max((oh - 1) * s + 3 - h, 0) / 2, padL = Math.max((ow - 1) * s + 3 - wd, 0) / 2;
        double[][][] y = new double[cout][oh][ow];
        for (int o = 0; o < cout; o++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double acc = 0;
                    for (int c = 0; c < cin; c++) {
                        for (int ki = 0; ki < 3; ki++) {
                            for (int kj = 0; kj < 3; kj++) {
                                int r = i * s + ki - padT, q = j * s + kj - padL;
                                if (r >= 0 && r < h && q >= 0 && q < wd) {
                                    acc += x[c][r][q] * w.getDouble(ki, kj, c, o);
                                }
                            }
                        }
                    }
                    y[o][i][j] = acc;
                }
            }
        }
        return y;
    }

    private static double[][][] groupNorm(double[][][] x, INDArray gain, INDArray bias, int groups, boolean relu) {
        int c = x.length, cpg = c / groups;
        double[][][] y = new double[c][x[0].length][x[0][0].length];
        for (int g = 0; g < groups; g++) {
            double s = 0, s2 = 0, n = 0;
            for (int ch = g * cpg; ch < (g + 1) * cpg; ch++) {
                for (double[] row : x[ch]) {
                    for (double v : row) {
                        s += v;
                        s2 += v * v;
                        n++;
                    }
                }
            }
            double mu = s / n, var = Math.max(s2 / n - mu * mu, 0);
            for (int ch = g * cpg; ch < (g + 1) * cpg; ch++) {
                for (int i = 0; i < x[ch].length; i++) {
                    for (int j = 0; j < x[ch][i].length; j++) {
                        double v = (x[ch][i][j] - mu) / Math.sqrt(var + CFG.gnEps()) * gain.getDouble(ch) + bias.getDouble(ch);
                        y[ch][i][j] = relu ? Math.max(v, 0) : v;
                    }
                }
            }
        }
        return y;
    }

    private static double[][][] unit(SameDiff sd, String p, String s, double[][][] x, int stride, boolean relu) {
        return groupNorm(conv(x, sd.getArrForVarName("bb/" + p + "conv" + s + "_w"), stride),
                sd.getArrForVarName("bb/" + p + "gn" + s + "_gain"), sd.getArrForVarName("bb/" + p + "gn" + s + "_bias"),
                CFG.groups(), relu);
    }

    @Test
    void featuresMatchAFloat64Loop() {
        int[] rows = features(CFG, 7, 5, 2);
        assertEquals(2, rows[0], "7 → 4 → 2 rows");
    }

    /** Grids of 2 and 3 cells a side on 6×5 maps (overlapping column bins) and a grid larger than the 2×2 maps. */
    @Test
    void gridPoolingMatchesAFloat64LoopOfAdaptiveBins() {
        SmallResNetConfig oneStage = new SmallResNetConfig(2, 4, List.of(6), 1, 2, 1e-5, 2, 2);
        assertEquals(24, oneStage.featureDim());
        int[] hw = features(oneStage, 11, 9, 2);
        assertEquals(List.of(6, 5), List.of(hw[0], hw[1]), "11×9 → 6×5 maps");
        features(new SmallResNetConfig(2, 4, List.of(6), 1, 2, 1e-5, 2, 3), 11, 9, 1);
        hw = features(new SmallResNetConfig(2, 4, List.of(4, 6), 1, 2, 1e-5, 4, 3), 7, 5, 2);
        assertEquals(List.of(2, 2), List.of(hw[0], hw[1]), "maps smaller than the grid");
    }

    /**
     * The SameDiff features of {@code cfg} on {@code b} random images {@code h×w} against the float64 loop; returns the
     * last maps' rows and columns.
     */
    private static int[] features(SmallResNetConfig cfg, int h, int w, int b) {
        SameDiff sd = SameDiff.create();
        GraphScope g = GraphScope.of(sd, "bb", DataType.DOUBLE, new Random(1));
        SDVariable images = sd.placeHolder("x", DataType.DOUBLE, -1, 2, -1, -1);
        SDVariable f = new SmallResNet(cfg).define(g).apply(images);
        Random r = new Random(2);
        for (String name : g.weightDecay().keySet()) { // GroupNorm's γ = 1, β = 0 would hide a bug in their use
            INDArray a = sd.getArrForVarName(name);
            for (long i = 0; i < a.length(); i++) {
                a.putScalar(i, a.getDouble(i) + 0.2 * r.nextGaussian());
            }
        }
        INDArray x = org.nd4j.linalg.factory.Nd4j.create(DataType.DOUBLE, b, 2, h, w);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, r.nextGaussian());
        }
        INDArray out = sd.output(Map.of("x", x), f.name()).get(f.name());
        int d = cfg.featureDim();
        assertEquals(List.of((long) b, (long) d), List.of(out.size(0), out.size(1)));
        int[] hw = null;
        for (int n = 0; n < b; n++) {
            double[][][] a = new double[2][h][w];
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        a[c][i][j] = x.getDouble(n, c, i, j);
                    }
                }
            }
            a = unit(sd, "stem/", "", a, 1, true);
            for (int st = 0; st < cfg.stageChannels().size(); st++) {
                a = unit(sd, "s" + st + "/down/", "", a, 2, true);
                double[][][] res = unit(sd, "s" + st + "/b0/", "2", unit(sd, "s" + st + "/b0/", "1", a, 1, true), 1, false);
                for (int c = 0; c < a.length; c++) {
                    for (int i = 0; i < a[c].length; i++) {
                        for (int j = 0; j < a[c][i].length; j++) {
                            a[c][i][j] = Math.max(res[c][i][j] + a[c][i][j], 0);
                        }
                    }
                }
            }
            hw = new int[] {a[0].length, a[0][0].length};
            int grid = cfg.poolGrid(), ch = a.length;
            for (int gi = 0; gi < grid; gi++) {
                for (int gj = 0; gj < grid; gj++) {
                    // PyTorch's adaptive bins: rows floor(i*H/g) .. ceil((i+1)*H/g) - 1
                    int r0 = gi * hw[0] / grid, r1 = ((gi + 1) * hw[0] + grid - 1) / grid;
                    int c0 = gj * hw[1] / grid, c1 = ((gj + 1) * hw[1] + grid - 1) / grid;
                    for (int c = 0; c < ch; c++) {
                        double sum = 0;
                        for (int i = r0; i < r1; i++) {
                            for (int j = c0; j < c1; j++) {
                                sum += a[c][i][j];
                            }
                        }
                        int k = (gi * grid + gj) * ch + c;
                        assertEquals(sum / ((r1 - r0) * (c1 - c0)), out.getDouble(n, k), 1e-10,
                                "feature " + k + " (cell " + gi + "," + gj + ", channel " + c + ") of image " + n);
                    }
                }
            }
        }
        return hw;
    }

    @Test
    void convolutionsTakeWeightDecayGroupNormDoesNot() {
        SameDiff sd = SameDiff.create();
        GraphScope g = GraphScope.of(sd, "bb", DataType.DOUBLE, new Random(1));
        new SmallResNet(CFG).define(g);
        Map<String, Boolean> decay = g.weightDecay();
        assertEquals(3 * (1 + 2 * 3), decay.size(), "stem, 2 stages × (down + 2 block convs), 3 parameters each");
        decay.forEach((name, d) -> assertEquals(name.endsWith("_w"), d, name));
        assertTrue(decay.containsKey("bb/s1/b0/conv2_w"), decay.toString());
    }
}

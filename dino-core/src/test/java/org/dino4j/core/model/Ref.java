package org.dino4j.core.model;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Independent float64 re-implementation of the tiny models' forward pass, for tests. */
final class Ref {
    private Ref() {
    }

    /** Parameter values by name, read from the model's flat buffer. */
    static double[] param(DinoModel m, String name) {
        for (ParamInfo p : m.parameters()) {
            if (p.name().equals(name)) {
                double[] v = new double[(int) p.length()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = m.params().getDouble(0, p.offset() + i);
                }
                return v;
            }
        }
        throw new AssertionError("no parameter " + name);
    }

    /** x [C][H][W] → conv3×3 SAME stride s, weights [3,3,inC,outC] 'c'. */
    static double[][][] conv(double[][][] x, double[] w, int outC, int s) {
        int inC = x.length, h = x[0].length, wd = x[0][0].length;
        int oh = (h + s - 1) / s, ow = (wd + s - 1) / s;
        int padH = Math.max((oh - 1) * s + 3 - h, 0) / 2, padW = Math.max((ow - 1) * s + 3 - wd, 0) / 2;
        double[][][] y = new double[outC][oh][ow];
        for (int co = 0; co < outC; co++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double acc = 0;
                    for (int ky = 0; ky < 3; ky++) {
                        int iy = oy * s + ky - padH;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        for (int kx = 0; kx < 3; kx++) {
                            int ix = ox * s + kx - padW;
                            if (ix < 0 || ix >= wd) {
                                continue;
                            }
                            for (int ci = 0; ci < inC; ci++) {
                                acc += x[ci][iy][ix] * w[((ky * 3 + kx) * inC + ci) * outC + co];
                            }
                        }
                    }
                    y[co][oy][ox] = acc;
                }
            }
        }
        return y;
    }

    /** GroupNorm (Wu &amp; He 2018) + ReLU, textbook two-pass form. */
    static double[][][] gnRelu(double[][][] x, int groups, double[] gain, double[] bias, double eps, boolean relu) {
        int c = x.length, h = x[0].length, w = x[0][0].length, cpg = c / groups;
        double[][][] y = new double[c][h][w];
        for (int g = 0; g < groups; g++) {
            double mean = 0;
            for (int ch = g * cpg; ch < (g + 1) * cpg; ch++) {
                for (double[] row : x[ch]) {
                    for (double v : row) {
                        mean += v;
                    }
                }
            }
            mean /= (double) cpg * h * w;
            double var = 0;
            for (int ch = g * cpg; ch < (g + 1) * cpg; ch++) {
                for (double[] row : x[ch]) {
                    for (double v : row) {
                        var += (v - mean) * (v - mean);
                    }
                }
            }
            var /= (double) cpg * h * w;
            for (int ch = g * cpg; ch < (g + 1) * cpg; ch++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        double v = (x[ch][i][j] - mean) / Math.sqrt(var + eps) * gain[ch] + bias[ch];
                        y[ch][i][j] = relu ? Math.max(v, 0) : v;
                    }
                }
            }
        }
        return y;
    }

    /** Features of a plain (blocksPerStage 0) SmallResNet for one image [C][H][W]. */
    static double[] plainFeatures(DinoModel m, SmallResNetConfig cfg, double[][][] img) {
        String s = GraphNames.BACKBONE_SCOPE;
        double[][][] h = gnRelu(conv(img, param(m, s + "/stem/conv_w"), cfg.stemChannels(), 1), cfg.groups(),
                param(m, s + "/stem/gn_gain"), param(m, s + "/stem/gn_bias"), cfg.gnEps(), true);
        List<Integer> st = cfg.stageChannels();
        for (int i = 0; i < st.size(); i++) {
            String p = s + "/s" + i + "/down/";
            h = gnRelu(conv(h, param(m, p + "conv_w"), st.get(i), 2), cfg.groups(),
                    param(m, p + "gn_gain"), param(m, p + "gn_bias"), cfg.gnEps(), true);
        }
        double[] f = new double[h.length];
        for (int c = 0; c < h.length; c++) {
            double acc = 0;
            for (double[] row : h[c]) {
                for (double v : row) {
                    acc += v;
                }
            }
            f[c] = acc / (h[c].length * h[c][0].length);
        }
        return f;
    }

    static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    /** Head forward; returns {embedding, logits}. normLastLayer assumed. */
    static double[][] head(DinoModel m, double[] feats) {
        DinoHeadConfig hc = m.headConfig();
        double[] x = feats;
        for (int l = 0; l < hc.nLayers(); l++) {
            double[] w = param(m, GraphNames.HEAD_SCOPE + "/mlp" + l + "_w");
            double[] b = param(m, GraphNames.HEAD_SCOPE + "/mlp" + l + "_b");
            int out = b.length;
            double[] y = new double[out];
            for (int o = 0; o < out; o++) {
                double acc = b[o];
                for (int i = 0; i < x.length; i++) {
                    acc += x[i] * w[i * out + o];
                }
                y[o] = l < hc.nLayers() - 1 ? gelu(acc) : acc;
            }
            x = y;
        }
        double n = 0;
        for (double v : x) {
            n += v * v;
        }
        n = Math.max(Math.sqrt(n), hc.l2Eps());
        double[] e = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            e[i] = x[i] / n;
        }
        double[] v = param(m, GraphNames.HEAD_SCOPE + "/" + DinoHead.LAST_LAYER + "/weight_v");
        int k = hc.outDim(), d = hc.bottleneckDim();
        double[] z = new double[k];
        for (int c = 0; c < k; c++) {
            double cn = 0, acc = 0;
            for (int i = 0; i < d; i++) {
                cn += v[i * k + c] * v[i * k + c];
                acc += e[i] * v[i * k + c];
            }
            z[c] = acc / Math.sqrt(cn);
        }
        return new double[][] {e, z};
    }

    /** Image b of a [B,C,H,W] array as double[C][H][W]. */
    static double[][][] image(INDArray x, int b) {
        int c = (int) x.size(1), h = (int) x.size(2), w = (int) x.size(3);
        double[][][] r = new double[c][h][w];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    r[ch][i][j] = x.getDouble(b, ch, i, j);
                }
            }
        }
        return r;
    }

    /** Σ_r w_r · (−Σ_k t_rk log softmax(z_r/τ)_k) in float64. */
    static double loss(INDArray z, INDArray t, INDArray w, double tau) {
        double total = 0;
        for (int r = 0; r < z.size(0); r++) {
            int k = (int) z.size(1);
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                max = Math.max(max, z.getDouble(r, c) / tau);
            }
            double se = 0;
            for (int c = 0; c < k; c++) {
                se += Math.exp(z.getDouble(r, c) / tau - max);
            }
            double lse = max + Math.log(se);
            double ce = 0;
            for (int c = 0; c < k; c++) {
                ce -= t.getDouble(r, c) * (z.getDouble(r, c) / tau - lse);
            }
            total += w.getDouble(r) * ce;
        }
        return total;
    }
}

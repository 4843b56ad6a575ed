package org.dino4j.core.model.vit;

import org.dino4j.core.model.DinoModel;
import org.dino4j.core.model.ParamInfo;

/** Independent float64 forward pass of {@link VisionTransformer} written as plain loops, for tests. */
final class VitRef {
    /** CLS features [D]. */
    double[] features;
    /** Last block's attention [heads][T][T]. */
    double[][][] attention;

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

    /**
     * @param m model with a VisionTransformer backbone under "backbone"
     * @param x one image [C][H][W]
     */
    static VitRef forward(DinoModel m, double[][][] x) {
        return forward(m, x, null);
    }

    /**
     * @param m model with a VisionTransformer backbone under "backbone"
     * @param x one image [C][H][W]
     * @param drop drop-path factors [2·depth] of this sample (attention, MLP branch per block), or null (ones)
     */
    static VitRef forward(DinoModel m, double[][][] x, double[] drop) {
        VitConfig c = ((VisionTransformer) m.backbone()).config();
        String s = "backbone/";
        int d = c.embedDim(), p = c.patchSize(), ch = c.inChannels(), base = c.basePatchGrid();
        int gh = x[0].length / p, gw = x[0][0].length / p, n = gh * gw, t = n + 1;
        double[] pw = param(m, s + "patch_w"), pb = param(m, s + "patch_b");
        double[] pos = param(m, s + "pos_embed");
        double[][] mat = PositionInterpolation.matrix(gh, gw, base);
        double[][] tok = new double[t][d];
        double[] cls = param(m, s + "cls_token"), clsPos = param(m, s + "cls_pos");
        for (int e = 0; e < d; e++) {
            tok[0][e] = cls[e] + clsPos[e];
        }
        for (int i = 0; i < gh; i++) {
            for (int j = 0; j < gw; j++) {
                int r = i * gw + j;
                for (int e = 0; e < d; e++) {
                    double acc = pb[e];
                    for (int ky = 0; ky < p; ky++) {
                        for (int kx = 0; kx < p; kx++) {
                            for (int ci = 0; ci < ch; ci++) {
                                acc += x[ci][i * p + ky][j * p + kx] * pw[((ky * p + kx) * ch + ci) * d + e];
                            }
                        }
                    }
                    for (int q = 0; q < base * base; q++) {
                        acc += mat[r][q] * pos[q * d + e];
                    }
                    tok[1 + r][e] = acc;
                }
            }
        }
        VitRef out = new VitRef();
        int heads = c.heads(), hd = d / heads, hid = c.mlpHidden();
        for (int b = 0; b < c.depth(); b++) {
            String pre = s + "blk" + b + "/";
            double[][] h = ln(tok, param(m, pre + "ln1_gain"), param(m, pre + "ln1_bias"), c.layerNormEps());
            double[][] q = lin(h, param(m, pre + "q_w"), param(m, pre + "q_b"), d);
            double[][] k = lin(h, param(m, pre + "k_w"), param(m, pre + "k_b"), d);
            double[][] v = lin(h, param(m, pre + "v_w"), param(m, pre + "v_b"), d);
            double[][][] att = new double[heads][t][t];
            double[][] o = new double[t][d];
            for (int hh = 0; hh < heads; hh++) {
                for (int a = 0; a < t; a++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int bb = 0; bb < t; bb++) {
                        double dot = 0;
                        for (int e = 0; e < hd; e++) {
                            dot += q[a][hh * hd + e] * k[bb][hh * hd + e];
                        }
                        att[hh][a][bb] = dot / Math.sqrt(hd);
                        max = Math.max(max, att[hh][a][bb]);
                    }
                    double sum = 0;
                    for (int bb = 0; bb < t; bb++) {
                        att[hh][a][bb] = Math.exp(att[hh][a][bb] - max);
                        sum += att[hh][a][bb];
                    }
                    for (int bb = 0; bb < t; bb++) {
                        att[hh][a][bb] /= sum;
                        for (int e = 0; e < hd; e++) {
                            o[a][hh * hd + e] += att[hh][a][bb] * v[bb][hh * hd + e];
                        }
                    }
                }
            }
            out.attention = att;
            add(tok, scale(lin(o, param(m, pre + "proj_w"), param(m, pre + "proj_b"), d), drop == null ? 1 : drop[2 * b]));
            double[][] h2 = ln(tok, param(m, pre + "ln2_gain"), param(m, pre + "ln2_bias"), c.layerNormEps());
            double[][] f = lin(h2, param(m, pre + "fc1_w"), param(m, pre + "fc1_b"), hid);
            for (double[] row : f) {
                for (int e = 0; e < row.length; e++) {
                    double z = row[e];
                    row[e] = 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
                }
            }
            add(tok, scale(lin(f, param(m, pre + "fc2_w"), param(m, pre + "fc2_b"), d), drop == null ? 1 : drop[2 * b + 1]));
        }
        out.features = ln(tok, param(m, s + "norm_gain"), param(m, s + "norm_bias"), c.layerNormEps())[0];
        return out;
    }

    private static double[][] scale(double[][] a, double f) {
        for (double[] row : a) {
            for (int i = 0; i < row.length; i++) {
                row[i] *= f;
            }
        }
        return a;
    }

    private static void add(double[][] a, double[][] b) {
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                a[i][j] += b[i][j];
            }
        }
    }

    private static double[][] lin(double[][] x, double[] w, double[] b, int out) {
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int r = 0; r < x.length; r++) {
            for (int o = 0; o < out; o++) {
                double acc = b[o];
                for (int i = 0; i < in; i++) {
                    acc += x[r][i] * w[i * out + o];
                }
                y[r][o] = acc;
            }
        }
        return y;
    }

    private static double[][] ln(double[][] x, double[] g, double[] b, double eps) {
        double[][] y = new double[x.length][x[0].length];
        for (int r = 0; r < x.length; r++) {
            double mu = 0;
            for (double v : x[r]) {
                mu += v;
            }
            mu /= x[r].length;
            double var = 0;
            for (double v : x[r]) {
                var += (v - mu) * (v - mu);
            }
            var /= x[r].length;
            for (int e = 0; e < x[r].length; e++) {
                y[r][e] = (x[r][e] - mu) / Math.sqrt(var + eps) * g[e] + b[e];
            }
        }
        return y;
    }
}

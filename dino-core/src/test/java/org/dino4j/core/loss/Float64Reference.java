package org.dino4j.core.loss;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Independent float64 evaluation of the DINO loss written straight from the paper's pair formulation
 * (eq. 1–3, the official pair loop), used as ground truth by the tests.
 */
public final class Float64Reference {

    private Float64Reference() {
    }

    public static double[][] rows(INDArray a) {
        INDArray d = a.castTo(DataType.DOUBLE).dup('c');
        double[][] out = new double[(int) d.size(0)][(int) d.size(1)];
        for (int r = 0; r < out.length; r++) {
            for (int k = 0; k < out[r].length; k++) {
                out[r][k] = d.getDouble(r, k);
            }
        }
        return out;
    }

    public static INDArray randomLogits(Random rnd, int rows, int k, double scale, DataType dt) {
        double[] v = new double[rows * k];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian() * scale;
        }
        return Nd4j.createFromArray(v).reshape('c', rows, k).castTo(dt);
    }

    public static double[] softmax(double[] z, double[] c, double tau) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < z.length; k++) {
            max = Math.max(max, (z[k] - (c == null ? 0 : c[k])) / tau);
        }
        double[] p = new double[z.length];
        double sum = 0;
        for (int k = 0; k < z.length; k++) {
            p[k] = Math.exp((z[k] - (c == null ? 0 : c[k])) / tau - max);
            sum += p[k];
        }
        for (int k = 0; k < z.length; k++) {
            p[k] /= sum;
        }
        return p;
    }

    public static double[] logSoftmax(double[] z, double tau) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v / tau);
        }
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v / tau - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[z.length];
        for (int k = 0; k < z.length; k++) {
            out[k] = z[k] / tau - lse;
        }
        return out;
    }

    /** p_t rows [2B][K]. */
    public static double[][] teacherProbs(double[][] zt, double[] c, double tauT) {
        double[][] p = new double[zt.length][];
        for (int r = 0; r < zt.length; r++) {
            p[r] = softmax(zt[r], c, tauT);
        }
        return p;
    }

    /** The loss by the official pair loop: (1/P) Σ_i Σ_{j≠i} mean_b CE. */
    public static double loss(double[][] zs, double[][] zt, double[] c, double tauS, double tauT) {
        int b = zt.length / 2;
        int views = zs.length / b;
        double[][] pt = teacherProbs(zt, c, tauT);
        double total = 0;
        int pairs = 0;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < views; j++) {
                if (i == j) {
                    continue;
                }
                double pairSum = 0;
                for (int img = 0; img < b; img++) {
                    double[] ls = logSoftmax(zs[j * b + img], tauS);
                    double[] q = pt[i * b + img];
                    for (int k = 0; k < q.length; k++) {
                        pairSum -= q[k] * ls[k];
                    }
                }
                total += pairSum / b;
                pairs++;
            }
        }
        return total / pairs;
    }

    /** dL/dz_s by differentiating each pair term: Σ_{i≠j} (softmax(z_s/τ_s) − p_t[i]) / (P·B·τ_s). */
    public static double[][] gradient(double[][] zs, double[][] zt, double[] c, double tauS, double tauT) {
        int b = zt.length / 2;
        int views = zs.length / b;
        int pairs = 2 * (views - 1);
        double[][] pt = teacherProbs(zt, c, tauT);
        double[][] g = new double[zs.length][zs[0].length];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < views; j++) {
                if (i == j) {
                    continue;
                }
                for (int img = 0; img < b; img++) {
                    double[] ps = softmax(zs[j * b + img], null, tauS);
                    double[] q = pt[i * b + img];
                    for (int k = 0; k < q.length; k++) {
                        g[j * b + img][k] += (ps[k] - q[k]) / (pairs * b * tauS);
                    }
                }
            }
        }
        return g;
    }

    public static double entropy(double[] p) {
        double h = 0;
        for (double v : p) {
            if (v > 0) {
                h -= v * Math.log(v);
            }
        }
        return h;
    }

    /** max |a − b| over all elements. */
    public static double maxAbsDiff(double[][] a, double[][] b) {
        double m = 0;
        for (int r = 0; r < a.length; r++) {
            for (int k = 0; k < a[r].length; k++) {
                m = Math.max(m, Math.abs(a[r][k] - b[r][k]));
            }
        }
        return m;
    }

    public static double maxAbs(double[][] a) {
        double m = 0;
        for (double[] row : a) {
            for (double v : row) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }
}

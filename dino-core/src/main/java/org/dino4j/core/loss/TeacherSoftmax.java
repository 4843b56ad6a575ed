package org.dino4j.core.loss;

import org.dino4j.core.util.Simd;
import org.dino4j.core.util.SimdLoss;

/**
 * One row of the teacher's centred and sharpened distribution, p_t = softmax((z_t − c)/τ_t)
 * (Caron et al. 2021, Sec. 3.1, centering and sharpening), the inner loop of {@link TeacherTargets}.
 */
final class TeacherSoftmax {

    /** SIMD path (double lanes, vector exp) when available; both paths agree to ~1e-7 relative. */
    private static final boolean SIMD = Simd.enabled();

    private TeacherSoftmax() {
    }

    /**
     * Writes {@code softmax((x − c)·invTau)} into {@code out[o, o+k)} and returns the row's entropy (natural log).
     *
     * @param x      teacher logits of the row, {@code [k]}
     * @param c      center, {@code [k]}
     * @param invTau 1/τ_t
     * @param out    destination array
     * @param o      offset of the row in {@code out}
     * @param k      number of prototypes K
     * @return H(p) = −Σ p log p of the written row
     */
    static double row(float[] x, float[] c, double invTau, float[] out, int o, int k) {
        if (SIMD) {
            return SimdLoss.centeredSoftmaxRow(x, c, invTau, out, o, k);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            double v = ((double) x[i] - c[i]) * invTau;
            if (v > max) {
                max = v;
            }
        }
        double sum = 0;
        double st = 0;
        for (int i = 0; i < k; i++) {
            double t = ((double) x[i] - c[i]) * invTau - max;
            double e = FastExp.exp(t);
            sum += e;
            st += e * t;
            out[o + i] = (float) e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < k; i++) {
            out[o + i] *= inv;
        }
        // H = −Σ p (t − log S) = log S − Σ e·t / S   (t already shifted by the max)
        return Math.log(sum) - st / sum;
    }
}

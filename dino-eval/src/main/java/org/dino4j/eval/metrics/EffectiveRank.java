package org.dino4j.eval.metrics;

import org.dino4j.eval.Checks;
import org.dino4j.eval.tsne.Pca;

/**
 * Effective rank of an embedding (Roy &amp; Vetterli 2007, "The effective rank: a measure of effective
 * dimensionality"): with σ_1..σ_m the singular values of the column-centred feature matrix X {@code [N, D]}
 * (m = min(N, D)) and p_i = σ_i / Σ_j σ_j, {@code erank = exp(−Σ_i p_i ln p_i)} (0·ln 0 = 0). It lies in
 * [1, m]: 1 when all features lie on one line (dimensional collapse), m when all singular values are equal.
 *
 * <p>Computed in float64: the singular values are the square roots of the eigenvalues of the D×D Gram matrix
 * XᵀX, found by the cyclic Jacobi method of {@link Pca#symmetricEigen} (exact to rounding for symmetric
 * matrices; O(D³) per sweep, fine for
 * the feature widths of this project, D ≤ a few hundred).
 */
public final class EffectiveRank {
    private EffectiveRank() {
    }

    /**
     * @param features {@code [N][D]}, N ≥ 2
     * @return the effective rank; 0 when every row is identical (X = 0 after centring)
     */
    public static double of(float[][] features) {
        return of(toDouble(features));
    }

    /**
     * @param features {@code [N][D]}, N ≥ 2
     * @return the effective rank; 0 when every row is identical (X = 0 after centring)
     */
    public static double of(double[][] features) {
        double[] s = singularValues(features);
        double sum = 0;
        for (double v : s) {
            sum += v;
        }
        if (!(sum > 0)) {
            return 0;
        }
        double h = 0;
        for (double v : s) {
            double p = v / sum;
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return Math.exp(h);
    }

    /**
     * Singular values of the column-centred matrix, in descending order.
     *
     * @param features {@code [N][D]}, N ≥ 2
     * @return {@code [D]} values ≥ 0 (those beyond rank are ~0)
     */
    public static double[] singularValues(double[][] features) {
        Checks.matrix("features", features);
        int n = features.length;
        int d = features[0].length;
        if (n < 2) {
            throw new IllegalArgumentException("features must have at least 2 rows, got " + n);
        }
        double[] mean = new double[d];
        for (double[] row : features) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / n;
            }
        }
        double[][] a = new double[d][d];
        double[] x = new double[d];
        for (double[] row : features) {
            for (int j = 0; j < d; j++) {
                x[j] = row[j] - mean[j];
            }
            for (int i = 0; i < d; i++) {
                double xi = x[i];
                for (int j = i; j < d; j++) {
                    a[i][j] += xi * x[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                a[i][j] = a[j][i];
            }
        }
        double[] ev = Pca.symmetricEigen(a, new double[d][d]);
        double[] s = new double[d];
        for (int i = 0; i < d; i++) {
            s[i] = Math.sqrt(Math.max(ev[i], 0));
        }
        java.util.Arrays.sort(s);
        for (int i = 0; i < d / 2; i++) {
            double t = s[i];
            s[i] = s[d - 1 - i];
            s[d - 1 - i] = t;
        }
        return s;
    }

    private static double[][] toDouble(float[][] f) {
        if (f == null) {
            throw new IllegalArgumentException("features must not be null");
        }
        double[][] r = new double[f.length][];
        for (int i = 0; i < f.length; i++) {
            if (f[i] == null) {
                throw new IllegalArgumentException("features row " + i + " must not be null");
            }
            r[i] = new double[f[i].length];
            for (int j = 0; j < f[i].length; j++) {
                r[i][j] = f[i][j];
            }
        }
        return r;
    }
}

package org.dino4j.eval.tsne;

import org.dino4j.eval.Checks;

/**
 * Principal component analysis: centre the data, form the covariance {@code C = XᵀX / (N-1)} ({@code [D, D]},
 * float64), diagonalise it with the cyclic Jacobi method, and project on the leading eigenvectors.
 * Each eigenvector's sign is fixed so that its largest-magnitude component is positive (deterministic output).
 */
public final class Pca {
    private Pca() {
    }

    /**
     * Projects {@code x [N][D]} on its first {@code dims} principal components.
     *
     * @return {@code [N][min(dims, D)]} centred projections (if D ≤ dims: the centred data itself)
     */
    public static double[][] project(double[][] x, int dims) {
        Checks.matrix("pcaInput", x);
        if (dims < 1) {
            throw new IllegalArgumentException("dims must be >= 1, got " + dims);
        }
        int n = x.length;
        int d = x[0].length;
        double[] mean = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[][] xc = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                xc[i][j] = x[i][j] - mean[j];
            }
        }
        if (d <= dims) {
            return xc;
        }
        double[][] cov = new double[d][d];
        for (double[] row : xc) {
            for (int a = 0; a < d; a++) {
                double ra = row[a];
                if (ra == 0) {
                    continue;
                }
                double[] ca = cov[a];
                for (int b = a; b < d; b++) {
                    ca[b] += ra * row[b];
                }
            }
        }
        double denom = Math.max(1, n - 1);
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) {
                cov[a][b] /= denom;
                cov[b][a] = cov[a][b];
            }
        }
        double[][] vecs = new double[d][d];
        double[] vals = symmetricEigen(cov, vecs);
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (p, q) -> Double.compare(vals[q], vals[p]));
        double[][] comps = new double[dims][d];
        for (int c = 0; c < dims; c++) {
            int col = order[c];
            int arg = 0;
            for (int j = 0; j < d; j++) {
                comps[c][j] = vecs[j][col];
                if (Math.abs(comps[c][j]) > Math.abs(comps[c][arg])) {
                    arg = j;
                }
            }
            if (comps[c][arg] < 0) {
                for (int j = 0; j < d; j++) {
                    comps[c][j] = -comps[c][j];
                }
            }
        }
        double[][] out = new double[n][dims];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < dims; c++) {
                double s = 0;
                double[] comp = comps[c];
                for (int j = 0; j < d; j++) {
                    s += xc[i][j] * comp[j];
                }
                out[i][c] = s;
            }
        }
        return out;
    }

    /**
     * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations. {@code a} is destroyed.
     *
     * @param a    symmetric {@code [D][D]}
     * @param vecs output {@code [D][D]}: column i is the unit eigenvector of eigenvalue i
     * @return eigenvalues {@code double[D]} (unsorted)
     */
    public static double[] symmetricEigen(double[][] a, double[][] vecs) {
        int d = a.length;
        for (int i = 0; i < d; i++) {
            java.util.Arrays.fill(vecs[i], 0);
            vecs[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            double diag = 0;
            for (int p = 0; p < d; p++) {
                diag += a[p][p] * a[p][p];
                for (int q = p + 1; q < d; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off <= 1e-30 * Math.max(diag, 1e-300)) {
                break;
            }
            for (int p = 0; p < d - 1; p++) {
                for (int q = p + 1; q < d; q++) {
                    double apq = a[p][q];
                    if (Math.abs(apq) < 1e-300) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < d; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < d; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < d; k++) {
                        double vkp = vecs[k][p];
                        double vkq = vecs[k][q];
                        vecs[k][p] = c * vkp - s * vkq;
                        vecs[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        double[] vals = new double[d];
        for (int i = 0; i < d; i++) {
            vals[i] = a[i][i];
        }
        return vals;
    }
}

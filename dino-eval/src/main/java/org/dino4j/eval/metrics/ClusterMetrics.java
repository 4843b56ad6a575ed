package org.dino4j.eval.metrics;

import java.util.stream.IntStream;
import org.dino4j.eval.Checks;

/**
 * Quality metrics of an embedding, Euclidean distances, computed exactly in float64 (O(N²) time; rows are
 * processed in parallel, O(N) memory per thread).
 */
public final class ClusterMetrics {
    private ClusterMetrics() {
    }

    /**
     * Trustworthiness (Venna &amp; Kaski 2001):
     * {@code T(k) = 1 − 2 / (N k (2N − 3k − 1)) · Σ_i Σ_{j ∈ U_k(i)} (r(i, j) − k)}, where {@code U_k(i)} are the
     * k nearest neighbours of i in the embedding that are not among its k nearest in the input space, and
     * {@code r(i, j)} is the rank of j among the input-space neighbours of i (1 = nearest). Distance ties are
     * broken by the lower index.
     *
     * @param high input-space points {@code [N][D]}
     * @param low  embedded points {@code [N][d]}
     * @param k    neighbourhood size, 1 ≤ k &lt; N / 2
     * @return T in [0, 1] (1 = no intruders)
     */
    public static double trustworthiness(double[][] high, double[][] low, int k) {
        Checks.matrix("high", high);
        Checks.matrix("low", low);
        int n = high.length;
        if (low.length != n) {
            throw new IllegalArgumentException("high has " + n + " rows but low has " + low.length);
        }
        if (k < 1 || 2 * k >= n) {
            throw new IllegalArgumentException("k must satisfy 1 <= k < N/2, got k = " + k + " for N = " + n);
        }
        double[] penalty = new double[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            double[] dh = new double[n];
            double[] dl = new double[n];
            for (int j = 0; j < n; j++) {
                dh[j] = sq(high[i], high[j]);
                dl[j] = sq(low[i], low[j]);
            }
            int[] lowNbrs = nearest(dl, i, k);
            double s = 0;
            for (int j : lowNbrs) {
                int r = rankOf(dh, i, j);
                if (r > k) {
                    s += r - k;
                }
            }
            penalty[i] = s;
        });
        double total = 0;
        for (double v : penalty) {
            total += v;
        }
        return 1 - 2.0 / ((double) n * k * (2.0 * n - 3.0 * k - 1.0)) * total;
    }

    /** Float overload of {@link #trustworthiness(double[][], double[][], int)}. */
    public static double trustworthiness(float[][] high, double[][] low, int k) {
        return trustworthiness(toDouble("high", high), low, k);
    }

    /**
     * Mean silhouette by label (Rousseeuw 1987): for each point {@code s = (b − a) / max(a, b)} with a the mean
     * distance to the other points of its label and b the smallest mean distance to another label's points;
     * {@code s = 0} for a point alone in its label (as scikit-learn).
     *
     * @param x      points {@code [N][D]}
     * @param labels {@code int[N]}, at least 2 distinct labels and at most N − 1
     * @return mean silhouette in [−1, 1]
     */
    public static double silhouette(double[][] x, int[] labels) {
        Checks.matrix("x", x);
        int n = x.length;
        Checks.labels("labels", labels, n, 0);
        int c = Checks.numClasses(labels);
        int[] size = new int[c];
        for (int l : labels) {
            size[l]++;
        }
        int distinct = 0;
        for (int s : size) {
            distinct += s > 0 ? 1 : 0;
        }
        if (distinct < 2 || distinct > n - 1) {
            throw new IllegalArgumentException("silhouette needs 2 <= number of labels <= N - 1, got "
                    + distinct + " labels for N = " + n);
        }
        double[] s = new double[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            double[] sum = new double[c];
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    sum[labels[j]] += Math.sqrt(sq(x[i], x[j]));
                }
            }
            int own = labels[i];
            if (size[own] == 1) {
                s[i] = 0;
                return;
            }
            double a = sum[own] / (size[own] - 1);
            double b = Double.POSITIVE_INFINITY;
            for (int l = 0; l < c; l++) {
                if (l != own && size[l] > 0) {
                    b = Math.min(b, sum[l] / size[l]);
                }
            }
            double m = Math.max(a, b);
            s[i] = m == 0 ? 0 : (b - a) / m;
        });
        double total = 0;
        for (double v : s) {
            total += v;
        }
        return total / n;
    }

    /** Float overload of {@link #silhouette(double[][], int[])}. */
    public static double silhouette(float[][] x, int[] labels) {
        return silhouette(toDouble("x", x), labels);
    }

    private static double[][] toDouble(String name, float[][] x) {
        Checks.matrix(name, x);
        double[][] d = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            d[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                d[i][j] = x[i][j];
            }
        }
        return d;
    }

    private static double sq(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            double t = a[j] - b[j];
            s += t * t;
        }
        return s;
    }

    /** Rank (1-based) of j among all m ≠ i ordered by (distance, index): 1 + the number that come before j. */
    private static int rankOf(double[] d, int i, int j) {
        int r = 1;
        double dj = d[j];
        for (int m = 0; m < d.length; m++) {
            if (m != i && m != j && (d[m] < dj || (d[m] == dj && m < j))) {
                r++;
            }
        }
        return r;
    }

    /** The k nearest m ≠ i in (distance, index) order, by k selection passes: O(N k). */
    private static int[] nearest(double[] d, int i, int k) {
        int[] out = new int[k];
        int prev = -1;
        for (int t = 0; t < k; t++) {
            int best = -1;
            for (int m = 0; m < d.length; m++) {
                if (m == i) {
                    continue;
                }
                // strictly after prev in the order, and before the current best
                if (prev >= 0 && (d[m] < d[prev] || (d[m] == d[prev] && m <= prev))) {
                    continue;
                }
                if (best < 0 || d[m] < d[best] || (d[m] == d[best] && m < best)) {
                    best = m;
                }
            }
            out[t] = best;
            prev = best;
        }
        return out;
    }
}

package org.dino4j.eval.tsne;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.dino4j.eval.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * t-SNE to 2-D (van der Maaten &amp; Hinton 2008) with the Barnes-Hut approximation (van der Maaten 2014).
 *
 * <ol>
 *   <li>PCA of the input {@code [N, D]} to {@link TsneOptions#pcaDims()} dimensions ({@link Pca}).</li>
 *   <li>Input affinities: {@code p_{j|i} ∝ exp(−β_i ‖x_i − x_j‖²)} with β_i found by bisection so that the
 *       perplexity {@code 2^{H(P_i)}} equals the target (2008, Eq. 1 and Sec. 2); in Barnes-Hut mode only over the
 *       {@code ⌊3·perplexity⌋} nearest neighbours found with a vantage-point tree (2014, Sec. 4.1), otherwise over
 *       all points. Symmetrised {@code p_ij = (p_{j|i} + p_{i|j}) / 2N}.</li>
 *   <li>Gradient descent on KL(P‖Q) with Student-t {@code q_ij = w_ij / Z}, {@code w_ij = (1 + ‖y_i − y_j‖²)⁻¹}:
 *       {@code ∂C/∂y_i = 4 Σ_j (p_ij − q_ij) w_ij (y_i − y_j)} (2008, Eq. 5), the repulsive half by a quadtree
 *       with accuracy θ (2014, Sec. 4.2) or exactly. Early exaggeration α·P for the first iterations, momentum
 *       0.5 → 0.8, per-coordinate gains (+0.2 / ×0.8, floor 0.01; Jacobs 1988), embedding re-centred each
 *       iteration; initial y ~ N(0, 10⁻⁴ I) from the seed.</li>
 * </ol>
 * Deterministic for a seed: parallel loops write per-point results that are then summed in index order.
 */
public final class Tsne {
    private static final double PERPLEXITY_TOL = 1e-5;

    private final TsneOptions options;
    /** Per-thread traversal stacks of the quadtree, reused across iterations. */
    private final ThreadLocal<int[]> stacks = ThreadLocal.withInitial(() -> new int[4096]);

    /** @param options validated options, e.g. {@link TsneOptions#defaults(long)} */
    public Tsne(TsneOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options is missing (null)");
        }
        this.options = options;
    }

    /** Runs t-SNE on float features {@code [N][D]}. */
    public TsneResult fit(float[][] x) {
        Checks.matrix("tsneInput", x);
        double[][] xd = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            xd[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                xd[i][j] = x[i][j];
            }
        }
        return fit(xd);
    }

    /** Runs t-SNE on INDArray features {@code [N, D]}. */
    public TsneResult fit(INDArray x) {
        return fit(Checks.matrix("tsneInput", x));
    }

    /**
     * Runs t-SNE on features {@code [N][D]} (not modified).
     *
     * @throws IllegalArgumentException empty/ragged/non-finite input, or N too small for the perplexity
     *                                  ({@code 3·perplexity ≤ N − 1} is required; the message names both)
     */
    public TsneResult fit(double[][] x) {
        long t0 = System.nanoTime();
        Checks.matrix("tsneInput", x);
        int n = x.length;
        if (3 * options.perplexity() > n - 1) {
            throw new IllegalArgumentException("perplexity " + options.perplexity() + " is too large for "
                    + n + " points: need 3 * perplexity <= N - 1");
        }
        double[][] xp = Pca.project(x, options.pcaDims());
        Affinities p = affinities(xp);
        double[][] y = new double[n][2];
        Random rng = new Random(options.seed());
        for (double[] row : y) {
            row[0] = 1e-4 * rng.nextGaussian();
            row[1] = 1e-4 * rng.nextGaussian();
        }
        double[][] grad = new double[n][2];
        double[][] update = new double[n][2];
        double[][] gains = new double[n][2];
        for (double[] g : gains) {
            Arrays.fill(g, 1.0);
        }
        double[] zi = new double[n];
        QuadTree tree = new QuadTree();
        double lastZ = 0;
        for (int it = 0; it < options.iterations(); it++) {
            boolean early = it < options.exaggerationIterations();
            double exag = early ? options.earlyExaggeration() : 1.0;
            double mom = early ? options.initialMomentum() : options.finalMomentum();
            lastZ = gradient(p, y, exag, grad, zi, tree);
            double eta = options.learningRate();
            for (int i = 0; i < n; i++) {
                for (int d = 0; d < 2; d++) {
                    double g = grad[i][d];
                    double u = update[i][d];
                    double gain = (Math.signum(g) != Math.signum(u)) ? gains[i][d] + 0.2 : gains[i][d] * 0.8;
                    gains[i][d] = Math.max(gain, 0.01);
                    update[i][d] = mom * u - eta * gains[i][d] * g;
                    y[i][d] += update[i][d];
                }
            }
            double mx = 0;
            double my = 0;
            for (double[] row : y) {
                mx += row[0];
                my += row[1];
            }
            mx /= n;
            my /= n;
            for (double[] row : y) {
                row[0] -= mx;
                row[1] -= my;
            }
        }
        // final KL with the final positions
        lastZ = gradient(p, y, 1.0, grad, zi, tree);
        double kl = 0;
        for (int i = 0; i < n; i++) {
            for (int e = p.rowStart[i]; e < p.rowStart[i + 1]; e++) {
                int j = p.col[e];
                double pij = p.val[e];
                if (pij > 0) {
                    double dx = y[i][0] - y[j][0];
                    double dy = y[i][1] - y[j][1];
                    double q = 1 / (1 + dx * dx + dy * dy) / lastZ;
                    kl += pij * Math.log(pij / Math.max(q, Double.MIN_NORMAL));
                }
            }
        }
        return new TsneResult(y, kl, options.iterations(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** Input affinities of already-reduced points: dense in exact mode, 3·perplexity-sparse otherwise. */
    Affinities affinities(double[][] xp) {
        return options.exact() ? denseAffinities(xp, options.perplexity())
                : sparseAffinities(xp, options.perplexity(), new Random(options.seed()));
    }

    /** The gradient at y (allocating scratch; for tests). Returns Z. */
    double gradient(Affinities p, double[][] y, double exag, double[][] grad) {
        return gradient(p, y, exag, grad, new double[y.length], new QuadTree());
    }

    /** Symmetric affinities in compressed-sparse-row form (a dense P is stored as full rows). */
    static final class Affinities {
        final int[] rowStart;
        final int[] col;
        final double[] val;

        Affinities(int[] rowStart, int[] col, double[] val) {
            this.rowStart = rowStart;
            this.col = col;
            this.val = val;
        }
    }

    /**
     * Writes into {@code grad} the KL gradient {@code 4 Σ_j (α p_ij − q_ij) w_ij (y_i − y_j)}; returns Z.
     */
    private double gradient(Affinities p, double[][] y, double exag, double[][] grad, double[] zi, QuadTree tree) {
        int n = y.length;
        if (!options.exact()) {
            tree.build(y);
        }
        double theta = options.theta();
        boolean exact = options.exact();
        // repulsive part (unnormalised) into grad, Z_i into zi
        IntStream.range(0, n).parallel().forEach(i -> {
            double[] f = grad[i];
            f[0] = 0;
            f[1] = 0;
            if (exact) {
                double z = 0;
                double yx = y[i][0];
                double yy = y[i][1];
                for (int j = 0; j < n; j++) {
                    if (j == i) {
                        continue;
                    }
                    double dx = yx - y[j][0];
                    double dy = yy - y[j][1];
                    double w = 1 / (1 + dx * dx + dy * dy);
                    z += w;
                    f[0] += w * w * dx;
                    f[1] += w * w * dy;
                }
                zi[i] = z;
            } else {
                zi[i] = tree.repulsion(i, theta, f, stacks.get());
            }
        });
        double z = 0;
        for (double v : zi) {
            z += v;
        }
        final double invZ = 1 / z;
        IntStream.range(0, n).parallel().forEach(i -> {
            double ax = 0;
            double ay = 0;
            double yx = y[i][0];
            double yy = y[i][1];
            for (int e = p.rowStart[i]; e < p.rowStart[i + 1]; e++) {
                int j = p.col[e];
                double dx = yx - y[j][0];
                double dy = yy - y[j][1];
                double w = 1 / (1 + dx * dx + dy * dy);
                double pw = exag * p.val[e] * w;
                ax += pw * dx;
                ay += pw * dy;
            }
            grad[i][0] = 4 * (ax - grad[i][0] * invZ);
            grad[i][1] = 4 * (ay - grad[i][1] * invZ);
        });
        return z;
    }

    /**
     * Conditional probabilities {@code p_{j|i}} for one point from its squared distances {@code d2[0..len)},
     * by bisection on β so that the entropy is {@code ln(perplexity)}. Writes into {@code out[0..len)}.
     */
    static void conditional(double[] d2, int len, double perplexity, double[] out) {
        double target = Math.log(perplexity);
        double dmin = Double.POSITIVE_INFINITY;
        for (int j = 0; j < len; j++) {
            dmin = Math.min(dmin, d2[j]);
        }
        double beta = 1;
        double lo = 0;
        double hi = Double.POSITIVE_INFINITY;
        for (int iter = 0; iter < 200; iter++) {
            double sum = 0;
            double sumDP = 0;
            for (int j = 0; j < len; j++) {
                double e = Math.exp(-beta * (d2[j] - dmin));
                out[j] = e;
                sum += e;
                sumDP += (d2[j] - dmin) * e;
            }
            // H = ln(sum) + β·E[d − dmin]
            double h = Math.log(sum) + beta * sumDP / sum;
            for (int j = 0; j < len; j++) {
                out[j] /= sum;
            }
            double diff = h - target;
            if (Math.abs(diff) < PERPLEXITY_TOL) {
                return;
            }
            if (diff > 0) { // entropy too high: sharpen
                lo = beta;
                beta = Double.isInfinite(hi) ? beta * 2 : (beta + hi) / 2;
            } else {
                hi = beta;
                beta = (beta + lo) / 2;
            }
        }
    }

    private static Affinities denseAffinities(double[][] x, double perplexity) {
        int n = x.length;
        double[][] cond = new double[n][n];
        IntStream.range(0, n).parallel().forEach(i -> {
            double[] d2 = new double[n - 1];
            double[] out = new double[n - 1];
            int[] idx = new int[n - 1];
            int c = 0;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    double s = 0;
                    for (int k = 0; k < x[i].length; k++) {
                        double t = x[i][k] - x[j][k];
                        s += t * t;
                    }
                    d2[c] = s;
                    idx[c++] = j;
                }
            }
            conditional(d2, n - 1, perplexity, out);
            for (int t = 0; t < n - 1; t++) {
                cond[i][idx[t]] = out[t];
            }
        });
        int[] rowStart = new int[n + 1];
        int[] col = new int[n * (n - 1)];
        double[] val = new double[n * (n - 1)];
        int e = 0;
        for (int i = 0; i < n; i++) {
            rowStart[i] = e;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    col[e] = j;
                    val[e++] = (cond[i][j] + cond[j][i]) / (2.0 * n);
                }
            }
        }
        rowStart[n] = e;
        return new Affinities(rowStart, col, val);
    }

    private static Affinities sparseAffinities(double[][] x, double perplexity, Random rng) {
        int n = x.length;
        int k = Math.min(n - 1, (int) Math.floor(3 * perplexity));
        VpTree tree = new VpTree(x, rng);
        int[] nbr = new int[n * k];
        double[] cp = new double[n * k];
        IntStream.range(0, n).parallel().forEach(i -> {
            int[] idx = new int[k];
            double[] dist = new double[k];
            tree.search(i, k, idx, dist);
            double[] d2 = new double[k];
            for (int t = 0; t < k; t++) {
                d2[t] = dist[t] * dist[t];
            }
            double[] out = new double[k];
            conditional(d2, k, perplexity, out);
            System.arraycopy(idx, 0, nbr, i * k, k);
            System.arraycopy(out, 0, cp, i * k, k);
        });
        // symmetrise: entries (i, j, p_j|i) and (j, i, p_j|i), then merge duplicates per row
        int[] cnt = new int[n + 1];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < k; t++) {
                cnt[i]++;
                cnt[nbr[i * k + t]]++;
            }
        }
        int[] start = new int[n + 1];
        for (int i = 0; i < n; i++) {
            start[i + 1] = start[i] + cnt[i];
        }
        int[] fill = Arrays.copyOf(start, n);
        int[] cols = new int[start[n]];
        double[] vals = new double[start[n]];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < k; t++) {
                int j = nbr[i * k + t];
                double v = cp[i * k + t];
                cols[fill[i]] = j;
                vals[fill[i]++] = v;
                cols[fill[j]] = i;
                vals[fill[j]++] = v;
            }
        }
        int[] rowStart = new int[n + 1];
        int[] outCol = new int[start[n]];
        double[] outVal = new double[start[n]];
        int e = 0;
        for (int i = 0; i < n; i++) {
            rowStart[i] = e;
            int a = start[i];
            int b = start[i + 1];
            Integer[] order = new Integer[b - a];
            for (int t = 0; t < order.length; t++) {
                order[t] = a + t;
            }
            Arrays.sort(order, (u, v) -> Integer.compare(cols[u], cols[v]));
            for (int t = 0; t < order.length; t++) {
                int src = order[t];
                if (e > rowStart[i] && outCol[e - 1] == cols[src]) {
                    outVal[e - 1] += vals[src];
                } else {
                    outCol[e] = cols[src];
                    outVal[e++] = vals[src];
                }
            }
        }
        rowStart[n] = e;
        double norm = 1.0 / (2.0 * n);
        for (int t = 0; t < e; t++) {
            outVal[t] *= norm;
        }
        return new Affinities(rowStart, Arrays.copyOf(outCol, e), Arrays.copyOf(outVal, e));
    }
}

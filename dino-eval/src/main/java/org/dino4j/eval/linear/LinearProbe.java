package org.dino4j.eval.linear;

import java.util.Random;
import org.dino4j.eval.Checks;

/**
 * Linear probe on frozen features: multinomial logistic regression {@code p = softmax(W x + b)} minimising the
 * mean cross-entropy + {@code λ/2 ‖W‖²} by mini-batch SGD with momentum and a cosine schedule (see
 * {@link LinearProbeOptions}). Plain Java in float64; per-step buffers are allocated once.
 * Cost: {@code epochs · N · C · D · 4} flops (N = 60 000, D = 128, C = 10, 100 epochs ≈ 3·10¹⁰).
 */
public final class LinearProbe {
    private final LinearProbeOptions options;

    /** @param options validated options, e.g. {@link LinearProbeOptions#defaults(long)} */
    public LinearProbe(LinearProbeOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options is missing (null)");
        }
        this.options = options;
    }

    /**
     * Trains on {@code train} and evaluates on {@code test}.
     *
     * @param numClasses C ≥ 1, or 0 to use max label + 1
     * @throws IllegalArgumentException empty sets, mismatched dimensions, non-finite values, missing labels
     * @throws IllegalStateException    if training diverges (non-finite loss: lower the learning rate)
     */
    public LinearProbeResult fit(float[][] train, int[] trainLabels, float[][] test, int[] testLabels,
                                 int numClasses) {
        Checks.matrix("trainFeatures", train);
        Checks.matrix("testFeatures", test);
        if (train[0].length != test[0].length) {
            throw new IllegalArgumentException("trainFeatures has dimension " + train[0].length
                    + " but testFeatures has dimension " + test[0].length);
        }
        if (numClasses < 0) {
            throw new IllegalArgumentException("numClasses must be >= 0 (0 = infer), got " + numClasses);
        }
        Checks.labels("trainLabels", trainLabels, train.length, numClasses);
        Checks.labels("testLabels", testLabels, test.length, numClasses);
        int c = numClasses > 0 ? numClasses : Checks.numClasses(trainLabels, testLabels);
        int n = train.length;
        int d = train[0].length;
        double[][] w = new double[c][d];
        double[] b = new double[c];
        double[][] gw = new double[c][d];
        double[] gb = new double[c];
        double[][] vw = new double[c][d];
        double[] vb = new double[c];
        double[] logits = new double[c];
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        Random rng = new Random(options.seed());
        int bs = Math.min(options.batchSize(), n);
        int stepsPerEpoch = (n + bs - 1) / bs;
        long totalSteps = (long) stepsPerEpoch * options.epochs();
        long step = 0;
        for (int epoch = 0; epoch < options.epochs(); epoch++) {
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            for (int start = 0; start < n; start += bs) {
                int end = Math.min(n, start + bs);
                double loss = lossAndGradient(w, b, train, trainLabels, perm, start, end, options.weightDecay(),
                        gw, gb, logits);
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("linear probe diverged at epoch " + epoch
                            + " (loss " + loss + "): lower learningRate (" + options.learningRate() + ")");
                }
                double lr = options.learningRate() * 0.5 * (1 + Math.cos(Math.PI * step / totalSteps));
                double mu = options.momentum();
                for (int k = 0; k < c; k++) {
                    double[] wk = w[k];
                    double[] vk = vw[k];
                    double[] gk = gw[k];
                    for (int j = 0; j < d; j++) {
                        vk[j] = mu * vk[j] + gk[j];
                        wk[j] -= lr * vk[j];
                    }
                    vb[k] = mu * vb[k] + gb[k];
                    b[k] -= lr * vb[k];
                }
                step++;
            }
        }
        int[] trainPred = predict(w, b, train);
        int[] testPred = predict(w, b, test);
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        double trainLoss = lossAndGradient(w, b, train, trainLabels, perm, 0, n, 0, gw, gb, logits);
        return new LinearProbeResult(accuracy(trainPred, trainLabels), accuracy(testPred, testLabels), trainLoss,
                w, b, testPred);
    }

    /**
     * Mean cross-entropy over rows {@code idx[start, end)} plus {@code λ/2 ‖W‖²}; writes its gradient into
     * {@code gw [C][D]} and {@code gb [C]}: {@code ∂/∂W = (1/B) Σ (p − onehot(y)) xᵀ + λW}.
     */
    static double lossAndGradient(double[][] w, double[] b, float[][] x, int[] y, int[] idx, int start, int end,
                                  double lambda, double[][] gw, double[] gb, double[] logits) {
        int c = b.length;
        int d = w[0].length;
        for (int k = 0; k < c; k++) {
            java.util.Arrays.fill(gw[k], 0);
        }
        java.util.Arrays.fill(gb, 0);
        double loss = 0;
        int m = end - start;
        for (int t = start; t < end; t++) {
            float[] xi = x[idx[t]];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) {
                double s = b[k];
                double[] wk = w[k];
                for (int j = 0; j < d; j++) {
                    s += wk[j] * xi[j];
                }
                logits[k] = s;
                max = Math.max(max, s);
            }
            int yi = y[idx[t]];
            double zy = logits[yi] - max;
            double sum = 0;
            for (int k = 0; k < c; k++) {
                logits[k] = Math.exp(logits[k] - max);
                sum += logits[k];
            }
            loss += Math.log(sum) - zy; // −log softmax, stable: sum ≥ 1
            for (int k = 0; k < c; k++) {
                double g = (logits[k] / sum - (k == yi ? 1 : 0)) / m;
                gb[k] += g;
                double[] gk = gw[k];
                for (int j = 0; j < d; j++) {
                    gk[j] += g * xi[j];
                }
            }
        }
        loss /= m;
        if (lambda > 0) {
            double sq = 0;
            for (int k = 0; k < c; k++) {
                for (int j = 0; j < d; j++) {
                    sq += w[k][j] * w[k][j];
                    gw[k][j] += lambda * w[k][j];
                }
            }
            loss += 0.5 * lambda * sq;
        }
        return loss;
    }

    /** Argmax of {@code W x + b} per row (ties to the lower class). */
    public static int[] predict(double[][] w, double[] b, float[][] x) {
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            int best = 0;
            double bestS = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < b.length; k++) {
                double s = b[k];
                for (int j = 0; j < w[k].length; j++) {
                    s += w[k][j] * x[i][j];
                }
                if (s > bestS) {
                    bestS = s;
                    best = k;
                }
            }
            out[i] = best;
        }
        return out;
    }

    private static double accuracy(int[] pred, int[] y) {
        int hits = 0;
        for (int i = 0; i < y.length; i++) {
            hits += pred[i] == y[i] ? 1 : 0;
        }
        return (double) hits / y.length;
    }
}

package org.dino4j.eval.knn;

import org.dino4j.eval.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Weighted k-NN classifier on frozen features, as in DINO (Caron et al. 2021, Sec. 4.1; Wu et al. 2018):
 * features are L2-normalised, similarity is the cosine {@code s = q·m}, the k most similar memory rows vote for
 * their label with weight {@code exp(s / T)}, and classes are ranked by their summed weight.
 *
 * <p>The pieces, each usable alone (dino-spark runs them per partition): {@link NearestNeighbours} finds the
 * neighbours (a float32 matrix multiply shortlists, a float64 re-score ranks, so the result does not depend on
 * how the work is split), {@link KnnVoter} votes, {@link KnnTally} counts.
 *
 * <p><b>Memory</b>: queries are processed in chunks of {@link KnnOptions#chunkSize()} rows; one reusable
 * {@code [chunk, N]} float32 similarity matrix (ND4J matrix multiply) is the only large buffer, so 60 000 memory
 * rows × 10 000 queries never materialise the full 2.4 GB matrix. Top-k selection runs per row in Java with a
 * bounded heap (rows in parallel). Works for any number of queries ≥ 1 (the reference code divides by zero
 * below 100 queries).
 *
 * <p><b>Ties</b>: neighbours are ordered by similarity (descending), equal similarities by memory index
 * (ascending: the lower index wins). Classes are ordered by summed weight (descending), equal weights by class
 * index (ascending). Top-5 counts a hit when the label is among the first {@code min(5, C)} classes of that
 * order (classes with no vote included, lowest index first).
 *
 * <p>Inputs need not be normalised: rows are L2-normalised internally (a copy); NaN/Inf → exception.
 */
public final class WeightedKnn {
    private final KnnOptions options;

    /** @param options validated options (see {@link KnnOptions#defaults()}) */
    public WeightedKnn(KnnOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options is missing (null)");
        }
        this.options = options;
    }

    /** The options. */
    public KnnOptions options() {
        return options;
    }

    /** Same as {@link #evaluate(float[][], int[], float[][], int[], int)} for INDArray features {@code [N, D]}, {@code [M, D]}. */
    public KnnResult evaluate(INDArray train, int[] trainLabels, INDArray test, int[] testLabels, int numClasses) {
        return evaluate(Checks.matrix("trainFeatures", train), trainLabels, Checks.matrix("testFeatures", test),
                testLabels, numClasses);
    }

    /**
     * Classifies every query row against the memory set and scores the predictions.
     *
     * @param train       memory features {@code [N][D]}
     * @param trainLabels memory labels {@code int[N]} in [0, C)
     * @param test        query features {@code [M][D]}
     * @param testLabels  query labels {@code int[M]} in [0, C)
     * @param numClasses  C ≥ 1; or 0 to use max label + 1
     * @throws IllegalArgumentException empty sets, mismatched dimensions, non-finite values, missing or
     *                                  out-of-range labels, or a k larger than N (naming both numbers)
     */
    public KnnResult evaluate(float[][] train, int[] trainLabels, float[][] test, int[] testLabels, int numClasses) {
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
        int m = test.length;
        int maxK = options.maxK();
        if (maxK > n) {
            throw new IllegalArgumentException("k = " + maxK + " is larger than the memory set of " + n
                    + " rows");
        }
        int[] ks = options.ks();
        KnnVoter voter = new KnnVoter(options, c);
        int[][] predictions = new int[ks.length][m];
        boolean[][] top5 = new boolean[ks.length][m];
        ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(() -> new Scratch(maxK, c, ks.length));
        new NearestNeighbours(train).search(test, maxK, options.chunkSize(), true, (q, sims, rows, count) -> {
            Scratch sc = scratch.get();
            for (int t = 0; t < count; t++) {
                sc.labels[t] = trainLabels[rows[t]];
            }
            voter.vote(sims, sc.labels, testLabels[q], sc.scores, sc.pred, sc.top5);
            for (int ki = 0; ki < ks.length; ki++) {
                predictions[ki][q] = sc.pred[ki];
                top5[ki][q] = sc.top5[ki];
            }
        });
        KnnTally tally = new KnnTally(ks, c);
        int[] pred = new int[ks.length];
        boolean[] hit5 = new boolean[ks.length];
        for (int q = 0; q < m; q++) {
            for (int ki = 0; ki < ks.length; ki++) {
                pred[ki] = predictions[ki][q];
                hit5[ki] = top5[ki][q];
            }
            tally.add(testLabels[q], pred, hit5);
        }
        return tally.result(n, options.temperature(), predictions);
    }

    /** Per-thread buffers: neighbour labels, class scores, one query's votes. */
    private static final class Scratch {
        final int[] labels;
        final double[] scores;
        final int[] pred;
        final boolean[] top5;

        Scratch(int k, int c, int numK) {
            labels = new int[k];
            scores = new double[c];
            pred = new int[numK];
            top5 = new boolean[numK];
        }
    }
}

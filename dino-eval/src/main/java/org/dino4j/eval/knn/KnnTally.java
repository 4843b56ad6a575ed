package org.dino4j.eval.knn;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts behind a {@link KnnResult}: per k, the confusion matrix {@code [true][predicted]} and the top-5 hits.
 * Tallies of disjoint query sets merge by addition ({@link #merge}), so a distributed job can count per
 * partition and combine.
 */
public final class KnnTally implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] ks;
    private final int numClasses;
    private final long[][][] confusion;
    private final long[] top5Hits;

    /**
     * @param ks         the k values, in the order of the result
     * @param numClasses C ≥ 1
     */
    public KnnTally(int[] ks, int numClasses) {
        if (ks == null || ks.length == 0) {
            throw new IllegalArgumentException("ks must list at least one k");
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        }
        this.ks = ks.clone();
        this.numClasses = numClasses;
        this.confusion = new long[ks.length][numClasses][numClasses];
        this.top5Hits = new long[ks.length];
    }

    /** Adds one query: its class and, per k (options order), the prediction and the top-5 hit. */
    public void add(int label, int[] predictions, boolean[] top5) {
        for (int i = 0; i < ks.length; i++) {
            add(i, label, predictions[i], top5[i], 1);
        }
    }

    /**
     * Adds {@code count} queries of class {@code label} predicted as {@code predicted} for the {@code kIndex}-th k.
     *
     * @throws IllegalArgumentException for an index or class out of range, or a negative count
     */
    public void add(int kIndex, int label, int predicted, boolean top5, long count) {
        if (kIndex < 0 || kIndex >= ks.length) {
            throw new IllegalArgumentException("k index " + kIndex + " outside [0, " + ks.length + ")");
        }
        if (label < 0 || label >= numClasses || predicted < 0 || predicted >= numClasses) {
            throw new IllegalArgumentException("class out of [0, " + numClasses + "): label " + label + ", predicted "
                    + predicted);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        confusion[kIndex][label][predicted] += count;
        if (top5) {
            top5Hits[kIndex] += count;
        }
    }

    /** Adds the counts of another tally of the same ks and classes into this one; returns this. */
    public KnnTally merge(KnnTally other) {
        if (!java.util.Arrays.equals(ks, other.ks) || numClasses != other.numClasses) {
            throw new IllegalArgumentException("cannot merge a tally of ks " + java.util.Arrays.toString(other.ks)
                    + " and " + other.numClasses + " classes into one of " + java.util.Arrays.toString(ks) + " and "
                    + numClasses);
        }
        for (int i = 0; i < ks.length; i++) {
            for (int a = 0; a < numClasses; a++) {
                for (int b = 0; b < numClasses; b++) {
                    confusion[i][a][b] += other.confusion[i][a][b];
                }
            }
            top5Hits[i] += other.top5Hits[i];
        }
        return this;
    }

    /** Number of queries counted (for the first k). */
    public long queries() {
        long s = 0;
        for (long[] row : confusion[0]) {
            for (long v : row) {
                s += v;
            }
        }
        return s;
    }

    /**
     * The result: top-1, top-5, per-class accuracy and confusion per k.
     *
     * @param memorySize  N
     * @param temperature T
     * @param predictions per k (options order) the prediction of each query in query order, or null when the
     *                    caller keeps them elsewhere (then each {@link KnnResult.PerK#predictions()} is empty)
     * @throws IllegalArgumentException when no query was counted
     */
    public KnnResult result(int memorySize, double temperature, int[][] predictions) {
        long m = queries();
        if (m == 0) {
            throw new IllegalArgumentException("no query was counted");
        }
        List<KnnResult.PerK> perK = new ArrayList<>();
        for (int i = 0; i < ks.length; i++) {
            long[][] conf = new long[numClasses][];
            double[] perClass = new double[numClasses];
            long hits1 = 0;
            for (int a = 0; a < numClasses; a++) {
                conf[a] = confusion[i][a].clone();
                long total = 0;
                for (long v : conf[a]) {
                    total += v;
                }
                hits1 += conf[a][a];
                perClass[a] = total == 0 ? Double.NaN : (double) conf[a][a] / total;
            }
            perK.add(new KnnResult.PerK(ks[i], (double) hits1 / m, (double) top5Hits[i] / m, perClass, conf,
                    predictions == null ? new int[0] : predictions[i]));
        }
        return new KnnResult(memorySize, Math.toIntExact(m), numClasses, temperature, perK);
    }
}

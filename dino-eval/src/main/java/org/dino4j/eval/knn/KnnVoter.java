package org.dino4j.eval.knn;

import java.util.Arrays;

/**
 * The weighted vote of DINO's k-NN classifier (Caron et al. 2021, Sec. 4.1; Wu et al. 2018) for one query, for
 * every k of the options at once: neighbour t (best first) adds {@code exp(s_t / T)} to its class, classes are
 * ranked by summed weight (descending; equal weights → lower class index first), the top class is the
 * prediction and top-5 is a hit when the query's label is among the first {@code min(5, C)} classes of that
 * order. The weights use {@link StrictMath#exp}, so the same neighbours give the same vote on every JVM.
 *
 * <p>Stateless apart from its options; safe to share between threads (each caller passes its own buffers).
 */
public final class KnnVoter implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] ks;
    /** Indices into {@link #ks} in increasing order of k. */
    private final int[] byK;
    private final int maxK;
    private final double invT;
    private final int numClasses;
    private final int top5Count;

    /**
     * @param options    the ks and the temperature T
     * @param numClasses C ≥ 1
     */
    public KnnVoter(KnnOptions options, int numClasses) {
        if (options == null) {
            throw new IllegalArgumentException("options is missing (null)");
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        }
        this.ks = options.ks();
        this.byK = java.util.stream.IntStream.range(0, ks.length).boxed()
                .sorted((a, b) -> Integer.compare(ks[a], ks[b])).mapToInt(Integer::intValue).toArray();
        this.maxK = options.maxK();
        this.invT = 1.0 / options.temperature();
        this.numClasses = numClasses;
        this.top5Count = Math.min(5, numClasses);
    }

    /** C. */
    public int numClasses() {
        return numClasses;
    }

    /** The largest k: how many neighbours {@link #vote} needs. */
    public int maxK() {
        return maxK;
    }

    /**
     * Votes for every k of the options.
     *
     * @param sims        neighbour similarities, best first (at least {@link #maxK()} entries)
     * @param labels      the neighbours' classes in [0, C), same order
     * @param label       the query's class (for top-5), or −1 when unknown (top-5 then false)
     * @param scores      scratch of length ≥ C (overwritten)
     * @param predictions out: {@code predictions[i]} = top class for the i-th k of the options
     * @param top5        out: {@code top5[i]} = label among the first min(5, C) classes for the i-th k
     */
    public void vote(double[] sims, int[] labels, int label, double[] scores, int[] predictions, boolean[] top5) {
        Arrays.fill(scores, 0, numClasses, 0.0);
        int t = 0;
        for (int i : byK) {
            // class sums are accumulated neighbour by neighbour in rank order; each k reads them after its k-th
            for (; t < ks[i]; t++) {
                scores[labels[t]] += StrictMath.exp(sims[t] * invT);
            }
            int best = 0;
            for (int c = 1; c < numClasses; c++) {
                if (scores[c] > scores[best]) {
                    best = c;
                }
            }
            predictions[i] = best;
            if (label < 0) {
                top5[i] = false;
                continue;
            }
            int ahead = 0; // classes ranked before the true label
            double own = scores[label];
            for (int c = 0; c < numClasses; c++) {
                if (scores[c] > own || (scores[c] == own && c < label)) {
                    ahead++;
                }
            }
            top5[i] = ahead < top5Count;
        }
    }
}

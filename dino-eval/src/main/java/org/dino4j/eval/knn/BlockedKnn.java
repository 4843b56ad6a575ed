package org.dino4j.eval.knn;

import org.dino4j.eval.Checks;

/**
 * {@link WeightedKnn} with the memory arriving in blocks, for memories too large to hold at once (raw pixels of
 * 60,000 images are 188 MB as floats, and a whole-memory search keeps three copies of them): each block is searched
 * for the k nearest rows of every query ({@link NearestNeighbours}), the per-query lists are merged (similarity
 * descending, equal similarity → lower memory index first, indices counted over all blocks in arrival order), and
 * the vote runs on the merged lists. Because {@link NearestNeighbours} ranks by an exact float64 score, the result is
 * exactly {@link WeightedKnn#evaluate}'s on the concatenated memory, whatever the block sizes.
 *
 * <pre>{@code
 * BlockedKnn knn = new BlockedKnn(KnnOptions.defaults(), queryFeatures, queryLabels, numClasses);
 * for (each block of memory rows) knn.add(blockFeatures, blockLabels);
 * KnnResult r = knn.result();
 * }</pre>
 *
 * <p>Holds the queries, M × max k neighbour entries and one block at a time. Not thread-safe.
 */
public final class BlockedKnn {
    private final KnnOptions options;
    private final float[][] queries;
    private final int[] queryLabels;
    private final int numClasses;
    private final int maxK;
    private final double[][] sims;
    private final int[][] rows;
    private final int[][] labels;
    private final int[] count;
    private int memorySize;

    /**
     * @param options     the ks, T and the query chunk size
     * @param queries     query features {@code [M][D]}, finite (normalised internally)
     * @param queryLabels their classes in [0, C)
     * @param numClasses  C ≥ 1
     * @throws IllegalArgumentException for empty or ragged queries, labels of the wrong count or range, C &lt; 1
     */
    public BlockedKnn(KnnOptions options, float[][] queries, int[] queryLabels, int numClasses) {
        if (options == null) {
            throw new IllegalArgumentException("options is missing (null)");
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        }
        Checks.matrix("queryFeatures", queries);
        Checks.labels("queryLabels", queryLabels, queries.length, numClasses);
        this.options = options;
        this.queries = queries;
        this.queryLabels = queryLabels;
        this.numClasses = numClasses;
        this.maxK = options.maxK();
        int m = queries.length;
        this.sims = new double[m][maxK];
        this.rows = new int[m][maxK];
        this.labels = new int[m][maxK];
        this.count = new int[m];
    }

    /**
     * Searches one block of memory rows and merges its neighbours into every query's list.
     *
     * @param block       memory features {@code [N_b][D]}, same D as the queries, finite
     * @param blockLabels their classes in [0, C)
     * @throws IllegalArgumentException for an empty block, a dimension other than the queries', bad labels
     */
    public void add(float[][] block, int[] blockLabels) {
        Checks.matrix("memory block", block);
        if (block[0].length != queries[0].length) {
            throw new IllegalArgumentException("memory block has dimension " + block[0].length
                    + " but the queries have dimension " + queries[0].length);
        }
        Checks.labels("memory block labels", blockLabels, block.length, numClasses);
        int base = memorySize;
        int k = Math.min(maxK, block.length);
        new NearestNeighbours(block).search(queries, k, options.chunkSize(), true,
                (q, s, r, c) -> merge(q, s, r, c, base, blockLabels));
        memorySize += block.length;
    }

    /** Merges a block's list (best first, block-local rows) into query q's list; each q is touched by one thread. */
    private void merge(int q, double[] s, int[] r, int c, int base, int[] blockLabels) {
        double[] os = sims[q];
        int[] or = rows[q];
        int[] ol = labels[q];
        int n = count[q];
        int out = Math.min(maxK, n + c);
        double[] ms = new double[out];
        int[] mr = new int[out];
        int[] ml = new int[out];
        int i = 0;
        int j = 0;
        for (int t = 0; t < out; t++) {
            // earlier blocks hold lower global indices, so on equal similarity the old entry goes first
            if (j >= c || (i < n && os[i] >= s[j])) {
                ms[t] = os[i];
                mr[t] = or[i];
                ml[t] = ol[i];
                i++;
            } else {
                ms[t] = s[j];
                mr[t] = base + r[j];
                ml[t] = blockLabels[r[j]];
                j++;
            }
        }
        System.arraycopy(ms, 0, os, 0, out);
        System.arraycopy(mr, 0, or, 0, out);
        System.arraycopy(ml, 0, ol, 0, out);
        count[q] = out;
    }

    /** @return the number of memory rows added so far */
    public int memorySize() {
        return memorySize;
    }

    /**
     * Votes on the merged lists.
     *
     * @return accuracies per k and the predictions, as {@link WeightedKnn#evaluate}
     * @throws IllegalStateException when fewer memory rows than the largest k were added
     */
    public KnnResult result() {
        if (memorySize < maxK) {
            throw new IllegalStateException("k = " + maxK + " is larger than the memory set of " + memorySize
                    + " rows added");
        }
        int[] ks = options.ks();
        KnnVoter voter = new KnnVoter(options, numClasses);
        KnnTally tally = new KnnTally(ks, numClasses);
        int m = queries.length;
        int[][] predictions = new int[ks.length][m];
        double[] scores = new double[numClasses];
        int[] pred = new int[ks.length];
        boolean[] top5 = new boolean[ks.length];
        for (int q = 0; q < m; q++) {
            voter.vote(sims[q], labels[q], queryLabels[q], scores, pred, top5);
            for (int ki = 0; ki < ks.length; ki++) {
                predictions[ki][q] = pred[ki];
            }
            tally.add(queryLabels[q], pred, top5);
        }
        return tally.result(memorySize, options.temperature(), predictions);
    }
}

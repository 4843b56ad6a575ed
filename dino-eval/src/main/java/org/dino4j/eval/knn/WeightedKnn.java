package org.dino4j.eval.knn;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.dino4j.eval.Checks;
import org.dino4j.eval.features.Features;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Weighted k-NN classifier on frozen features, as in DINO (Caron et al. 2021, Sec. 4.1; Wu et al. 2018):
 * features are L2-normalised, similarity is the cosine {@code s = q·m}, the k most similar memory rows vote for
 * their label with weight {@code exp(s / T)}, and classes are ranked by their summed weight.
 *
 * <p><b>Memory</b>: queries are processed in chunks of {@link KnnOptions#chunkSize()} rows; one reusable
 * {@code [chunk, N]} float32 similarity matrix (ND4J matrix multiply) is the only large buffer, so 60 000 memory
 * rows × 10 000 queries never materialise the full 2.4 GB matrix. Top-k selection runs per row in Java with a
 * bounded heap of max(k) entries (rows in parallel). Works for any number of queries ≥ 1 (the reference code
 * divides by zero below 100 queries).
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
        int d = train[0].length;
        int maxK = options.maxK();
        if (maxK > n) {
            throw new IllegalArgumentException("k = " + maxK + " is larger than the memory set of " + n
                    + " rows");
        }
        INDArray mem = normalisedCopy(train);
        INDArray queries = normalisedCopy(test);
        int[] ks = options.ks();
        int[][] predictions = new int[ks.length][m];
        boolean[][] top5 = new boolean[ks.length][m];
        int chunk = Math.min(options.chunkSize(), m);
        INDArray simFull = Nd4j.create(DataType.FLOAT, chunk, n);
        INDArray simTail = null;
        int top5Count = Math.min(5, c);
        float[] simRows = new float[chunk * n];
        double invT = 1.0 / options.temperature();
        ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(() -> new Scratch(maxK, c));
        INDArray memT = mem.transpose();
        for (int start = 0; start < m; start += chunk) {
            int rows = Math.min(chunk, m - start);
            INDArray sim;
            if (rows == chunk) {
                sim = simFull;
            } else {
                if (simTail == null) {
                    simTail = Nd4j.create(DataType.FLOAT, rows, n);
                }
                sim = simTail;
            }
            INDArray q = queries.get(NDArrayIndex.interval(start, start + rows), NDArrayIndex.all());
            q.mmul(memT, sim);
            FloatBuffer fb = sim.data().asNioFloat();
            fb.position(0);
            fb.get(simRows, 0, rows * n);
            final int s0 = start;
            IntStream.range(0, rows).parallel().forEach(r -> {
                Scratch sc = scratch.get();
                int filled = selectTopK(simRows, r * n, n, maxK, sc.sim, sc.idx);
                sortBestFirst(sc.sim, sc.idx, filled);
                int label = testLabels[s0 + r];
                for (int ki = 0; ki < ks.length; ki++) {
                    java.util.Arrays.fill(sc.scores, 0.0);
                    for (int t = 0; t < ks[ki]; t++) {
                        sc.scores[trainLabels[sc.idx[t]]] += Math.exp(sc.sim[t] * invT);
                    }
                    int best = 0;
                    for (int cl = 1; cl < c; cl++) {
                        if (sc.scores[cl] > sc.scores[best]) {
                            best = cl;
                        }
                    }
                    predictions[ki][s0 + r] = best;
                    int ahead = 0; // classes ranked before the true label
                    double own = sc.scores[label];
                    for (int cl = 0; cl < c; cl++) {
                        if (sc.scores[cl] > own || (sc.scores[cl] == own && cl < label)) {
                            ahead++;
                        }
                    }
                    top5[ki][s0 + r] = ahead < top5Count;
                }
            });
        }
        List<KnnResult.PerK> perK = new ArrayList<>();
        for (int ki = 0; ki < ks.length; ki++) {
            long[][] confusion = new long[c][c];
            long[] perClassTotal = new long[c];
            long hits1 = 0;
            long hits5 = 0;
            for (int i = 0; i < m; i++) {
                confusion[testLabels[i]][predictions[ki][i]]++;
                perClassTotal[testLabels[i]]++;
                if (predictions[ki][i] == testLabels[i]) {
                    hits1++;
                }
                if (top5[ki][i]) {
                    hits5++;
                }
            }
            double[] perClass = new double[c];
            for (int cl = 0; cl < c; cl++) {
                perClass[cl] = perClassTotal[cl] == 0 ? Double.NaN : (double) confusion[cl][cl] / perClassTotal[cl];
            }
            perK.add(new KnnResult.PerK(ks[ki], (double) hits1 / m, (double) hits5 / m, perClass, confusion,
                    predictions[ki]));
        }
        return new KnnResult(n, m, c, options.temperature(), perK);
    }

    /** Per-thread buffers: the heap (sim, idx) and the class scores. */
    private static final class Scratch {
        final float[] sim;
        final int[] idx;
        final double[] scores;

        Scratch(int k, int c) {
            sim = new float[k];
            idx = new int[k];
            scores = new double[c];
        }
    }

    private static INDArray normalisedCopy(float[][] x) {
        int n = x.length;
        int d = x[0].length;
        float[] flat = new float[n * d];
        float[] row = new float[d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x[i], 0, row, 0, d);
            Features.normaliseInPlace(row);
            System.arraycopy(row, 0, flat, i * d, d);
        }
        return Nd4j.create(flat, new long[] {n, d}, 'c');
    }

    /** True when (sa, ia) ranks strictly worse than (sb, ib): lower similarity, or equal similarity and higher index. */
    private static boolean worse(float sa, int ia, float sb, int ib) {
        return sa < sb || (sa == sb && ia > ib);
    }

    /**
     * Selects the k best (similarity desc, index asc) entries of {@code row[off, off+n)} into a min-heap whose
     * root is the worst kept entry. Returns the number kept (= k since k ≤ n).
     */
    static int selectTopK(float[] row, int off, int n, int k, float[] hs, int[] hi) {
        int size = 0;
        for (int j = 0; j < n; j++) {
            float s = row[off + j];
            if (size < k) {
                // sift up
                int pos = size++;
                while (pos > 0) {
                    int parent = (pos - 1) >>> 1;
                    if (worse(s, j, hs[parent], hi[parent])) {
                        hs[pos] = hs[parent];
                        hi[pos] = hi[parent];
                        pos = parent;
                    } else {
                        break;
                    }
                }
                hs[pos] = s;
                hi[pos] = j;
            } else if (worse(hs[0], hi[0], s, j)) {
                siftDown(hs, hi, size, s, j);
            }
        }
        return size;
    }

    private static void siftDown(float[] hs, int[] hi, int size, float s, int j) {
        int pos = 0;
        while (true) {
            int l = 2 * pos + 1;
            if (l >= size) {
                break;
            }
            int r = l + 1;
            int w = (r < size && worse(hs[r], hi[r], hs[l], hi[l])) ? r : l;
            if (worse(hs[w], hi[w], s, j)) {
                hs[pos] = hs[w];
                hi[pos] = hi[w];
                pos = w;
            } else {
                break;
            }
        }
        hs[pos] = s;
        hi[pos] = j;
    }

    /** Heap-sorts the min-heap in place into best-first order. */
    private static void sortBestFirst(float[] hs, int[] hi, int size) {
        for (int end = size - 1; end > 0; end--) {
            float s0 = hs[0];
            int i0 = hi[0];
            float sl = hs[end];
            int il = hi[end];
            // the worst goes to the end; re-heapify the rest
            siftDown(hs, hi, end, sl, il);
            hs[end] = s0;
            hi[end] = i0;
        }
    }
}

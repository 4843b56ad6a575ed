package org.dino4j.eval.knn;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.dino4j.eval.features.Features;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The k memory rows most similar to each query row by cosine similarity, ranked by an exact, reproducible score.
 *
 * <p>Rows are L2-normalised (a copy, {@link Features#normaliseInPlace}). A float32 matrix multiply (ND4J) of a
 * chunk of queries against the whole memory {@code [chunk, D] × [D, N]} shortlists candidates; the shortlist's
 * candidates are then re-scored in float64, {@code s = Σ_j (double) q_j · m_j} summed in index order, and the
 * k best by that score are returned. The float32 product's value depends on the shapes of the multiply (BLAS
 * blocking), so it only shortlists: with {@code e} a bound on |float32 − float64 score| (the standard bound
 * {@code γ_D = D·u / (1 − D·u)} for a D-term float32 dot product of unit vectors, u = 2⁻²⁴, plus the float64
 * one, doubled), every row whose float32 score is within {@code 2e} of the k-th best float32 score is
 * re-scored, which provably contains the exact top k. The result therefore does not depend on how memory and
 * queries are split into blocks, on the BLAS build or on the machine: a memory split into parts and searched
 * part by part gives, after merging the parts' lists by the same order, exactly the list of the whole memory
 * (what dino-spark relies on).
 *
 * <p><b>Order</b>: similarity descending (the float64 score), equal similarity → lower memory row first.
 *
 * <p><b>Memory</b>: one reusable {@code [chunk, N]} float32 block and its Java copy; the full query × memory
 * matrix never exists.
 */
public final class NearestNeighbours {
    /** Rows shortlisted beyond k before the exactness check asks for more. */
    private static final int EXTRA = 8;
    private static final double U32 = Math.ulp(1.0f) / 2;
    private static final double U64 = Math.ulp(1.0) / 2;
    /** Bound on the product of two normalised rows' norms (each within a few ulps of 1, or 0). */
    private static final double NORM_PRODUCT = 1.0001;

    /**
     * Receives one query's neighbours. Called once per query row; from several threads at once when the search
     * runs in parallel (each call with its own arrays, valid only during the call).
     */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param query  query row index
         * @param sims   float64 cosine similarities, best first ({@code count} valid entries)
         * @param rows   memory row indices in the same order
         * @param count  number of neighbours (= k)
         */
        void accept(int query, double[] sims, int[] rows, int count);
    }

    private final int n;
    private final int d;
    private final float[] memory;
    private final INDArray memoryT;
    private final double margin;

    /**
     * @param memory memory rows {@code [N][D]} (finite; any norm: a normalised copy is kept), N ≥ 1
     */
    public NearestNeighbours(float[][] memory) {
        if (memory == null || memory.length == 0 || memory[0] == null || memory[0].length == 0) {
            throw new IllegalArgumentException("memory must have at least one row of dimension >= 1");
        }
        this.n = memory.length;
        this.d = memory[0].length;
        if (d * U32 >= 0.5) {
            throw new IllegalArgumentException("dimension " + d + " is too large for a float32 similarity bound");
        }
        this.memory = normalisedFlat(memory, d);
        this.memoryT = Nd4j.create(this.memory, new long[] {n, d}, 'c').transpose();
        double g32 = d * U32 / (1 - d * U32);
        double g64 = d * U64 / (1 - d * U64);
        this.margin = 2 * 2 * (g32 + g64) * NORM_PRODUCT;
    }

    /** N, the number of memory rows. */
    public int size() {
        return n;
    }

    /** D, the row dimension. */
    public int dimension() {
        return d;
    }

    /**
     * Finds the k nearest memory rows of every query row.
     *
     * @param queries   query rows {@code [M][D]} (finite; normalised internally, a copy)
     * @param k         neighbours per query, 1 ≤ k ≤ N
     * @param chunkSize queries per matrix multiply (memory: {@code chunkSize × N × 8} bytes), ≥ 1
     * @param parallel  process a chunk's rows on the common fork-join pool (else on the calling thread)
     * @param sink      receives each query's list
     */
    public void search(float[][] queries, int k, int chunkSize, boolean parallel, Sink sink) {
        if (queries == null || queries.length == 0) {
            throw new IllegalArgumentException("queries must have at least one row");
        }
        if (queries[0].length != d) {
            throw new IllegalArgumentException("queries have dimension " + queries[0].length + " but the memory has "
                    + d);
        }
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k = " + k + " must be in [1, " + n + "] (the memory size)");
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be >= 1, got " + chunkSize);
        }
        int m = queries.length;
        float[] q = normalisedFlat(queries, d);
        INDArray qArr = Nd4j.create(q, new long[] {m, d}, 'c');
        int chunk = Math.min(chunkSize, m);
        INDArray simFull = Nd4j.create(DataType.FLOAT, chunk, n);
        INDArray simTail = null;
        float[] simRows = new float[chunk * n];
        ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(() -> new Scratch(Math.min(n, k + EXTRA)));
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
            qArr.get(NDArrayIndex.interval(start, start + rows), NDArrayIndex.all()).mmul(memoryT, sim);
            FloatBuffer fb = sim.data().asNioFloat();
            fb.position(0);
            fb.get(simRows, 0, rows * n);
            final int s0 = start;
            IntStream range = IntStream.range(0, rows);
            (parallel ? range.parallel() : range).forEach(r -> {
                Scratch sc = scratch.get();
                int count = exactTopK(simRows, r * n, q, (s0 + r) * d, k, sc);
                sink.accept(s0 + r, sc.sims, sc.rows, count);
            });
        }
    }

    /** Per-thread buffers: the float32 heap, the candidates and their float64 scores. */
    private static final class Scratch {
        float[] hs;
        int[] hi;
        double[] sims;
        int[] rows;

        Scratch(int capacity) {
            grow(capacity);
        }

        void grow(int capacity) {
            hs = new float[capacity];
            hi = new int[capacity];
            sims = new double[capacity];
            rows = new int[capacity];
        }
    }

    /**
     * Shortlists by float32 score, re-scores in float64 and leaves the exact top k, best first, in
     * {@code sc.sims / sc.rows}; returns k.
     */
    private int exactTopK(float[] sim, int off, float[] q, int qOff, int k, Scratch sc) {
        int kk = Math.min(n, k + EXTRA);
        while (true) {
            if (sc.hs.length < kk) {
                sc.grow(kk);
            }
            int filled = selectTopK(sim, off, n, kk, sc.hs, sc.hi);
            sortBestFirst(sc.hs, sc.hi, filled);
            double floor = sc.hs[k - 1] - margin;
            if (kk == n || sc.hs[kk - 1] < floor) {
                // every row outside the heap scores <= hs[kk-1] < floor: the candidates are the heap's prefix >= floor
                int cand = 0;
                while (cand < kk && sc.hs[cand] >= floor) {
                    cand++;
                }
                for (int t = 0; t < cand; t++) {
                    sc.rows[t] = sc.hi[t];
                    sc.sims[t] = dot(q, qOff, memory, sc.hi[t] * d, d);
                }
                insertionSort(sc.sims, sc.rows, cand);
                return k;
            }
            kk = Math.min(n, 2 * kk);
        }
    }

    /** The float64 score of two rows: products of the floats, summed in index order. */
    public static double dot(float[] a, int aOff, float[] b, int bOff, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            s += (double) a[aOff + j] * b[bOff + j];
        }
        return s;
    }

    /** Rows L2-normalised with {@link Features#normaliseInPlace}, flattened row-major {@code [N·D]}. */
    public static float[] normalisedFlat(float[][] x, int d) {
        float[] flat = new float[x.length * d];
        float[] row = new float[d];
        for (int i = 0; i < x.length; i++) {
            if (x[i].length != d) {
                throw new IllegalArgumentException("row " + i + " has dimension " + x[i].length + ", expected " + d);
            }
            System.arraycopy(x[i], 0, row, 0, d);
            Features.normaliseInPlace(row);
            System.arraycopy(row, 0, flat, i * d, d);
        }
        return flat;
    }

    /** True when (sa, ia) ranks strictly before (sb, ib): higher similarity, or equal similarity and lower row. */
    public static boolean before(double sa, long ia, double sb, long ib) {
        return sa > sb || (sa == sb && ia < ib);
    }

    /** Sorts (sims, rows)[0, len) best first; the input is nearly sorted (float32 order), so this is ~linear. */
    private static void insertionSort(double[] s, int[] r, int len) {
        for (int i = 1; i < len; i++) {
            double sv = s[i];
            int rv = r[i];
            int j = i - 1;
            while (j >= 0 && before(sv, rv, s[j], r[j])) {
                s[j + 1] = s[j];
                r[j + 1] = r[j];
                j--;
            }
            s[j + 1] = sv;
            r[j + 1] = rv;
        }
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
            siftDown(hs, hi, end, hs[end], hi[end]);
            hs[end] = s0;
            hi[end] = i0;
        }
    }
}

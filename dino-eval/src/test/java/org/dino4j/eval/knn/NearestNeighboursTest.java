package org.dino4j.eval.knn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.dino4j.eval.features.Features;
import org.junit.jupiter.api.Test;

class NearestNeighboursTest {

    private static float[][] randn(Random r, int n, int d) {
        float[][] x = new float[n][d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        return x;
    }

    /** All lists of a search, in query order: [query] -> {sims..., rows...}. */
    private static List<double[]> sims(NearestNeighbours nn, float[][] q, int k, int chunk, boolean parallel,
                                       List<int[]> rowsOut) {
        double[][] s = new double[q.length][];
        int[][] r = new int[q.length][];
        nn.search(q, k, chunk, parallel, (qi, sims, rows, count) -> {
            s[qi] = Arrays.copyOf(sims, count);
            r[qi] = Arrays.copyOf(rows, count);
        });
        rowsOut.addAll(Arrays.asList(r));
        return Arrays.asList(s);
    }

    /** Independent reference: normalise like the code, float64 products summed in index order, full sort. */
    private static int[] reference(float[][] mem, float[] query, int k, double[] simsOut) {
        float[] q = query.clone();
        Features.normaliseInPlace(q);
        double[] s = new double[mem.length];
        Integer[] order = new Integer[mem.length];
        for (int i = 0; i < mem.length; i++) {
            float[] m = mem[i].clone();
            Features.normaliseInPlace(m);
            double acc = 0;
            for (int j = 0; j < m.length; j++) {
                acc += (double) q[j] * m[j];
            }
            s[i] = acc;
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -s[i]).thenComparingInt(i -> i));
        int[] out = new int[k];
        for (int t = 0; t < k; t++) {
            out[t] = order[t];
            simsOut[t] = s[order[t]];
        }
        return out;
    }

    @Test
    void exactTopKMatchesAFullFloat64SortAndIgnoresChunkingAndThreads() {
        Random r = new Random(11);
        float[][] mem = randn(r, 700, 24);
        float[][] q = randn(r, 45, 24);
        int k = 50;
        List<int[]> rows = new ArrayList<>();
        List<double[]> s = sims(new NearestNeighbours(mem), q, k, 7, true, rows);
        List<int[]> rows1 = new ArrayList<>();
        List<double[]> s1 = sims(new NearestNeighbours(mem), q, k, 1000, false, rows1);
        for (int i = 0; i < q.length; i++) {
            double[] ref = new double[k];
            assertArrayEquals(reference(mem, q[i], k, ref), rows.get(i), "query " + i);
            assertArrayEquals(ref, s.get(i), 0.0, "query " + i);
            assertArrayEquals(rows.get(i), rows1.get(i));
            assertArrayEquals(s.get(i), s1.get(i), 0.0);
        }
    }

    /**
     * The property dino-spark relies on: splitting the memory into blocks, searching each and merging the lists
     * by (similarity desc, global row asc) gives exactly the whole memory's list, although the float32 products
     * of the blocks differ from the whole matrix's in their last bits.
     */
    @Test
    void blockwiseSearchMergedEqualsWholeMemorySearch() {
        Random r = new Random(5);
        int n = 1200;
        int d = 32;
        float[][] mem = randn(r, n, d);
        // exact duplicates and near-duplicates so that ties and 1-ulp differences occur across blocks
        for (int i = 0; i < 200; i++) {
            mem[n - 1 - i] = mem[i].clone();
            if (i % 2 == 0) {
                mem[n - 1 - i][0] = Math.nextUp(mem[n - 1 - i][0]);
            }
        }
        float[][] q = new float[60][];
        for (int i = 0; i < q.length; i++) {
            q[i] = i < 30 ? mem[i * 3].clone() : randn(r, 1, d)[0];
        }
        q[30] = mem[1].clone(); // mem[n - 2] is an exact copy of mem[1]
        int k = 25;
        List<int[]> wholeRows = new ArrayList<>();
        List<double[]> whole = sims(new NearestNeighbours(mem), q, k, 16, true, wholeRows);
        int[] cuts = {0, 130, 131, 600, 977, n};
        double[][] mergedS = new double[q.length][0];
        long[][] mergedR = new long[q.length][0];
        for (int b = 0; b + 1 < cuts.length; b++) {
            int from = cuts[b];
            float[][] block = Arrays.copyOfRange(mem, from, cuts[b + 1]);
            int kb = Math.min(k, block.length);
            List<int[]> br = new ArrayList<>();
            List<double[]> bs = sims(new NearestNeighbours(block), q, kb, 5, false, br);
            for (int i = 0; i < q.length; i++) {
                long[] global = Arrays.stream(br.get(i)).mapToLong(x -> x + from).toArray();
                double[][] ms = {null};
                long[][] mr = {null};
                merge(mergedS[i], mergedR[i], bs.get(i), global, k, ms, mr);
                mergedS[i] = ms[0];
                mergedR[i] = mr[0];
            }
        }
        for (int i = 0; i < q.length; i++) {
            assertArrayEquals(Arrays.stream(wholeRows.get(i)).mapToLong(x -> x).toArray(), mergedR[i], "query " + i);
            assertArrayEquals(whole.get(i), mergedS[i], 0.0, "query " + i);
        }
        // a query equal to a duplicated memory row finds the lower index first at the same similarity
        assertEquals(1, wholeRows.get(30)[0]);
        assertEquals(n - 2, wholeRows.get(30)[1]);
        assertEquals(whole.get(30)[0], whole.get(30)[1], 0.0);
    }

    private static void merge(double[] as, long[] ar, double[] bs, long[] br, int k, double[][] os, long[][] or) {
        int len = Math.min(k, as.length + bs.length);
        double[] s = new double[len];
        long[] rr = new long[len];
        int i = 0;
        int j = 0;
        for (int t = 0; t < len; t++) {
            boolean takeA = j >= bs.length || (i < as.length && NearestNeighbours.before(as[i], ar[i], bs[j], br[j]));
            s[t] = takeA ? as[i] : bs[j];
            rr[t] = takeA ? ar[i++] : br[j++];
        }
        os[0] = s;
        or[0] = rr;
    }

    @Test
    void manyExactTiesGrowTheShortlist() {
        // 300 identical rows: the k-th float32 score is tied far beyond k + the shortlist's slack
        float[][] mem = new float[400][];
        Random r = new Random(3);
        for (int i = 0; i < mem.length; i++) {
            mem[i] = i % 4 == 3 ? randn(r, 1, 8)[0] : new float[] {1, 2, 3, 4, 5, 6, 7, 8};
        }
        List<int[]> rows = new ArrayList<>();
        List<double[]> s = sims(new NearestNeighbours(mem), new float[][] {{1, 2, 3, 4, 5, 6, 7, 8}}, 20, 4, false, rows);
        int[] expect = java.util.stream.IntStream.range(0, 27).filter(i -> i % 4 != 3).limit(20).toArray();
        assertArrayEquals(expect, rows.get(0));
        assertTrue(s.get(0)[0] > 0.9999999, "self-similarity " + s.get(0)[0]);
    }

    @Test
    void badArgumentsAreNamed() {
        NearestNeighbours nn = new NearestNeighbours(new float[][] {{1, 0}, {0, 1}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> nn.search(new float[][] {{1, 0}}, 3, 4, false, (q, s, r, c) -> { }));
        assertTrue(e.getMessage().contains("k = 3") && e.getMessage().contains("[1, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> nn.search(new float[][] {{1, 0, 0}}, 1, 4, false, (q, s, r, c) -> { }));
        assertTrue(e.getMessage().contains("dimension 3"), e.getMessage());
    }

    @Test
    void tallyOfTwoHalvesEqualsTallyOfAll() {
        int[] ks = {1, 5};
        KnnTally all = new KnnTally(ks, 3);
        KnnTally a = new KnnTally(ks, 3);
        KnnTally b = new KnnTally(ks, 3);
        Random r = new Random(1);
        for (int q = 0; q < 50; q++) {
            int label = r.nextInt(3);
            int[] p = {r.nextInt(3), r.nextInt(3)};
            boolean[] t5 = {r.nextBoolean(), r.nextBoolean()};
            all.add(label, p, t5);
            (q % 2 == 0 ? a : b).add(label, p, t5);
        }
        KnnResult x = all.result(100, 0.07, null);
        KnnResult y = a.merge(b).result(100, 0.07, null);
        assertEquals(50, x.numQueries());
        for (int i = 0; i < ks.length; i++) {
            assertEquals(x.perK().get(i).top1(), y.perK().get(i).top1());
            assertEquals(x.perK().get(i).top5(), y.perK().get(i).top5());
            for (int c = 0; c < 3; c++) {
                assertArrayEquals(x.perK().get(i).confusion()[c], y.perK().get(i).confusion()[c]);
            }
            assertEquals(0, y.perK().get(i).predictions().length);
        }
        assertThrows(IllegalArgumentException.class, () -> all.merge(new KnnTally(new int[] {1}, 3)));
    }
}

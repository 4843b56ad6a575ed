package org.dino4j.eval.knn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockedKnnTest {

    /** Memory with clusters and exact duplicates (equal similarities), so the tie order is exercised. */
    private static float[][] features(Random rnd, int n, int d, int[] labels, int c) {
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            if (i > 3 && rnd.nextInt(5) == 0) {
                int j = rnd.nextInt(i);
                x[i] = x[j].clone();
                labels[i] = rnd.nextInt(c);
                continue;
            }
            labels[i] = rnd.nextInt(c);
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) (rnd.nextGaussian() + (j % c == labels[i] ? 2.0 : 0.0));
            }
        }
        return x;
    }

    private static KnnResult blocked(KnnOptions o, float[][] memory, int[] ml, float[][] q, int[] ql, int c, int block) {
        BlockedKnn knn = new BlockedKnn(o, q, ql, c);
        for (int s = 0; s < memory.length; s += block) {
            int e = Math.min(memory.length, s + block);
            knn.add(Arrays.copyOfRange(memory, s, e), Arrays.copyOfRange(ml, s, e));
        }
        assertEquals(memory.length, knn.memorySize());
        return knn.result();
    }

    @Test
    void anyBlockingGivesTheWholeMemorysResult() {
        Random rnd = new Random(7);
        int n = 300;
        int d = 12;
        int c = 6;
        int[] ml = new int[n];
        float[][] memory = features(rnd, n, d, ml, c);
        int[] ql = new int[40];
        float[][] q = features(rnd, 40, d, ql, c);
        // queries equal to memory rows: many equal similarities at the top of the lists
        for (int i = 0; i < 10; i++) {
            q[i] = memory[rnd.nextInt(n)].clone();
        }
        KnnOptions o = new KnnOptions(new int[] {1, 5, 20}, 0.07, 16);
        KnnResult whole = new WeightedKnn(o).evaluate(memory, ml, q, ql, c);
        for (int block : new int[] {1, 7, 20, 64, n}) {
            KnnResult r = blocked(o, memory, ml, q, ql, c, block);
            assertEquals(n, r.memorySize());
            for (int k : o.ks()) {
                assertArrayEquals(whole.forK(k).predictions(), r.forK(k).predictions(), "k " + k + ", block " + block);
                assertEquals(whole.forK(k).top1(), r.forK(k).top1(), 0.0, "top-1, k " + k + ", block " + block);
                assertEquals(whole.forK(k).top5(), r.forK(k).top5(), 0.0, "top-5, k " + k + ", block " + block);
            }
        }
        assertTrue(whole.forK(20).top1() > 1.0 / c, "the clusters make the task learnable: " + whole.forK(20).top1());
    }

    @Test
    void rejectsBadInput() {
        KnnOptions o = new KnnOptions(new int[] {2}, 0.07, 4);
        float[][] q = {{1, 0}, {0, 1}};
        BlockedKnn knn = new BlockedKnn(o, q, new int[] {0, 1}, 2);
        IllegalArgumentException dim = assertThrows(IllegalArgumentException.class,
                () -> knn.add(new float[][] {{1, 0, 0}}, new int[] {0}));
        assertTrue(dim.getMessage().contains("dimension 3"), dim.getMessage());
        assertThrows(IllegalArgumentException.class, () -> knn.add(new float[][] {{1, 0}}, new int[] {5}));
        knn.add(new float[][] {{1, 0}}, new int[] {0});
        IllegalStateException few = assertThrows(IllegalStateException.class, knn::result);
        assertTrue(few.getMessage().contains("1 rows"), few.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BlockedKnn(o, q, new int[] {0}, 2));
    }
}

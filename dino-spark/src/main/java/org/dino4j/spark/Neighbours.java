package org.dino4j.spark;

import java.io.Serializable;
import org.dino4j.eval.knn.NearestNeighbours;

/**
 * One query's nearest memory rows, best first: a partial list (from one memory block) or the merge of several.
 * Order: similarity descending, equal similarity → lower global memory id first ({@link NearestNeighbours#before}),
 * the order dino-eval's {@code WeightedKnn} uses with the memory's row index, so the merged list of all blocks is
 * the list of the whole memory.
 */
final class Neighbours implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The query's path and class index (−1 without a label). */
    final String queryPath;
    final int queryClass;
    /** Neighbours: float64 cosine similarity, global memory id, class index (−1 without a label), path (search only). */
    final double[] sims;
    final long[] ids;
    final int[] classes;
    final String[] paths;

    Neighbours(String queryPath, int queryClass, double[] sims, long[] ids, int[] classes, String[] paths) {
        this.queryPath = queryPath;
        this.queryClass = queryClass;
        this.sims = sims;
        this.ids = ids;
        this.classes = classes;
        this.paths = paths;
    }

    int size() {
        return sims.length;
    }

    /** The best {@code k} of two lists of the same query (each best first). */
    static Neighbours merge(Neighbours a, Neighbours b, int k) {
        int len = Math.min(k, a.size() + b.size());
        double[] s = new double[len];
        long[] id = new long[len];
        int[] cl = new int[len];
        String[] p = a.paths == null ? null : new String[len];
        int i = 0;
        int j = 0;
        for (int t = 0; t < len; t++) {
            boolean fromA = j >= b.size() || (i < a.size() && NearestNeighbours.before(a.sims[i], a.ids[i], b.sims[j], b.ids[j]));
            Neighbours src = fromA ? a : b;
            int at = fromA ? i++ : j++;
            s[t] = src.sims[at];
            id[t] = src.ids[at];
            cl[t] = src.classes[at];
            if (p != null) {
                p[t] = src.paths[at];
            }
        }
        return new Neighbours(a.queryPath, a.queryClass, s, id, cl, p);
    }
}

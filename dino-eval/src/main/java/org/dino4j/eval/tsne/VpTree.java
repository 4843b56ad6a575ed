package org.dino4j.eval.tsne;

import java.util.Random;

/**
 * Vantage-point tree (Yianilos 1993) over the rows of a point set, Euclidean distance; used to find the
 * 3·perplexity nearest neighbours for the sparse t-SNE input affinities (van der Maaten 2014, Sec. 4.1).
 * Vantage points are drawn with a seeded {@link Random}; build is O(N log N), queries are independent
 * and may run in parallel.
 */
final class VpTree {
    private final double[][] x;
    private final int[] vp;
    private final double[] threshold;
    private final int[] inside;
    private final int[] outside;
    private int nodeCount;

    VpTree(double[][] x, Random rng) {
        this.x = x;
        int n = x.length;
        vp = new int[n];
        threshold = new double[n];
        inside = new int[n];
        outside = new int[n];
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        double[] dist = new double[n];
        build(idx, dist, 0, n, rng);
    }

    static double distance(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            double t = a[j] - b[j];
            s += t * t;
        }
        return Math.sqrt(s);
    }

    /** Builds the subtree over idx[lo, hi); returns its node id or -1. */
    private int build(int[] idx, double[] dist, int lo, int hi, Random rng) {
        if (lo >= hi) {
            return -1;
        }
        int node = nodeCount++;
        int pick = lo + rng.nextInt(hi - lo);
        swap(idx, lo, pick);
        int v = idx[lo];
        vp[node] = v;
        if (hi - lo == 1) {
            inside[node] = -1;
            outside[node] = -1;
            return node;
        }
        for (int i = lo + 1; i < hi; i++) {
            dist[idx[i]] = distance(x[v], x[idx[i]]);
        }
        int mid = (lo + 1 + hi) >>> 1;
        select(idx, dist, lo + 1, hi - 1, mid);
        threshold[node] = dist[idx[mid]];
        inside[node] = build(idx, dist, lo + 1, mid, rng);
        outside[node] = build(idx, dist, mid, hi, rng);
        return node;
    }

    /** Quickselect: afterwards idx[k] has the k-th smallest dist in [lo, hi] and smaller ones lie before it. */
    private static void select(int[] idx, double[] dist, int lo, int hi, int k) {
        while (hi > lo) {
            double pivot = dist[idx[(lo + hi) >>> 1]];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (dist[idx[i]] < pivot) {
                    i++;
                }
                while (dist[idx[j]] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(idx, i, j);
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    /**
     * The k nearest neighbours of point {@code q} (excluding q itself), nearest first.
     *
     * @param outIdx  receives k indices
     * @param outDist receives the k Euclidean distances
     */
    void search(int q, int k, int[] outIdx, double[] outDist) {
        // max-heap (root = farthest kept) in outIdx/outDist
        int[] size = {0};
        double[] tau = {Double.POSITIVE_INFINITY};
        search(0, q, k, outIdx, outDist, size, tau);
        // heap-sort into ascending distance
        for (int end = size[0] - 1; end > 0; end--) {
            double d0 = outDist[0];
            int i0 = outIdx[0];
            siftDown(outIdx, outDist, end, outIdx[end], outDist[end]);
            outDist[end] = d0;
            outIdx[end] = i0;
        }
    }

    private void search(int node, int q, int k, int[] hi, double[] hd, int[] size, double[] tau) {
        if (node < 0) {
            return;
        }
        int v = vp[node];
        double d = distance(x[q], x[v]);
        if (v != q && d < tau[0]) {
            if (size[0] < k) {
                int pos = size[0]++;
                while (pos > 0) {
                    int parent = (pos - 1) >>> 1;
                    if (hd[parent] < d) {
                        hd[pos] = hd[parent];
                        hi[pos] = hi[parent];
                        pos = parent;
                    } else {
                        break;
                    }
                }
                hd[pos] = d;
                hi[pos] = v;
            } else {
                siftDown(hi, hd, size[0], v, d);
            }
            if (size[0] == k) {
                tau[0] = hd[0];
            }
        }
        if (inside[node] < 0 && outside[node] < 0) {
            return;
        }
        double t = threshold[node];
        if (d < t) {
            if (d - tau[0] <= t) {
                search(inside[node], q, k, hi, hd, size, tau);
            }
            if (d + tau[0] >= t) {
                search(outside[node], q, k, hi, hd, size, tau);
            }
        } else {
            if (d + tau[0] >= t) {
                search(outside[node], q, k, hi, hd, size, tau);
            }
            if (d - tau[0] <= t) {
                search(inside[node], q, k, hi, hd, size, tau);
            }
        }
    }

    /** Replaces the root of the max-heap [0, size) by (v, d) and restores the heap. */
    private static void siftDown(int[] hi, double[] hd, int size, int v, double d) {
        int pos = 0;
        while (true) {
            int l = 2 * pos + 1;
            if (l >= size) {
                break;
            }
            int r = l + 1;
            int w = (r < size && hd[r] > hd[l]) ? r : l;
            if (hd[w] > d) {
                hd[pos] = hd[w];
                hi[pos] = hi[w];
                pos = w;
            } else {
                break;
            }
        }
        hd[pos] = d;
        hi[pos] = v;
    }
}

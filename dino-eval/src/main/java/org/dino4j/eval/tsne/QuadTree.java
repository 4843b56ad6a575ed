package org.dino4j.eval.tsne;

import java.util.Arrays;

/**
 * Point-region quadtree over 2-D points with per-cell centre of mass, for the Barnes-Hut approximation of the
 * t-SNE repulsive forces (van der Maaten 2014, Sec. 4.2). Leaves hold one point, or several when the points
 * coincide (or cells become narrower than 1e-12 of the root), so duplicates never recurse forever.
 * Arrays are reused between iterations: {@link #build} allocates only when the tree outgrows them.
 */
final class QuadTree {
    private double[] cx = new double[0];
    private double[] cy = new double[0];
    private double[] half = new double[0];
    private double[] comX = new double[0];
    private double[] comY = new double[0];
    private int[] count = new int[0];
    private int[] firstChild = new int[0]; // -1 for a leaf; children are firstChild..firstChild+3
    private int[] head = new int[0];       // first point of a leaf, -1 if empty
    private int[] next = new int[0];       // next point in the same leaf, -1 at the end
    private int nodes;
    private double minHalf;
    private double[][] y;

    /** Rebuilds the tree over y {@code [N][2]}. */
    void build(double[][] y) {
        this.y = y;
        int n = y.length;
        if (next.length < n) {
            next = new int[n];
        }
        double minX = Double.POSITIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (double[] p : y) {
            minX = Math.min(minX, p[0]);
            maxX = Math.max(maxX, p[0]);
            minY = Math.min(minY, p[1]);
            maxY = Math.max(maxY, p[1]);
        }
        double h = Math.max(maxX - minX, maxY - minY) / 2 + 1e-10;
        minHalf = h * 1e-12;
        nodes = 0;
        newNode((minX + maxX) / 2, (minY + maxY) / 2, h * (1 + 1e-9));
        for (int i = 0; i < n; i++) {
            insert(i);
        }
    }

    private int newNode(double x, double yy, double h) {
        if (nodes == cx.length) {
            int cap = Math.max(64, nodes * 2);
            cx = Arrays.copyOf(cx, cap);
            cy = Arrays.copyOf(cy, cap);
            half = Arrays.copyOf(half, cap);
            comX = Arrays.copyOf(comX, cap);
            comY = Arrays.copyOf(comY, cap);
            count = Arrays.copyOf(count, cap);
            firstChild = Arrays.copyOf(firstChild, cap);
            head = Arrays.copyOf(head, cap);
        }
        int id = nodes++;
        cx[id] = x;
        cy[id] = yy;
        half[id] = h;
        comX[id] = 0;
        comY[id] = 0;
        count[id] = 0;
        firstChild[id] = -1;
        head[id] = -1;
        return id;
    }

    private int childFor(int node, double px, double py) {
        return firstChild[node] + (px >= cx[node] ? 1 : 0) + (py >= cy[node] ? 2 : 0);
    }

    private void insert(int p) {
        double px = y[p][0];
        double py = y[p][1];
        int node = 0;
        while (true) {
            int c = count[node];
            comX[node] = (comX[node] * c + px) / (c + 1);
            comY[node] = (comY[node] * c + py) / (c + 1);
            count[node] = c + 1;
            if (firstChild[node] >= 0) {
                node = childFor(node, px, py);
                continue;
            }
            int q = head[node];
            if (q < 0) {
                head[node] = p;
                next[p] = -1;
                return;
            }
            if ((y[q][0] == px && y[q][1] == py) || half[node] < minHalf) {
                next[p] = head[node];
                head[node] = p;
                return;
            }
            // split: create four children and move the leaf's points down
            double h = half[node] / 2;
            int first = newNode(cx[node] - h, cy[node] - h, h);
            newNode(cx[node] + h, cy[node] - h, h);
            newNode(cx[node] - h, cy[node] + h, h);
            newNode(cx[node] + h, cy[node] + h, h);
            firstChild[node] = first;
            head[node] = -1;
            while (q >= 0) {
                int nq = next[q];
                int child = childFor(node, y[q][0], y[q][1]);
                int cc = count[child];
                comX[child] = (comX[child] * cc + y[q][0]) / (cc + 1);
                comY[child] = (comY[child] * cc + y[q][1]) / (cc + 1);
                count[child] = cc + 1;
                next[q] = head[child];
                head[child] = q;
                q = nq;
            }
            node = childFor(node, px, py);
        }
    }

    /**
     * Repulsive term for point i: adds {@code Σ_j w_ij² (y_i − y_j)} to {@code force[0..1]} and returns
     * {@code Σ_j w_ij} (j ≠ i), with {@code w = 1 / (1 + |y_i − y_j|²)}; cells with
     * {@code width / distance < θ} not containing y_i are replaced by their centre of mass.
     *
     * @param stack scratch of length ≥ 4·depth+1 (grown by the caller if needed; 4096 is ample)
     */
    double repulsion(int i, double theta, double[] force, int[] stack) {
        double yx = y[i][0];
        double yy = y[i][1];
        double theta2 = theta * theta;
        double z = 0;
        double fx = 0;
        double fy = 0;
        int sp = 0;
        stack[sp++] = 0;
        while (sp > 0) {
            int node = stack[--sp];
            int c = count[node];
            if (c == 0) {
                continue;
            }
            if (firstChild[node] < 0) {
                for (int j = head[node]; j >= 0; j = next[j]) {
                    if (j == i) {
                        continue;
                    }
                    double dx = yx - y[j][0];
                    double dy = yy - y[j][1];
                    double w = 1 / (1 + dx * dx + dy * dy);
                    z += w;
                    fx += w * w * dx;
                    fy += w * w * dy;
                }
                continue;
            }
            double dx = yx - comX[node];
            double dy = yy - comY[node];
            double d2 = dx * dx + dy * dy;
            double h = half[node];
            boolean containsI = Math.abs(yx - cx[node]) <= h && Math.abs(yy - cy[node]) <= h;
            if (!containsI && 4 * h * h < theta2 * d2) {
                double w = 1 / (1 + d2);
                z += c * w;
                fx += c * w * w * dx;
                fy += c * w * w * dy;
            } else {
                int f = firstChild[node];
                stack[sp++] = f;
                stack[sp++] = f + 1;
                stack[sp++] = f + 2;
                stack[sp++] = f + 3;
            }
        }
        force[0] += fx;
        force[1] += fy;
        return z;
    }
}

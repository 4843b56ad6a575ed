package org.dino4j.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Input validation shared by the evaluation tools. Every failure is ONE {@link IllegalArgumentException}
 * whose message names the input (e.g. {@code "trainFeatures"}) and the offending value.
 */
public final class Checks {
    private Checks() {
    }

    /**
     * Checks a feature matrix {@code [N, D]} (N ≥ 1, D ≥ 1, no NaN/Inf) and returns it as row-major
     * float32 values {@code float[N][D]} (a copy).
     *
     * @param name name of the input used in error messages
     */
    public static float[][] matrix(String name, INDArray x) {
        if (x == null) {
            throw new IllegalArgumentException(name + " is missing (null)");
        }
        if (x.rank() != 2) {
            throw new IllegalArgumentException(name + " must be a matrix [N, D], got shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        if (x.rows() == 0 || x.columns() == 0) {
            throw new IllegalArgumentException(name + " is empty: shape " + java.util.Arrays.toString(x.shape()));
        }
        float[][] m = x.castTo(DataType.FLOAT).toFloatMatrix();
        return matrix(name, m);
    }

    /** Checks a feature matrix {@code float[N][D]}: non-empty, rectangular, finite. Returns it unchanged. */
    public static float[][] matrix(String name, float[][] x) {
        int d = rectangular(name, x, r -> ((float[]) r).length);
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < d; j++) {
                if (!Float.isFinite(x[i][j])) {
                    throw nonFinite(name, x[i][j], i, j);
                }
            }
        }
        return x;
    }

    /** Checks a double matrix {@code double[N][D]}: non-empty, rectangular, finite. Returns it unchanged. */
    public static double[][] matrix(String name, double[][] x) {
        int d = rectangular(name, x, r -> ((double[]) r).length);
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < d; j++) {
                if (!Double.isFinite(x[i][j])) {
                    throw nonFinite(name, x[i][j], i, j);
                }
            }
        }
        return x;
    }

    /** Non-null, at least one row, rows non-null and all of the first row's positive length; returns it. */
    private static int rectangular(String name, Object[] x, java.util.function.ToIntFunction<Object> length) {
        if (x == null) {
            throw new IllegalArgumentException(name + " is missing (null)");
        }
        if (x.length == 0) {
            throw new IllegalArgumentException(name + " is empty: 0 rows");
        }
        int d = x[0] == null ? 0 : length.applyAsInt(x[0]);
        if (d == 0) {
            throw new IllegalArgumentException(name + " has rows of dimension 0");
        }
        for (int i = 0; i < x.length; i++) {
            if (x[i] == null || length.applyAsInt(x[i]) != d) {
                throw new IllegalArgumentException(name + " row " + i + " has dimension "
                        + (x[i] == null ? "null" : length.applyAsInt(x[i])) + ", expected " + d);
            }
        }
        return d;
    }

    private static IllegalArgumentException nonFinite(String name, double v, int i, int j) {
        return new IllegalArgumentException(name + " has a non-finite value " + v + " at row " + i + ", column " + j);
    }

    /**
     * Checks labels: present, one per row ({@code n}), each in {@code [0, numClasses)} when numClasses > 0,
     * otherwise each ≥ 0.
     */
    public static int[] labels(String name, int[] labels, int n, int numClasses) {
        if (labels == null) {
            throw new IllegalArgumentException(name + " are missing (null)");
        }
        if (labels.length != n) {
            throw new IllegalArgumentException(name + " has " + labels.length + " entries but the features have "
                    + n + " rows");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || (numClasses > 0 && labels[i] >= numClasses)) {
                throw new IllegalArgumentException(name + "[" + i + "] = " + labels[i] + " is outside [0, "
                        + (numClasses > 0 ? numClasses : "inf") + ")");
            }
        }
        return labels;
    }

    /** Number of classes implied by labels: max + 1. */
    public static int numClasses(int[]... labelSets) {
        int max = -1;
        for (int[] ls : labelSets) {
            for (int l : ls) {
                max = Math.max(max, l);
            }
        }
        return max + 1;
    }
}

package org.dino4j.core.loss;

import java.util.Arrays;
import org.dino4j.core.util.HostArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Shape bookkeeping shared by the loss kernels: validates {@code z_s [(2+N)B, K]}, {@code z_t [2B, K]},
 * {@code c [1, K]} and derives B, K, the number of student views V = 2+N and the pair count P = 2(V−1).
 */
record LossShapes(int batch, int k, int views) {

    /** Number of global (teacher) views; fixed at 2 as in DINO. */
    static final int GLOBAL = 2;

    /** @return P = 2·(V−1), the number of (teacher view, student view) pairs with i ≠ j */
    int pairs() {
        return GLOBAL * (views - 1);
    }

    /** @return n_j: how many teacher views enter the regrouped target of student view j (1 or 2) */
    static int teacherViewsFor(int view) {
        return view < GLOBAL ? GLOBAL - 1 : GLOBAL;
    }

    static LossShapes of(INDArray student, INDArray teacher, INDArray center) {
        return of(student, "student logits", teacher, center);
    }

    /** As {@link #of(INDArray, INDArray, INDArray)}, naming the student-shaped array {@code studentName}. */
    static LossShapes of(INDArray student, String studentName, INDArray teacher, INDArray center) {
        long[] s = HostArrays.requireMatrix(student, studentName);
        long[] t = HostArrays.requireMatrix(teacher, "teacher logits");
        if (center == null) {
            throw new IllegalArgumentException("center must not be null");
        }
        long k = t[1];
        if (k < 2) {
            throw new IllegalArgumentException("K (logit columns) must be >= 2, got teacher logits shape "
                    + Arrays.toString(t));
        }
        if (s[1] != k) {
            throw new IllegalArgumentException(studentName + " " + Arrays.toString(s)
                    + " and teacher logits " + Arrays.toString(t) + " must have the same K (columns)");
        }
        if (center.rank() != 2 || center.size(0) != 1 || center.size(1) != k) {
            throw new IllegalArgumentException("center must have shape [1, " + k + "], got "
                    + Arrays.toString(center.shape()));
        }
        if (t[0] < GLOBAL || t[0] % GLOBAL != 0) {
            throw new IllegalArgumentException("teacher logits must have 2B rows (2 global views), got "
                    + t[0] + " rows");
        }
        long b = t[0] / GLOBAL;
        if (s[0] % b != 0) {
            throw new IllegalArgumentException(studentName + " rows (" + s[0]
                    + ") must be a multiple of B = teacher rows/2 = " + b);
        }
        long v = s[0] / b;
        if (v < GLOBAL) {
            throw new IllegalArgumentException(studentName + " must hold at least the 2 global views: "
                    + s[0] + " rows < 2B = " + (2 * b));
        }
        if (s[0] * k > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(studentName + " too large for the kernel: " + Arrays.toString(s));
        }
        return new LossShapes((int) b, (int) k, (int) v);
    }

    static void requireSameShape(INDArray out, INDArray like, String outName, String likeName) {
        if (out == null) {
            throw new IllegalArgumentException(outName + " must not be null");
        }
        if (!Arrays.equals(out.shape(), like.shape())) {
            throw new IllegalArgumentException(outName + " must have the shape of " + likeName + " "
                    + Arrays.toString(like.shape()) + ", got " + Arrays.toString(out.shape()));
        }
    }
}

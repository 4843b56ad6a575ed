package org.dino4j.core.model;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Argument checks of {@link DinoModel}'s calls: one {@link IllegalArgumentException} naming the argument and what was expected. */
final class ModelChecks {
    private ModelChecks() {
    }

    static void images(String what, INDArray x, boolean nullable, Backbone backbone, DataType dataType) {
        if (x == null) {
            if (nullable) {
                return;
            }
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (x.rank() != 4) {
            throw new IllegalArgumentException(what + " must be [B, C, H, W], got shape " + Arrays.toString(x.shape()));
        }
        if (x.size(1) != backbone.inChannels()) {
            throw new IllegalArgumentException(what + " must have " + backbone.inChannels() + " channels, got " + x.size(1));
        }
        if (x.size(2) < backbone.minInputSize() || x.size(3) < backbone.minInputSize()) {
            throw new IllegalArgumentException(what + " height/width must be >= minInputSize " + backbone.minInputSize()
                    + ", got " + x.size(2) + "x" + x.size(3));
        }
        if (x.size(0) < 1) {
            throw new IllegalArgumentException(what + " must have at least one row, got " + x.size(0));
        }
        if (x.dataType() != dataType) {
            throw new IllegalArgumentException(what + " must be " + dataType + ", got " + x.dataType());
        }
    }

    /**
     * Checks the crops of a training call.
     *
     * @return N, the number of local crops per image (0 without locals)
     */
    static int crops(INDArray globals, INDArray locals, Backbone backbone, DataType dataType) {
        images("globals", globals, false, backbone, dataType);
        images("locals", locals, true, backbone, dataType);
        if (globals.size(0) % 2 != 0) {
            throw new IllegalArgumentException("globals must hold 2 views of B images (2B rows), got " + globals.size(0) + " rows");
        }
        long b = globals.size(0) / 2;
        if (locals != null && locals.size(0) % b != 0) {
            throw new IllegalArgumentException("locals must hold N views of B = " + b + " images (N·B rows), got "
                    + locals.size(0) + " rows");
        }
        return locals == null ? 0 : Math.toIntExact(locals.size(0) / b);
    }

    static void teacherLogits(INDArray teacherLogits, long globalRows, int k) {
        if (teacherLogits == null || teacherLogits.rank() != 2 || teacherLogits.size(0) != globalRows
                || teacherLogits.size(1) != k) {
            throw new IllegalArgumentException("teacherLogits must be [" + globalRows + ", " + k + "] (the teacher's logits of "
                    + "the global crops), got " + (teacherLogits == null ? "null" : Arrays.toString(teacherLogits.shape())));
        }
    }

    static INDArray regroupMatrix(int numLocal, int batch, DataType dataType) {
        if (numLocal < 0 || batch < 1) {
            throw new IllegalArgumentException("need numLocal >= 0 and batch >= 1, got numLocal=" + numLocal
                    + ", batch=" + batch);
        }
        int rows = (2 + numLocal) * batch;
        double[][] r = new double[rows][2 * batch];
        for (int b = 0; b < batch; b++) {
            r[b][batch + b] = 1;
            r[batch + b][b] = 1;
            for (int v = 2; v < 2 + numLocal; v++) {
                r[v * batch + b][b] = 0.5;
                r[v * batch + b][batch + b] = 0.5;
            }
        }
        return Nd4j.createFromArray(r).castTo(dataType);
    }
}

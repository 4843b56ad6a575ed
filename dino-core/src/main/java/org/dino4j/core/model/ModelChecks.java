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

    static void targets(INDArray targets, long rows, int k, DataType dataType) {
        if (targets == null || targets.rank() != 2 || targets.size(0) != rows || targets.size(1) != k) {
            throw new IllegalArgumentException("targets must be [" + rows + ", " + k + "], got "
                    + (targets == null ? "null" : Arrays.toString(targets.shape())));
        }
        if (targets.dataType() != dataType) {
            throw new IllegalArgumentException("targets must be " + dataType + ", got " + targets.dataType());
        }
    }

    /** Checks row weights and τ_s; returns the weights as {@code [rows, 1]}. */
    static INDArray weightsAndTau(long rows, INDArray rowWeights, double tauS, DataType dataType) {
        if (rowWeights == null || rowWeights.length() != rows || rowWeights.rank() > 2
                || (rowWeights.rank() == 2 && rowWeights.size(1) != 1)) {
            throw new IllegalArgumentException("rowWeights must be [" + rows + ", 1] or [" + rows + "], got "
                    + (rowWeights == null ? "null" : Arrays.toString(rowWeights.shape())));
        }
        if (rowWeights.dataType() != dataType) {
            throw new IllegalArgumentException("rowWeights must be " + dataType + ", got " + rowWeights.dataType());
        }
        if (!(tauS > 0) || Double.isInfinite(tauS)) {
            throw new IllegalArgumentException("tauS must be > 0 and finite, got " + tauS);
        }
        return rowWeights.rank() == 2 ? rowWeights : rowWeights.reshape(rows, 1);
    }

    static void selfDistill(INDArray center, double tauT, INDArray regroup, long rows, long globalRows, int k,
                            DataType dataType) {
        if (center == null || center.length() != k || center.dataType() != dataType) {
            throw new IllegalArgumentException("center must be " + dataType + " [1, " + k + "], got "
                    + (center == null ? "null" : center.dataType() + " " + Arrays.toString(center.shape())));
        }
        if (!(tauT > 0) || Double.isInfinite(tauT)) {
            throw new IllegalArgumentException("tauT must be > 0 and finite, got " + tauT);
        }
        if (regroup == null || regroup.rank() != 2 || regroup.size(0) != rows || regroup.size(1) != globalRows
                || regroup.dataType() != dataType) {
            throw new IllegalArgumentException("regroup must be " + dataType + " [" + rows + ", " + globalRows
                    + "], got " + (regroup == null ? "null" : Arrays.toString(regroup.shape())));
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

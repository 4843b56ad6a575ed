package org.dino4j.eval.features;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batched feature extraction from a frozen backbone.
 *
 * <p>The backbone is any {@code Function<INDArray, INDArray>} mapping images {@code [B, C, H, W]} to features
 * {@code [B, D]} (for a DINO checkpoint: the teacher's backbone output, see {@link FeatureSource}), so this
 * class does not depend on how a model is stored. Features are optionally L2-normalised per row,
 * {@code x / max(||x||_2, 1e-12)} (as {@code nn.functional.normalize} in the reference k-NN code).
 */
public final class Features {
    /** Norm floor of the L2 normalisation, as in {@code torch.nn.functional.normalize}. */
    public static final double NORM_EPS = 1e-12;

    private Features() {
    }

    /**
     * Runs the backbone over every batch and collects the features.
     *
     * @param backbone   images {@code [B, C, H, W]} → features {@code [B, D]}
     * @param batches    batches of images with labels; consumed fully
     * @param l2Normalise whether to L2-normalise each feature row (the paper's k-NN does)
     * @return features {@code [N][D]} (N = total images) and labels
     * @throws IllegalArgumentException no batches, a backbone output of the wrong shape or D changing between
     *                                  batches, or a non-finite feature (naming batch and row)
     */
    public static Embeddings extract(Function<INDArray, INDArray> backbone, Iterator<LabeledBatch> batches,
                                     boolean l2Normalise) {
        if (backbone == null) {
            throw new IllegalArgumentException("backbone is missing (null)");
        }
        if (batches == null) {
            throw new IllegalArgumentException("batches is missing (null)");
        }
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int dim = -1;
        int batchIndex = 0;
        while (batches.hasNext()) {
            LabeledBatch b = batches.next();
            if (b == null) {
                throw new IllegalArgumentException("batch " + batchIndex + " is null");
            }
            INDArray out = backbone.apply(b.images());
            long bs = b.labels().length;
            if (out == null || out.rank() != 2 || out.size(0) != bs) {
                throw new IllegalArgumentException("backbone output for batch " + batchIndex + " must be [" + bs
                        + ", D], got " + (out == null ? "null" : java.util.Arrays.toString(out.shape())));
            }
            if (dim < 0) {
                dim = (int) out.size(1);
            } else if (out.size(1) != dim) {
                throw new IllegalArgumentException("backbone output dimension changed from " + dim + " to "
                        + out.size(1) + " at batch " + batchIndex);
            }
            float[][] f = out.castTo(DataType.FLOAT).toFloatMatrix();
            for (int r = 0; r < f.length; r++) {
                for (int j = 0; j < dim; j++) {
                    if (!Float.isFinite(f[r][j])) {
                        throw new IllegalArgumentException("backbone output has a non-finite value " + f[r][j]
                                + " at batch " + batchIndex + ", row " + r + ", column " + j);
                    }
                }
                if (l2Normalise) {
                    normaliseInPlace(f[r]);
                }
                rows.add(f[r]);
                labels.add(b.labels()[r]);
            }
            batchIndex++;
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("batches is empty: no images to extract features from");
        }
        int[] ls = new int[labels.size()];
        for (int i = 0; i < ls.length; i++) {
            ls[i] = labels.get(i);
        }
        return new Embeddings(rows.toArray(new float[0][]), ls);
    }

    /** L2-normalises one row in place: {@code x / max(||x||_2, 1e-12)} (norm accumulated in double). */
    public static void normaliseInPlace(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        double inv = 1.0 / Math.max(Math.sqrt(s), NORM_EPS);
        for (int j = 0; j < x.length; j++) {
            x[j] = (float) (x[j] * inv);
        }
    }
}

package org.dino4j.core.model.vit;

import java.util.Objects;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Drop path (stochastic depth, Huang et al. 2016) as in DINO's {@code vision_transformer.py}: each residual
 * branch of block i (attention and MLP, drawn independently) is kept for a sample with probability
 * {@code keep_i = 1 − r_i} and then scaled by {@code 1/keep_i}, with {@code r_i = dropPath·i/(depth−1)}
 * ({@code torch.linspace(0, drop_path_rate, depth)}; depth 1 gives r_0 = 0). In the official recipe only the
 * student has a drop-path rate, and only in training mode.
 *
 * <p>SameDiff has no per-step random op that we could seed from the trainer, so the graph takes the per-sample
 * factors as a placeholder {@code [rows, 2·depth]} (column 2i = attention branch of block i, 2i+1 = MLP branch)
 * named {@link VisionTransformer#dropPathName}; it exists only when the rate is &gt; 0. {@link #sample} draws it
 * from a seeded {@link Random} (same seed → same masks); {@link #identity} (all ones) is the evaluation mode.
 */
public final class DropPath {
    private DropPath() {
    }

    /**
     * @param config the architecture
     * @return r_i per block {@code [depth]}
     */
    public static double[] rates(VitConfig config) {
        int depth = config.depth();
        double[] r = new double[depth];
        for (int i = 0; i < depth && depth > 1; i++) {
            r[i] = config.dropPath() * i / (depth - 1);
        }
        return r;
    }

    /**
     * @param config the architecture
     * @return columns of the factor placeholder: 2·depth when the rate is &gt; 0, else 0 (no placeholder)
     */
    public static int columns(VitConfig config) {
        return config.dropPath() > 0 ? 2 * config.depth() : 0;
    }

    /**
     * Per-sample branch factors for a training step: entry (b, 2i+j) is {@code 1/keep_i} with probability keep_i,
     * else 0; drawn row by row, column by column from {@code rng}.
     *
     * @param config the architecture (rate &gt; 0)
     * @param rows samples (crops) in the batch
     * @param rng seeded source
     * @param dt FLOAT or DOUBLE
     * @return {@code [rows, 2·depth]}
     */
    public static INDArray sample(VitConfig config, int rows, Random rng, DataType dt) {
        Objects.requireNonNull(rng, "rng");
        int cols = 2 * config.depth();
        double[] rate = rates(config);
        double[] v = new double[rows * cols];
        for (int b = 0; b < rows; b++) {
            for (int c = 0; c < cols; c++) {
                double keep = 1 - rate[c / 2];
                // official: floor(keep + U[0,1)) = 1 with probability keep
                v[b * cols + c] = rng.nextDouble() < keep ? 1.0 / keep : 0.0;
            }
        }
        return Nd4j.createFromArray(v).castTo(dt).reshape('c', rows, cols);
    }

    /**
     * @param config the architecture
     * @param rows samples
     * @param dt FLOAT or DOUBLE
     * @return all-ones factors {@code [rows, 2·depth]}: no branch dropped (evaluation, teacher)
     */
    public static INDArray identity(VitConfig config, int rows, DataType dt) {
        return Nd4j.ones(dt, rows, 2L * config.depth());
    }
}

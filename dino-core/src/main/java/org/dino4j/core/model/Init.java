package org.dino4j.core.model;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Parameter initialisers drawing only from an explicit {@link Random} (never ND4J's RNG), so that a seed fixes
 * every initial weight; shared by the CNN, the head and the ViT, and available to new backbones. Each returns a
 * new 'c'-order array of the given shape and data type.
 */
public final class Init {
    private Init() {
    }

    private static long numel(long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    private static INDArray make(double[] v, DataType dt, long... shape) {
        return Nd4j.createFromArray(v).castTo(dt).reshape('c', shape);
    }

    /** He/Kaiming normal: N(0, 2/fanIn) (He et al. 2015), as for ReLU convolutions. */
    public static INDArray heNormal(Random rng, long fanIn, DataType dt, long... shape) {
        return normal(rng, Math.sqrt(2.0 / fanIn), dt, shape);
    }

    /** Normal N(0, std²), one {@code nextGaussian()} per element in 'c' order. */
    public static INDArray normal(Random rng, double std, DataType dt, long... shape) {
        double[] v = new double[Math.toIntExact(numel(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = std * rng.nextGaussian();
        }
        return make(v, dt, shape);
    }

    /** Truncated normal N(0, std²) cut at ±2 (resampled), as DINO's {@code trunc_normal_(std=.02)}. */
    public static INDArray truncNormal(Random rng, double std, DataType dt, long... shape) {
        double[] v = new double[Math.toIntExact(numel(shape))];
        for (int i = 0; i < v.length; i++) {
            double z;
            do {
                z = rng.nextGaussian();
            } while (Math.abs(z) > 2.0);
            v[i] = std * z;
        }
        return make(v, dt, shape);
    }

    /** Uniform U(−a, a) (PyTorch's default nn.Linear init uses a = 1/sqrt(fanIn)). */
    public static INDArray uniform(Random rng, double a, DataType dt, long... shape) {
        double[] v = new double[Math.toIntExact(numel(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = a * (2 * rng.nextDouble() - 1);
        }
        return make(v, dt, shape);
    }

    /** Constant fill. */
    public static INDArray fill(double value, DataType dt, long... shape) {
        return Nd4j.valueArrayOf(shape, value, dt);
    }
}

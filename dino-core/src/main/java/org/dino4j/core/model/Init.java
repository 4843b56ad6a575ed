package org.dino4j.core.model;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Parameter initialisers drawing only from an explicit {@link Random} (never ND4J's RNG). */
final class Init {
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
    static INDArray heNormal(Random rng, long fanIn, DataType dt, long... shape) {
        double std = Math.sqrt(2.0 / fanIn);
        double[] v = new double[(int) numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = std * rng.nextGaussian();
        }
        return make(v, dt, shape);
    }

    /** Truncated normal N(0, std²) cut at ±2 (resampled), as DINO's {@code trunc_normal_(std=.02)}. */
    static INDArray truncNormal(Random rng, double std, DataType dt, long... shape) {
        double[] v = new double[(int) numel(shape)];
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
    static INDArray uniform(Random rng, double a, DataType dt, long... shape) {
        double[] v = new double[(int) numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = a * (2 * rng.nextDouble() - 1);
        }
        return make(v, dt, shape);
    }

    /** Constant fill. */
    static INDArray fill(double value, DataType dt, long... shape) {
        return Nd4j.valueArrayOf(shape, value, dt);
    }
}

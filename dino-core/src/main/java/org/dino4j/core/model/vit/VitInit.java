package org.dino4j.core.model.vit;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** ViT parameter initialisers drawing only from an explicit {@link Random} (never ND4J's RNG). */
final class VitInit {
    private VitInit() {
    }

    private static int numel(long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return Math.toIntExact(n);
    }

    private static INDArray make(double[] v, DataType dt, long... shape) {
        return Nd4j.createFromArray(v).castTo(dt).reshape('c', shape);
    }

    /** N(0, std²). */
    static INDArray normal(Random rng, double std, DataType dt, long... shape) {
        double[] v = new double[numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = std * rng.nextGaussian();
        }
        return make(v, dt, shape);
    }

    /** N(0, std²) cut at ±2σ (resampled). */
    static INDArray truncNormal(Random rng, double std, DataType dt, long... shape) {
        double[] v = new double[numel(shape)];
        for (int i = 0; i < v.length; i++) {
            double z;
            do {
                z = rng.nextGaussian();
            } while (Math.abs(z) > 2.0);
            v[i] = std * z;
        }
        return make(v, dt, shape);
    }

    /** U(−a, a). */
    static INDArray uniform(Random rng, double a, DataType dt, long... shape) {
        double[] v = new double[numel(shape)];
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

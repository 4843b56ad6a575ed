package org.dino4j.eval.linear;

/**
 * Options of the linear probe: multinomial logistic regression trained by mini-batch SGD with momentum and a
 * cosine learning-rate schedule, as the DINO reference linear evaluation ({@code eval_linear.py}: SGD, momentum
 * 0.9, cosine schedule to 0, weight decay 0, 100 epochs), but on fixed pre-extracted features.
 *
 * @param epochs       passes over the training features; default 100; ≥ 1
 * @param batchSize    samples per step; default 256; ≥ 1
 * @param learningRate peak learning rate (cosine-annealed to 0 over all steps); default 1.0, which suits
 *                     L2-normalised features (‖x‖ = 1); finite, &gt; 0
 * @param momentum     SGD momentum (PyTorch form: v ← μv + g, w ← w − ηv); default 0.9; in [0, 1)
 * @param weightDecay  L2 regularisation λ on the weights (not the bias), loss + λ/2‖W‖²; default 0 as in the
 *                     reference; finite, ≥ 0
 * @param seed         seed of the per-epoch shuffles; same seed → same weights
 */
public record LinearProbeOptions(int epochs, int batchSize, double learningRate, double momentum,
                                 double weightDecay, long seed) {
    /** Validates every field; see the parameter docs. */
    public LinearProbeOptions {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay must be finite and >= 0, got " + weightDecay);
        }
    }

    /** Defaults: 100 epochs, batch 256, lr 1.0 (cosine), momentum 0.9, weight decay 0. */
    public static LinearProbeOptions defaults(long seed) {
        return new LinearProbeOptions(100, 256, 1.0, 0.9, 0.0, seed);
    }
}

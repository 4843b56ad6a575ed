package org.dino4j.core.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Activations written in plain differentiable SameDiff ops, where the built-in op is wrong in ND4J 1.0.0-M2.1.
 */
public final class Activations {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private Activations() {
    }

    /**
     * GELU (Hendrycks &amp; Gimpel 2016), tanh form {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}, element-wise,
     * any shape. PyTorch's {@code nn.GELU()} (the erf form) differs by &lt; 5e-4.
     *
     * <p>Not {@code sd.nn.preciseGelu}: in 1.0.0-M2.1 its forward computes {@code 0.5·x·(1 + tanh(√(2/π)·x))} (the
     * cubic term is missing: 0.8314 at x = 1 instead of 0.8412) while its backward differentiates the full formula,
     * so forward and gradient disagree. {@code sd.nn.gelu} is the sigmoid form {@code x·σ(1.702x)}.
     */
    public static SDVariable gelu(SameDiff sd, SDVariable x) {
        SDVariable inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI);
        return x.mul(sd.math.tanh(inner).add(1.0)).mul(0.5);
    }

    /**
     * GELU in its exact form {@code 0.5·x·(1 + erf(x/√2))} (PyTorch's {@code nn.GELU()}), element-wise, any shape;
     * ND4J's {@code erf} op and its derivative (2/√π)·exp(−x²). Slower than {@link #gelu} on the CPU.
     *
     * @param sd graph
     * @param x input
     * @return GELU(x)
     */
    public static SDVariable geluExact(SameDiff sd, SDVariable x) {
        return x.mul(sd.math.erf(x.mul(Math.sqrt(0.5))).add(1.0)).mul(0.5);
    }
}

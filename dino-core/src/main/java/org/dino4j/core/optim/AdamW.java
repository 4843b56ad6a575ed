package org.dino4j.core.optim;

import java.nio.FloatBuffer;
import java.util.List;
import org.dino4j.core.model.ParamInfo;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * AdamW (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization", Alg. 2) over a model's flat parameter
 * buffer, in PyTorch's {@code torch.optim.AdamW} form used by {@code main_dino.py}:
 * <pre>
 *   θ ← θ·(1 − lr·wd)                       (decoupled decay; wd = 0 for parameters without weight decay)
 *   m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²
 *   θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)
 * </pre>
 * As in PyTorch, the step count t is kept per parameter tensor: a tensor skipped by a step (the frozen last layer,
 * whose gradient {@code main_dino.py} sets to {@code None}) is left untouched — no decay, no moment update, no t
 * increment. The moments are flat {@code float[]} of the parameter count, allocated once; a step is one pass over the
 * parameters and allocates nothing. Parameters and gradients are FLOAT, contiguous, host memory (the CPU backend).
 */
public final class AdamW {

    /**
     * @param beta1 β₁ in [0, 1) (PyTorch 0.9)
     * @param beta2 β₂ in [0, 1) (PyTorch 0.999)
     * @param eps   ε &gt; 0 (PyTorch 1e-8)
     */
    public record Options(double beta1, double beta2, double eps) {
        /** Validates every field. */
        public Options {
            if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
            if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
            if (!(eps > 0)) throw new IllegalArgumentException("eps must be > 0, got " + eps);
        }

        /** @return PyTorch's defaults: β₁ 0.9, β₂ 0.999, ε 1e-8 */
        public static Options pytorch() {
            return new Options(0.9, 0.999, 1e-8);
        }
    }

    private final ParamInfo[] params;
    private final int size;
    private final Options options;
    private final float[] m;
    private final float[] v;
    private final long[] steps;

    /**
     * @param params  the parameter tensors, covering the flat buffer contiguously from 0 (a model's
     *                {@link org.dino4j.core.model.DinoModel#parameters()}): their weight decay and last-layer flags
     * @param options β₁, β₂, ε
     */
    public AdamW(List<ParamInfo> params, Options options) {
        this.size = FlatBuffers.checkLayout(params);
        this.params = params.toArray(new ParamInfo[0]);
        this.options = options;
        this.m = new float[size];
        this.v = new float[size];
        this.steps = new long[this.params.length];
    }

    /**
     * One AdamW step, in place on {@code parameters}.
     *
     * @param parameters    the flat parameters (e.g. {@code model.params()}), FLOAT, contiguous
     * @param gradients     the flat gradients of the same layout (read only)
     * @param lr            learning rate of this iteration
     * @param wd            weight decay of this iteration (applied to the parameters with {@code weightDecay()})
     * @param skipLastLayer leave the {@code lastLayer()} parameters untouched (DINO's last-layer freezing)
     */
    public void step(INDArray parameters, INDArray gradients, double lr, double wd, boolean skipLastLayer) {
        FloatBuffer pb = FlatBuffers.floats(parameters, "parameters", size);
        FloatBuffer gb = FlatBuffers.floats(gradients, "gradients", size);
        int pOff = FlatBuffers.offset(parameters);
        int gOff = FlatBuffers.offset(gradients);
        final double beta1 = options.beta1(), beta2 = options.beta2();
        final float b1 = (float) beta1, b2 = (float) beta2;
        final float c1 = (float) (1 - beta1), c2 = (float) (1 - beta2);
        final float e = (float) options.eps();
        final float[] m = this.m, v = this.v;
        for (int k = 0; k < params.length; k++) {
            final ParamInfo s = params[k];
            if (skipLastLayer && s.lastLayer()) continue;
            final long t = ++steps[k];
            final double bc1 = 1 - Math.pow(beta1, t);
            final double bc2 = 1 - Math.pow(beta2, t);
            final float stepSize = (float) (lr / bc1);
            final float invSqrtBc2 = (float) (1 / Math.sqrt(bc2));
            final float decay = s.weightDecay() ? (float) (1 - lr * wd) : 1f;
            for (int i = (int) s.offset(), end = (int) (s.offset() + s.length()); i < end; i++) {
                float g = gb.get(gOff + i);
                float p = pb.get(pOff + i) * decay;
                float mi = b1 * m[i] + c1 * g;
                float vi = b2 * v[i] + c2 * g * g;
                m[i] = mi;
                v[i] = vi;
                pb.put(pOff + i, p - stepSize * mi / ((float) Math.sqrt(vi) * invSqrtBc2 + e));
            }
        }
    }

    /** @return the steps taken by each parameter tensor (t of the bias corrections; live, for checkpoints) */
    public long[] stepCounts() {
        return steps;
    }

    /** @return the first-moment buffer (live; for checkpoints) */
    public float[] firstMoment() {
        return m;
    }

    /** @return the second-moment buffer (live; for checkpoints) */
    public float[] secondMoment() {
        return v;
    }

    /** @return the number of parameters */
    public int size() {
        return size;
    }

    /**
     * Restores the state saved in a checkpoint.
     *
     * @param m1         first moments
     * @param m2         second moments
     * @param stepCounts steps per parameter tensor
     */
    public void restore(float[] m1, float[] m2, long[] stepCounts) {
        if (m1.length != size || m2.length != size) {
            throw new IllegalArgumentException("optimizer state must have " + size + " entries, got " + m1.length + " and " + m2.length);
        }
        if (stepCounts.length != steps.length) {
            throw new IllegalArgumentException("optimizer step counts must have " + steps.length + " entries, got " + stepCounts.length);
        }
        for (long t : stepCounts) if (t < 0) throw new IllegalArgumentException("optimizer step counts must be >= 0, got " + t);
        System.arraycopy(m1, 0, m, 0, size);
        System.arraycopy(m2, 0, v, 0, size);
        System.arraycopy(stepCounts, 0, steps, 0, steps.length);
    }
}

package org.dino4j.train.optim;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * AdamW (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization", Alg. 2) over one flat parameter
 * buffer, in PyTorch's {@code torch.optim.AdamW} form used by main_dino.py:
 * <pre>
 *   θ ← θ·(1 − lr·wd)                       (decoupled decay; wd = 0 for no-decay segments)
 *   m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²
 *   θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)
 * </pre>
 * As in PyTorch, the step count t is kept per parameter tensor: a tensor skipped by a step (the frozen last layer,
 * whose gradient main_dino.py sets to {@code None}) is left untouched — no decay, no moment update, no t increment.
 * The moment buffers {@code m}, {@code v} are flat {@code float[]} of the parameter count, allocated once; a step
 * is one pass over the parameters and allocates nothing.
 */
public final class AdamW {
    private final ParamSegment[] segments;
    private final int size;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final float[] m;
    private final float[] v;
    private final long[] steps;

    /**
     * @param segments the parameter tensors, covering {@code [0, size)} contiguously (see {@link FlatBuffers#checkLayout}).
     * @param size     number of parameters.
     */
    public AdamW(List<ParamSegment> segments, int size, double beta1, double beta2, double eps) {
        FlatBuffers.checkLayout(segments, size);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("eps must be > 0, got " + eps);
        this.segments = segments.toArray(new ParamSegment[0]);
        this.size = size;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.m = new float[size];
        this.v = new float[size];
        this.steps = new long[this.segments.length];
    }

    /**
     * One AdamW step, in place.
     *
     * @param params parameter memory; parameter i at {@code params[pOff + i]}.
     * @param grads  gradient memory; gradient i at {@code grads[gOff + i]} (read only).
     * @param lr     learning rate of this iteration.
     * @param wd     weight decay of this iteration (applied to segments with {@code decay()}).
     * @param skipLastLayer leave the {@code lastLayer()} segments untouched (last-layer freezing).
     */
    public void step(FloatBuffer params, int pOff, FloatBuffer grads, int gOff, double lr, double wd, boolean skipLastLayer) {
        if (params.capacity() < pOff + size) throw new IllegalArgumentException("params buffer too small: " + params.capacity() + " < " + (pOff + size));
        if (grads.capacity() < gOff + size) throw new IllegalArgumentException("grads buffer too small: " + grads.capacity() + " < " + (gOff + size));
        final float b1 = (float) beta1, b2 = (float) beta2;
        final float c1 = (float) (1 - beta1), c2 = (float) (1 - beta2);
        final float e = (float) eps;
        final float[] m = this.m, v = this.v;
        for (int k = 0; k < segments.length; k++) {
            final ParamSegment s = segments[k];
            if (skipLastLayer && s.lastLayer()) continue;
            final long t = ++steps[k];
            final double bc1 = 1 - Math.pow(beta1, t);
            final double bc2 = 1 - Math.pow(beta2, t);
            final float stepSize = (float) (lr / bc1);
            final float invSqrtBc2 = (float) (1 / Math.sqrt(bc2));
            final float decay = s.decay() ? (float) (1 - lr * wd) : 1f;
            for (int i = s.offset(), end = s.end(); i < end; i++) {
                float g = grads.get(gOff + i);
                float p = params.get(pOff + i) * decay;
                float mi = b1 * m[i] + c1 * g;
                float vi = b2 * v[i] + c2 * g * g;
                m[i] = mi;
                v[i] = vi;
                params.put(pOff + i, p - stepSize * mi / ((float) Math.sqrt(vi) * invSqrtBc2 + e));
            }
        }
    }

    /** Steps taken by each parameter tensor (t in the bias corrections; live, for checkpoints). */
    public long[] stepCounts() {
        return steps;
    }

    /** The first-moment buffer (live; for checkpoints). */
    public float[] firstMoment() {
        return m;
    }

    /** The second-moment buffer (live; for checkpoints). */
    public float[] secondMoment() {
        return v;
    }

    /** Number of parameters. */
    public int size() {
        return size;
    }

    /** Restores the state saved in a checkpoint. */
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

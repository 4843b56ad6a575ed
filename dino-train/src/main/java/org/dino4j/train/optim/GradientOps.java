package org.dino4j.train.optim;

import java.nio.FloatBuffer;
import java.util.List;

/** Gradient surgery of the DINO step, in place on the flat gradient buffer (no allocation). */
public final class GradientOps {
    private GradientOps() {}

    /**
     * main_dino.py's {@code clip_gradients}: for each parameter tensor separately, {@code n = ‖g‖₂} and, when
     * {@code clip/(n + 1e-6) < 1}, {@code g ← g · clip/(n + 1e-6)}.
     *
     * @param normsOut receives each segment's norm before clipping (length ≥ number of segments), or null.
     * @return the number of tensors that were clipped.
     */
    public static int clipPerTensor(FloatBuffer grads, int gOff, List<ParamSegment> segments, double clip, double[] normsOut) {
        if (!(clip > 0)) throw new IllegalArgumentException("clip must be > 0, got " + clip);
        int clipped = 0;
        for (int k = 0, n = segments.size(); k < n; k++) {
            ParamSegment s = segments.get(k);
            double sq = 0;
            for (int i = gOff + s.offset(), end = gOff + s.end(); i < end; i++) {
                double g = grads.get(i);
                sq += g * g;
            }
            double norm = Math.sqrt(sq);
            if (normsOut != null) normsOut[k] = norm;
            double coef = clip / (norm + 1e-6);
            if (coef < 1) {
                float c = (float) coef;
                for (int i = gOff + s.offset(), end = gOff + s.end(); i < end; i++) grads.put(i, grads.get(i) * c);
                clipped++;
            }
        }
        return clipped;
    }

    /** main_dino.py's {@code cancel_gradients_last_layer}: zero the gradients of every {@code lastLayer()} segment. */
    public static void zeroLastLayer(FloatBuffer grads, int gOff, List<ParamSegment> segments) {
        for (ParamSegment s : segments) {
            if (!s.lastLayer()) continue;
            for (int i = gOff + s.offset(), end = gOff + s.end(); i < end; i++) grads.put(i, 0f);
        }
    }
}

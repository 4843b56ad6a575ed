package org.dino4j.core.optim;

import java.nio.FloatBuffer;
import java.util.List;
import org.dino4j.core.model.ParamInfo;
import org.nd4j.linalg.api.ndarray.INDArray;

/** DINO's gradient surgery, in place on a model's flat gradient buffer (FLOAT, contiguous, host memory; no allocation). */
public final class GradientClipping {
    private GradientClipping() {
    }

    /**
     * {@code main_dino.py}'s {@code clip_gradients}: for each parameter tensor separately, {@code n = ‖g‖₂} and, when
     * {@code maxNorm/(n + 1e-6) < 1}, {@code g ← g · maxNorm/(n + 1e-6)}.
     *
     * @param gradients the flat gradients (e.g. {@code model.gradients()})
     * @param params    the parameter tensors of that layout (e.g. {@code model.parameters()})
     * @param maxNorm   the largest norm a tensor's gradient keeps, &gt; 0 (DINO: 3.0)
     * @param normsOut  receives each tensor's norm before clipping (length &gt;= the number of tensors), or null
     * @return the number of tensors that were clipped
     */
    public static int perTensor(INDArray gradients, List<ParamInfo> params, double maxNorm, double[] normsOut) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("maxNorm must be > 0, got " + maxNorm);
        int size = FlatBuffers.checkLayout(params);
        FloatBuffer grads = FlatBuffers.floats(gradients, "gradients", size);
        int gOff = FlatBuffers.offset(gradients);
        int clipped = 0;
        for (int k = 0, n = params.size(); k < n; k++) {
            ParamInfo s = params.get(k);
            int from = gOff + (int) s.offset(), end = from + (int) s.length();
            double sq = 0;
            for (int i = from; i < end; i++) {
                double g = grads.get(i);
                sq += g * g;
            }
            double norm = Math.sqrt(sq);
            if (normsOut != null) normsOut[k] = norm;
            double coef = maxNorm / (norm + 1e-6);
            if (coef < 1) {
                float c = (float) coef;
                for (int i = from; i < end; i++) grads.put(i, grads.get(i) * c);
                clipped++;
            }
        }
        return clipped;
    }

    /**
     * {@code main_dino.py}'s {@code cancel_gradients_last_layer}: zeroes the gradients of every {@code lastLayer()}
     * tensor (during the first {@code freeze_last_layer} epochs).
     *
     * @param gradients the flat gradients
     * @param params    the parameter tensors of that layout
     */
    public static void zeroLastLayer(INDArray gradients, List<ParamInfo> params) {
        int size = FlatBuffers.checkLayout(params);
        FloatBuffer grads = FlatBuffers.floats(gradients, "gradients", size);
        int gOff = FlatBuffers.offset(gradients);
        for (ParamInfo s : params) {
            if (!s.lastLayer()) continue;
            for (int i = gOff + (int) s.offset(), end = i + (int) s.length(); i < end; i++) grads.put(i, 0f);
        }
    }
}

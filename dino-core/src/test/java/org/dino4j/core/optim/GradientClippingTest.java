package org.dino4j.core.optim;

import org.dino4j.core.model.ParamInfo;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@link GradientClipping}: DINO's per-tensor clipping and last-layer cancelling on a flat gradient buffer. */
class GradientClippingTest {
    private static final List<ParamInfo> LAYOUT = List.of(
            ParamInfo.of("a", 0, new long[]{4}, true, false),
            ParamInfo.of("b", 4, new long[]{2}, false, false),
            ParamInfo.of("last", 6, new long[]{3}, true, true));

    @Test
    void clipsEachTensorSeparatelyLikeDino() {
        float[] g = {3, 4, 0, 0, /* norm 5 */ 0.3f, 0.4f, /* norm 0.5 */ 6, 8, 0 /* norm 10 */};
        INDArray b = Nd4j.createFromArray(g.clone());
        double[] norms = new double[3];
        int clipped = GradientClipping.perTensor(b, LAYOUT, 3.0, norms);
        assertEquals(2, clipped);
        assertArrayEquals(new double[]{5, 0.5, 10}, norms, 1e-6);
        double ca = 3.0 / (5 + 1e-6), cc = 3.0 / (10 + 1e-6);
        assertEquals(3 * ca, b.getFloat(0), 1e-6);
        assertEquals(4 * ca, b.getFloat(1), 1e-6);
        assertEquals(0.3f, b.getFloat(4), 0f, "below the limit: untouched");
        assertEquals(0.4f, b.getFloat(5), 0f);
        assertEquals(6 * cc, b.getFloat(6), 1e-6);
        double na = Math.hypot(b.getFloat(0), b.getFloat(1));
        assertEquals(3.0, na, 1e-5, "clipped tensor has norm clip");
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.perTensor(b, LAYOUT, 0, null));
    }

    @Test
    void zeroesOnlyTheLastLayer() {
        INDArray b = Nd4j.createFromArray(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9});
        GradientClipping.zeroLastLayer(b, LAYOUT);
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6, 0, 0, 0}, b.toFloatVector());
    }

    @Test
    void worksOnAnNd4jViewThroughItsOffset() {
        INDArray all = Nd4j.createFromArray(new float[]{9, 9, 3, 4, 0, 0, 0.3f, 0.4f, 6, 8, 0});
        INDArray view = all.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 11));
        GradientClipping.perTensor(view, LAYOUT, 3.0, null);
        assertEquals(9f, all.getFloat(0), 0f, "outside the view untouched");
        assertEquals(3 * 3.0 / (5 + 1e-6), all.getFloat(2), 1e-6, "written through to the INDArray");
    }
}

package org.dino4j.train.optim;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GradientOpsTest {
    private static final List<ParamSegment> LAYOUT = List.of(
            new ParamSegment("a", 0, 4, true, false),
            new ParamSegment("b", 4, 2, false, false),
            new ParamSegment("last", 6, 3, true, true));

    @Test
    void clipsEachTensorSeparatelyLikeDino() {
        float[] g = {3, 4, 0, 0, /* norm 5 */ 0.3f, 0.4f, /* norm 0.5 */ 6, 8, 0 /* norm 10 */};
        FloatBuffer b = FloatBuffer.wrap(g.clone());
        double[] norms = new double[3];
        int clipped = GradientOps.clipPerTensor(b, 0, LAYOUT, 3.0, norms);
        assertEquals(2, clipped);
        assertArrayEquals(new double[]{5, 0.5, 10}, norms, 1e-6);
        double ca = 3.0 / (5 + 1e-6), cc = 3.0 / (10 + 1e-6);
        assertEquals(3 * ca, b.get(0), 1e-6);
        assertEquals(4 * ca, b.get(1), 1e-6);
        assertEquals(0.3f, b.get(4), 0f, "below the limit: untouched");
        assertEquals(0.4f, b.get(5), 0f);
        assertEquals(6 * cc, b.get(6), 1e-6);
        double na = Math.hypot(b.get(0), b.get(1));
        assertEquals(3.0, na, 1e-5, "clipped tensor has norm clip");
    }

    @Test
    void zeroesOnlyTheLastLayer() {
        FloatBuffer b = FloatBuffer.wrap(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9});
        GradientOps.zeroLastLayer(b, 0, LAYOUT);
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6, 0, 0, 0}, b.array());
    }

    @Test
    void worksOnAnNd4jViewThroughItsOffset() {
        INDArray all = Nd4j.createFromArray(new float[]{9, 9, 3, 4, 0, 0, 0.3f, 0.4f, 6, 8, 0});
        INDArray view = all.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 11));
        FloatBuffer fb = FlatBuffers.floats(view, "grads");
        int off = FlatBuffers.offset(view);
        assertEquals(2, off);
        GradientOps.clipPerTensor(fb, off, LAYOUT, 3.0, null);
        assertEquals(9f, all.getFloat(0), 0f, "outside the view untouched");
        assertEquals(3 * 3.0 / (5 + 1e-6), all.getFloat(2), 1e-6, "written through to the INDArray");
    }
}

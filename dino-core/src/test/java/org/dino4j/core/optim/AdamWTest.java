package org.dino4j.core.optim;

import org.dino4j.core.model.ParamInfo;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** {@link AdamW} against PyTorch's AdamW written as a float64 loop, with the decay mask and the frozen last layer. */
class AdamWTest {
    private static final List<ParamInfo> LAYOUT = List.of(
            ParamInfo.of("w1", 0, new long[]{3, 4}, true, false),
            ParamInfo.of("b1", 12, new long[]{3}, false, false),
            ParamInfo.of("last", 15, new long[]{5}, true, true));
    private static final AdamW.Options PYTORCH = AdamW.Options.pytorch();

    private static INDArray zeros(int n) {
        return Nd4j.create(DataType.FLOAT, 1, n);
    }

    /** Plain float64 PyTorch-AdamW reference with a per-tensor step count. */
    private static final class Reference {
        final double[] p, m = new double[20], v = new double[20];
        final long[] t = new long[3];

        Reference(float[] init) {
            p = new double[init.length];
            for (int i = 0; i < p.length; i++) p[i] = init[i];
        }

        void step(float[] g, double lr, double wd, boolean skipLast) {
            for (int k = 0; k < 3; k++) {
                ParamInfo s = LAYOUT.get(k);
                if (skipLast && s.lastLayer()) continue;
                t[k]++;
                for (int i = (int) s.offset(); i < s.offset() + s.length(); i++) {
                    if (s.weightDecay()) p[i] *= 1 - lr * wd;
                    m[i] = 0.9 * m[i] + 0.1 * g[i];
                    v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                    double mh = m[i] / (1 - Math.pow(0.9, t[k]));
                    double vh = v[i] / (1 - Math.pow(0.999, t[k]));
                    p[i] -= lr * mh / (Math.sqrt(vh) + 1e-8);
                }
            }
        }
    }

    @Test
    void matchesAFloat64LoopIncludingDecayMaskAndFrozenLayer() {
        SplittableRandom r = new SplittableRandom(7);
        float[] p = new float[20];
        for (int i = 0; i < 20; i++) p[i] = (float) r.nextGaussian();
        Reference ref = new Reference(p);
        AdamW opt = new AdamW(LAYOUT, PYTORCH);
        INDArray all = zeros(23);
        INDArray params = all.get(NDArrayIndex.point(0), NDArrayIndex.interval(3, 23)); // a view at offset 3 of a larger buffer
        params.assign(Nd4j.createFromArray(p));
        INDArray grads = zeros(20);
        for (int step = 0; step < 25; step++) {
            float[] g = new float[20];
            for (int i = 0; i < 20; i++) g[i] = (float) (r.nextGaussian() * (step % 3 + 0.1));
            grads.assign(Nd4j.createFromArray(g).reshape(1, 20));
            double lr = 1e-2 * (step + 1) / 25, wd = 0.04 + 0.01 * step;
            boolean skip = step < 4;
            opt.step(params, grads, lr, wd, skip);
            ref.step(g, lr, wd, skip);
        }
        for (int i = 0; i < 20; i++) {
            assertEquals(ref.p[i], params.getFloat(i), 2e-5 * Math.max(1, Math.abs(ref.p[i])), "param " + i);
        }
        assertEquals(0f, all.getFloat(0), 0f, "nothing written before the view");
        assertArrayEquals(new long[]{25, 25, 21}, opt.stepCounts());
    }

    @Test
    void frozenLayerIsUntouchedAndNoDecayOnBiases() {
        AdamW opt = new AdamW(LAYOUT, PYTORCH);
        INDArray pb = zeros(20).addi(1);
        INDArray gb = zeros(20); // zero gradients: only decay can move a parameter
        opt.step(pb, gb, 0.1, 0.5, true);
        for (int i = 0; i < 12; i++) assertEquals(1 - 0.1 * 0.5, pb.getFloat(i), 1e-7, "decayed weight " + i);
        for (int i = 12; i < 15; i++) assertEquals(1f, pb.getFloat(i), 0f, "bias not decayed " + i);
        for (int i = 15; i < 20; i++) assertEquals(1f, pb.getFloat(i), 0f, "frozen last layer " + i);
    }

    @Test
    void restoreRoundTripsAndChecksLengths() {
        AdamW a = new AdamW(LAYOUT, PYTORCH);
        INDArray pb = zeros(20), gb = zeros(20);
        for (int i = 0; i < 20; i++) gb.putScalar(0, i, i * 0.1f);
        a.step(pb, gb, 0.01, 0.1, false);
        AdamW b = new AdamW(LAYOUT, PYTORCH);
        b.restore(a.firstMoment().clone(), a.secondMoment().clone(), a.stepCounts().clone());
        INDArray pa = zeros(20), pbb = zeros(20);
        a.step(pa, gb, 0.01, 0.1, false);
        b.step(pbb, gb, 0.01, 0.1, false);
        for (int i = 0; i < 20; i++) assertEquals(pa.getFloat(i), pbb.getFloat(i), 0f);
        assertThrows(IllegalArgumentException.class, () -> b.restore(new float[3], new float[20], new long[3]));
        assertThrows(IllegalArgumentException.class, () -> b.restore(new float[20], new float[20], new long[2]));
    }

    @Test
    void layoutMustCoverTheBuffer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(
                ParamInfo.of("a", 0, new long[]{5}, true, false), ParamInfo.of("b", 6, new long[]{4}, true, false)), PYTORCH));
        assertTrue(e.getMessage().contains("b starts at 6, expected 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AdamW(LAYOUT, PYTORCH).step(zeros(21), zeros(20), 0.1, 0, false));
        assertTrue(e.getMessage().contains("parameters must have 20 elements"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(LAYOUT, PYTORCH).step(Nd4j.create(DataType.DOUBLE, 1, 20), zeros(20), 0.1, 0, false));
        assertTrue(e.getMessage().contains("FLOAT"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Options(1.0, 0.999, 1e-8));
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Options(0.9, 0.999, 0));
    }
}

package org.dino4j.train.optim;

import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class AdamWTest {
    private static final List<ParamSegment> LAYOUT = List.of(
            new ParamSegment("w1", 0, 12, true, false),
            new ParamSegment("b1", 12, 3, false, false),
            new ParamSegment("last", 15, 5, true, true));

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
                ParamSegment s = LAYOUT.get(k);
                if (skipLast && s.lastLayer()) continue;
                t[k]++;
                for (int i = s.offset(); i < s.end(); i++) {
                    if (s.decay()) p[i] *= 1 - lr * wd;
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
        AdamW opt = new AdamW(LAYOUT, 20, 0.9, 0.999, 1e-8);
        FloatBuffer pb = FloatBuffer.allocate(23); // offset 3 into a larger buffer
        pb.put(3, p);
        FloatBuffer gb = FloatBuffer.allocate(20);
        for (int step = 0; step < 25; step++) {
            float[] g = new float[20];
            for (int i = 0; i < 20; i++) g[i] = (float) (r.nextGaussian() * (step % 3 + 0.1));
            gb.put(0, g);
            double lr = 1e-2 * (step + 1) / 25, wd = 0.04 + 0.01 * step;
            boolean skip = step < 4;
            opt.step(pb, 3, gb, 0, lr, wd, skip);
            ref.step(g, lr, wd, skip);
        }
        for (int i = 0; i < 20; i++) {
            assertEquals(ref.p[i], pb.get(3 + i), 2e-5 * Math.max(1, Math.abs(ref.p[i])), "param " + i);
        }
        assertArrayEquals(new long[]{25, 25, 21}, opt.stepCounts());
    }

    @Test
    void frozenLayerIsUntouchedAndNoDecayOnBiases() {
        AdamW opt = new AdamW(LAYOUT, 20, 0.9, 0.999, 1e-8);
        FloatBuffer pb = FloatBuffer.allocate(20);
        for (int i = 0; i < 20; i++) pb.put(i, 1f);
        FloatBuffer gb = FloatBuffer.allocate(20); // zero gradients: only decay can move a parameter
        opt.step(pb, 0, gb, 0, 0.1, 0.5, true);
        for (int i = 0; i < 12; i++) assertEquals(1 - 0.1 * 0.5, pb.get(i), 1e-7, "decayed weight " + i);
        for (int i = 12; i < 15; i++) assertEquals(1f, pb.get(i), 0f, "bias not decayed " + i);
        for (int i = 15; i < 20; i++) assertEquals(1f, pb.get(i), 0f, "frozen last layer " + i);
    }

    @Test
    void restoreRoundTripsAndChecksLengths() {
        AdamW a = new AdamW(LAYOUT, 20, 0.9, 0.999, 1e-8);
        FloatBuffer pb = FloatBuffer.allocate(20), gb = FloatBuffer.allocate(20);
        for (int i = 0; i < 20; i++) gb.put(i, i * 0.1f);
        a.step(pb, 0, gb, 0, 0.01, 0.1, false);
        AdamW b = new AdamW(LAYOUT, 20, 0.9, 0.999, 1e-8);
        b.restore(a.firstMoment().clone(), a.secondMoment().clone(), a.stepCounts().clone());
        FloatBuffer pa = FloatBuffer.allocate(20), pbb = FloatBuffer.allocate(20);
        a.step(pa, 0, gb, 0, 0.01, 0.1, false);
        b.step(pbb, 0, gb, 0, 0.01, 0.1, false);
        for (int i = 0; i < 20; i++) assertEquals(pa.get(i), pbb.get(i), 0f);
        assertThrows(IllegalArgumentException.class, () -> b.restore(new float[3], new float[20], new long[3]));
        assertThrows(IllegalArgumentException.class, () -> b.restore(new float[20], new float[20], new long[2]));
    }

    @Test
    void layoutMustCoverTheBuffer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AdamW(
                List.of(new ParamSegment("a", 0, 5, true, false), new ParamSegment("b", 6, 4, true, false)), 10, 0.9, 0.999, 1e-8));
        assertTrue(e.getMessage().contains("b"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AdamW(LAYOUT, 21, 0.9, 0.999, 1e-8));
    }
}

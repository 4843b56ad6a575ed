package org.dino4j.core.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimdTest {

    static boolean switchedOff() {
        return "off".equals(System.getProperty("dino4j.simd"));
    }

    @Test
    void enabledWhenTheIncubatorModuleIsInTheBootLayerUnlessSwitchedOff() {
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assertTrue(module, "surefire's argLine must add jdk.incubator.vector (parent pom)");
        if (switchedOff()) {
            assertFalse(Simd.enabled(), "-Ddino4j.simd=off must switch SIMD off");
            assertEquals(1, Simd.floatLanes());
            assertThrows(IllegalStateException.class, () -> Simd.max(new float[4], 4));
            return;
        }
        assertTrue(Simd.enabled(), "module present, self-test must pass");
        assertTrue(Simd.floatLanes() >= 4, "lanes " + Simd.floatLanes());
    }

    @Test
    void axpbyMatchesTheScalarFormulaBitForBitAtEveryOffsetAndTail() {
        assumeFalse(switchedOff());
        Random rnd = new Random(11);
        int cap = 200;
        ByteBuffer t0 = ByteBuffer.allocateDirect(4 * cap).order(ByteOrder.nativeOrder());
        ByteBuffer s = ByteBuffer.allocateDirect(4 * cap).order(ByteOrder.nativeOrder());
        for (int i = 0; i < cap; i++) {
            t0.putFloat(4 * i, (float) rnd.nextGaussian());
            s.putFloat(4 * i, (float) rnd.nextGaussian());
        }
        float a = 0.996f;
        float b = 1 - a;
        for (int tOff : new int[] {0, 1, 3, 17}) {
            for (int n : new int[] {0, 1, Simd.floatLanes() - 1, Simd.floatLanes(), 2 * Simd.floatLanes() + 5, 150}) {
                int sOff = 5;
                ByteBuffer t = ByteBuffer.allocateDirect(4 * cap).order(ByteOrder.nativeOrder());
                t.put(0, t0, 0, 4 * cap);
                Simd.axpbyInPlace(t, tOff, s, sOff, n, a, b);
                for (int i = 0; i < cap; i++) {
                    float old = t0.getFloat(4 * i);
                    boolean inside = i >= tOff && i < tOff + n;
                    float expect = inside ? a * old + b * s.getFloat(4 * (i - tOff + sOff)) : old;
                    assertEquals(expect, t.getFloat(4 * i), 0f, "tOff=" + tOff + " n=" + n + " i=" + i);
                }
            }
        }
    }

    @Test
    void rowKernelsMatchFloat64LoopsAtEveryTailLength() {
        assumeFalse(switchedOff());
        Random rnd = new Random(12);
        for (int n : new int[] {1, 3, 7, 8, 9, 17, 64, 1000, 4099}) {
            float[] x0 = new float[n];
            float[] c = new float[n];
            float[] p = new float[2 * n + 5];
            for (int i = 0; i < n; i++) {
                x0[i] = (float) (3 * rnd.nextGaussian());
                c[i] = (float) (0.5 * rnd.nextGaussian());
            }
            for (int i = 0; i < p.length; i++) {
                p[i] = rnd.nextFloat();
            }
            float max = Float.NEGATIVE_INFINITY;
            for (float v : x0) {
                max = Math.max(max, v);
            }
            assertEquals(max, Simd.max(x0, n), 0f, "max n=" + n);
            for (int qb : new int[] {-1, n + 5}) {
                int qa = 3;
                double inv = 10.0;
                float[] x = x0.clone();
                double[] out = new double[2];
                Simd.expSumDot(x, n, max, inv, p, qa, qb, out);
                double sum = 0;
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    double q = qb >= 0 ? (double) p[qa + i] + p[qb + i] : p[qa + i];
                    double e = Math.exp(((double) x0[i] - max) * inv);
                    sum += e;
                    dot += q * x0[i];
                    assertEquals((float) e, x[i], 2e-7f * Math.max(1e-30f, (float) e), "e_i n=" + n + " i=" + i);
                }
                assertEquals(sum, out[0], 1e-12 * sum, "sum n=" + n);
                assertEquals(dot, out[1], 1e-12 * Math.max(1, Math.abs(dot)), "dot n=" + n);
                float[] g = x.clone();
                Simd.gradRow(g, n, 0.3, 0.7, p, qa, qb);
                for (int i = 0; i < n; i++) {
                    double q = qb >= 0 ? (double) p[qa + i] + p[qb + i] : p[qa + i];
                    assertEquals((float) (0.3 * x[i] - 0.7 * q), g[i], 0f, "grad n=" + n + " i=" + i);
                }
            }
            float[] probs = new float[n + 2];
            double h = Simd.centeredSoftmaxRow(x0, c, 1 / 0.04, probs, 2, n);
            double m = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                m = Math.max(m, (x0[i] - (double) c[i]) / 0.04);
            }
            double z = 0;
            double[] e = new double[n];
            for (int i = 0; i < n; i++) {
                e[i] = Math.exp((x0[i] - (double) c[i]) / 0.04 - m);
                z += e[i];
            }
            double hRef = 0;
            for (int i = 0; i < n; i++) {
                double pi = e[i] / z;
                assertEquals(pi, probs[2 + i], 1e-6 * Math.max(pi, 1e-30) + 1e-30, "p_i n=" + n + " i=" + i);
                if (pi > 0) {
                    hRef -= pi * Math.log(pi);
                }
            }
            assertEquals(0f, probs[0], 0f, "nothing written before the offset");
            assertEquals(hRef, h, 1e-9 * Math.max(1, hRef), "entropy n=" + n);
        }
    }
}

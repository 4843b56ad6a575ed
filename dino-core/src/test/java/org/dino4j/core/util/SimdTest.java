package org.dino4j.core.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.dino4j.core.KernelOptions;
import org.junit.jupiter.api.Test;

class SimdTest {

    /** Whether this test run switched SIMD off: the scalar-kernels execution of dino-core's pom. */
    static boolean switchedOff() {
        return "off".equals(System.getProperty("dino4j.simd"));
    }

    @Test
    void enabledWhenTheIncubatorModuleIsInTheBootLayerUnlessSwitchedOff() {
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assertTrue(module, "surefire's argLine must add jdk.incubator.vector (parent pom)");
        if (switchedOff()) {
            // the test side's KernelOptionsFromProperties turned -Ddino4j.simd=off into KernelOptions.configure
            assertEquals(KernelOptions.SimdMode.OFF, KernelOptions.inForce().simd());
            assertFalse(Simd.enabled(), "-Ddino4j.simd=off must switch SIMD off");
            assertEquals(1, Simd.floatLanes());
            ByteBuffer buf = ByteBuffer.allocate(16);
            float[] f = new float[4];
            assertThrows(IllegalStateException.class, () -> Simd.axpbyInPlace(buf, 0, buf, 0, 4, 1f, 0f));
            assertThrows(IllegalStateException.class, () -> SimdLoss.max(f, 4));
            assertThrows(IllegalStateException.class, () -> SimdLayers.affine(buf, 0, buf, 0, 4, 4, f, f, true));
            return;
        }
        assertEquals(KernelOptions.SimdMode.AUTO, KernelOptions.inForce().simd());
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
}

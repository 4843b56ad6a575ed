package org.dino4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dino4j.core.util.HostArrays;
import org.dino4j.core.util.Simd;
import org.junit.jupiter.api.Test;

class KernelOptionsTest {

    @Test
    void defaultsAndWithers() {
        KernelOptions d = KernelOptions.defaults();
        assertEquals(new KernelOptions(KernelOptions.SimdMode.AUTO, KernelOptions.Kernels.AUTO, true), d);
        KernelOptions o = d.withSimd(KernelOptions.SimdMode.OFF).withKernels(KernelOptions.Kernels.ND4J)
                .withSimdWarmUp(false);
        assertEquals(new KernelOptions(KernelOptions.SimdMode.OFF, KernelOptions.Kernels.ND4J, false), o);
        assertEquals(KernelOptions.defaults(), d, "withers leave the original alone");
        assertThrows(NullPointerException.class, () -> d.withSimd(null));
        assertThrows(NullPointerException.class, () -> d.withKernels(null));
    }

    @Test
    void theChoiceIsOpenUntilTheFirstKernelFixesItThenOnlyRepeatable() {
        KernelOptions.Choice c = new KernelOptions.Choice();
        KernelOptions off = KernelOptions.defaults().withSimd(KernelOptions.SimdMode.OFF);
        KernelOptions nd4j = KernelOptions.defaults().withKernels(KernelOptions.Kernels.ND4J);
        c.configure(off);
        c.configure(nd4j); // not fixed yet: replaced
        assertEquals(nd4j, c.fix());
        assertEquals(nd4j, c.fix(), "fixed");
        c.configure(nd4j); // the same choice again is fine
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.configure(off));
        assertTrue(e.getMessage().contains("before the first model, loss or EMA runs"), e.getMessage());
        assertEquals(nd4j, c.fix(), "a refused configure changes nothing");
        assertEquals(KernelOptions.defaults(), new KernelOptions.Choice().fix(), "never configured: the defaults");
    }

    @Test
    void thisJvmsKernelsFollowTheOptionsInForce() {
        KernelOptions inForce = KernelOptions.inForce();
        if (inForce.simd() == KernelOptions.SimdMode.OFF) {
            assertFalse(Simd.enabled());
        }
        assertEquals(inForce.kernels() != KernelOptions.Kernels.ND4J, HostArrays.hostKernels(),
                "CPU backend in tests: the Java kernels unless ND4J ops are forced");
        KernelOptions.configure(inForce); // repeating the choice in force is accepted
        KernelOptions other = inForce.withSimdWarmUp(!inForce.simdWarmUp());
        assertThrows(IllegalStateException.class, () -> KernelOptions.configure(other));
        assertEquals(inForce, KernelOptions.inForce());
    }
}

package org.dino4j.train.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Properties;
import org.dino4j.core.KernelOptions;
import org.dino4j.core.exec.Execution;
import org.dino4j.core.exec.SessionMemory;
import org.dino4j.core.model.DinoModel;
import org.dino4j.train.config.Presets;
import org.junit.jupiter.api.Test;

/** The {@code -Ddino4j.*} overrides, read from a {@link Properties} object (the JVM's own are left alone). */
class RuntimeOverridesTest {

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void unsetPropertiesMeanDino4jsDefaults() {
        assertEquals(KernelOptions.defaults(), RuntimeOverrides.kernelOptions(props()));
        assertEquals(SessionMemory.Mode.AUTO, RuntimeOverrides.sessionMemory(props()));
    }

    @Test
    void kernelPropertiesBecomeKernelOptionsCaseAndSpaceInsensitive() {
        KernelOptions o = RuntimeOverrides.kernelOptions(props("dino4j.simd", " OFF", "dino4j.kernels", "nd4j",
                "dino4j.simd.warmup", "off"));
        assertEquals(new KernelOptions(KernelOptions.SimdMode.OFF, KernelOptions.Kernels.ND4J, false), o);
        assertEquals(KernelOptions.Kernels.HOST, RuntimeOverrides.kernelOptions(props("dino4j.kernels", "host")).kernels());
        assertEquals(KernelOptions.SimdMode.AUTO, RuntimeOverrides.kernelOptions(props("dino4j.simd", "auto")).simd());
    }

    @Test
    void modelPropertiesAreAppliedToTheModel() {
        DinoModel m = DinoModel.create(Presets.get("tiny").model().createBackbone(1), Presets.get("tiny").model().head(), 1);
        assertSame(m, RuntimeOverrides.applyTo(m, props("dino4j.exec", "session", "dino4j.loss", "graph",
                "dino4j.samediff.memory", "gc")));
        assertEquals(Execution.SESSION, m.plans().execution());
        assertFalse(m.fusedLoss());
        assertEquals(SessionMemory.Mode.GC, m.plans().sessionMemory());
        RuntimeOverrides.applyTo(m, props());
        assertEquals(Execution.FUSED, m.plans().execution(), "default");
        assertEquals(SessionMemory.Mode.AUTO, m.plans().sessionMemory(), "default");
    }

    @Test
    void aBadValueIsOneMessageNamingThePropertyAndTheAcceptedValues() {
        String[][] cases = {
            {"dino4j.simd", "on", "system property dino4j.simd must be auto or off, got 'on'"},
            {"dino4j.simd.warmup", "no", "system property dino4j.simd.warmup must be on or off, got 'no'"},
            {"dino4j.kernels", "gpu", "system property dino4j.kernels must be auto, host or nd4j, got 'gpu'"},
            {"dino4j.exec", "eager", "system property dino4j.exec must be fused, plan or session, got 'eager'"},
            {"dino4j.loss", "x", "system property dino4j.loss must be fused or graph, got 'x'"},
            {"dino4j.samediff.memory", "", "system property dino4j.samediff.memory must be auto, release or gc, got ''"},
        };
        for (String[] c : cases) {
            // applyProcessWide checks every property before it configures anything
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RuntimeOverrides.applyProcessWide(props(c[0], c[1])), c[0]);
            assertEquals(c[2], e.getMessage());
        }
    }
}

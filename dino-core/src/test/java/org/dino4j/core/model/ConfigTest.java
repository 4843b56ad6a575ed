package org.dino4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dino4j.core.DinoRuntime;
import org.junit.jupiter.api.Test;

class ConfigTest {
    private static void fails(String field, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    @Test
    void headPresetsAndValidation() {
        DinoHeadConfig o = DinoHeadConfig.official();
        assertEquals(List.of(2048, 256, 65536, 3), List.of(o.hiddenDim(), o.bottleneckDim(), o.outDim(), o.nLayers()));
        assertTrue(o.normLastLayer());
        DinoHeadConfig s = DinoHeadConfig.small28();
        assertEquals(List.of(512, 128, 4096), List.of(s.hiddenDim(), s.bottleneckDim(), s.outDim()));
        fails("hiddenDim", () -> new DinoHeadConfig(0, 8, 10, 3, true, 1e-12));
        fails("bottleneckDim", () -> new DinoHeadConfig(8, 0, 10, 3, true, 1e-12));
        fails("outDim", () -> new DinoHeadConfig(8, 8, 1, 3, true, 1e-12));
        fails("nLayers", () -> new DinoHeadConfig(8, 8, 10, 0, true, 1e-12));
        fails("l2Eps", () -> new DinoHeadConfig(8, 8, 10, 3, true, 0));
    }

    @Test
    void resnetPresetsAndValidation() {
        SmallResNetConfig c = SmallResNetConfig.small28(1);
        assertEquals(128, c.featureDim());
        assertEquals(128, new SmallResNet(c).featureDim());
        fails("inChannels", () -> new SmallResNetConfig(0, 8, List.of(8), 0, 2, 1e-5, 4));
        fails("stemChannels", () -> new SmallResNetConfig(1, 7, List.of(8), 0, 2, 1e-5, 4));
        fails("stageChannels", () -> new SmallResNetConfig(1, 8, List.of(), 0, 2, 1e-5, 4));
        fails("stageChannels", () -> new SmallResNetConfig(1, 8, List.of(8, 9), 0, 2, 1e-5, 4));
        fails("blocksPerStage", () -> new SmallResNetConfig(1, 8, List.of(8), -1, 2, 1e-5, 4));
        fails("groups", () -> new SmallResNetConfig(1, 8, List.of(8), 0, 0, 1e-5, 4));
        fails("gnEps", () -> new SmallResNetConfig(1, 8, List.of(8), 0, 2, -1, 4));
        fails("minInputSize", () -> new SmallResNetConfig(1, 8, List.of(8), 0, 2, 1e-5, 0));
    }

    @Test
    void runtimeThreads() {
        int old = DinoRuntime.threads();
        DinoRuntime.setThreads(1);
        assertEquals(1, DinoRuntime.threads());
        DinoRuntime.setThreads(Math.max(1, old));
        fails("threads", () -> DinoRuntime.setThreads(0));
        assertEquals("x", DinoRuntime.quietly(() -> {
            System.out.println("should not appear");
            return "x";
        }));
    }
}

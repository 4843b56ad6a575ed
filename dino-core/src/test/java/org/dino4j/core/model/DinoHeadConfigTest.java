package org.dino4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DinoHeadConfigTest {
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
        fails("hiddenDim", () -> DinoHeadConfig.builder().hiddenDim(0).bottleneckDim(8).outDim(10).build());
        fails("bottleneckDim", () -> DinoHeadConfig.builder().hiddenDim(8).bottleneckDim(0).outDim(10).build());
        fails("outDim", () -> DinoHeadConfig.builder().hiddenDim(8).bottleneckDim(8).outDim(1).build());
        fails("nLayers", () -> DinoHeadConfig.builder().hiddenDim(8).bottleneckDim(8).outDim(10).nLayers(0).build());
        fails("l2Eps", () -> DinoHeadConfig.builder().hiddenDim(8).bottleneckDim(8).outDim(10).l2Eps(0).build());
    }
}

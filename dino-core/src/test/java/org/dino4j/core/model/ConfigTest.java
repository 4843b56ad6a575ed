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
        fails("hiddenDim", () -> DinoHeadConfig.builder().hiddenDim(0).bottleneckDim(8).outDim(10).build());
        fails("bottleneckDim", () -> DinoHeadConfig.builder().hiddenDim(8).bottleneckDim(0).outDim(10).build());
        fails("outDim", () -> DinoHeadConfig.builder().hiddenDim(8).bottleneckDim(8).outDim(1).build());
        fails("nLayers", () -> DinoHeadConfig.builder().hiddenDim(8).bottleneckDim(8).outDim(10).nLayers(0).build());
        fails("l2Eps", () -> DinoHeadConfig.builder().hiddenDim(8).bottleneckDim(8).outDim(10).l2Eps(0).build());
    }

    @Test
    void resnetPresetsAndValidation() {
        SmallResNetConfig c = SmallResNetConfig.small28(1);
        assertEquals(128, c.featureDim());
        assertEquals(128, new SmallResNet(c).featureDim());
        fails("inChannels", () -> SmallResNetConfig.builder().inChannels(0).stemChannels(8).stageChannels(List.of(8)).blocksPerStage(0).groups(2).minInputSize(4).build());
        fails("stemChannels", () -> SmallResNetConfig.builder().stemChannels(7).stageChannels(List.of(8)).blocksPerStage(0).groups(2).minInputSize(4).build());
        fails("stageChannels", () -> SmallResNetConfig.builder().stemChannels(8).stageChannels(List.of()).blocksPerStage(0).groups(2).minInputSize(4).build());
        fails("stageChannels", () -> SmallResNetConfig.builder().stemChannels(8).stageChannels(List.of(8, 9)).blocksPerStage(0).groups(2).minInputSize(4).build());
        fails("blocksPerStage", () -> SmallResNetConfig.builder().stemChannels(8).stageChannels(List.of(8)).blocksPerStage(-1).groups(2).minInputSize(4).build());
        fails("groups", () -> SmallResNetConfig.builder().stemChannels(8).stageChannels(List.of(8)).blocksPerStage(0).groups(0).minInputSize(4).build());
        fails("gnEps", () -> SmallResNetConfig.builder().stemChannels(8).stageChannels(List.of(8)).blocksPerStage(0).groups(2).gnEps(-1).minInputSize(4).build());
        fails("minInputSize", () -> SmallResNetConfig.builder().stemChannels(8).stageChannels(List.of(8)).blocksPerStage(0).groups(2).minInputSize(0).build());
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

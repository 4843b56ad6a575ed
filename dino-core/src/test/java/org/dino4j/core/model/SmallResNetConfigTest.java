package org.dino4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SmallResNetConfigTest {
    private static void fails(String field, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(field), e.getMessage());
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
        fails("poolGrid", () -> SmallResNetConfig.builder().poolGrid(-1).build());
    }

    @Test
    void poolingGridMultipliesTheFeatureDimensionAndZeroReadsAsGlobalPooling() {
        SmallResNetConfig g2 = SmallResNetConfig.builder().poolGrid(2).build();
        assertEquals(512, g2.featureDim());
        assertEquals(512, new SmallResNet(g2).featureDim());
        assertEquals(1, SmallResNetConfig.small28(1).poolGrid());
        // a model file written before the field existed deserialises it as 0
        SmallResNetConfig old = new SmallResNetConfig(1, 32, List.of(32, 64, 128), 1, 8, 1e-5, 8, 0);
        assertEquals(SmallResNetConfig.small28(1), old);
        assertEquals(128, old.featureDim());
    }
}

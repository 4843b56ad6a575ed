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
    }
}

package org.dino4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.core.model.SmallResNet;
import org.dino4j.train.config.ModelConfig;
import org.dino4j.train.config.Presets;
import org.junit.jupiter.api.Test;

/** The training-step benchmark's model choice (the step itself is measured, not tested, here). */
class TrainStepBenchmarkTest {

    @Test
    void protoIsThePyTorchBarsSmallCnnAndSmall28IsTheReferenceModel() {
        ModelConfig proto = StepNetworks.model("proto");
        assertEquals(new SmallResNet.Options(8, List.of(32, 64, 128), 0, 8), proto.backboneOptions(SmallResNet.Options.class));
        assertEquals(4096, proto.outDim());
        assertEquals(Presets.get("default").model(), StepNetworks.model("small28"));
        DinoConfig cfg = TrainStepBenchmark.referenceConfig(1, "proto");
        assertEquals(proto, cfg.model());
        assertEquals(256, cfg.data().batchSize());
    }

    @Test
    void unknownModelNameIsRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StepNetworks.model("resnet50"));
        assertTrue(e.getMessage().contains("resnet50") && e.getMessage().contains("network"), e.getMessage());
    }
}

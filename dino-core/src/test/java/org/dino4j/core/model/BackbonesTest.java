package org.dino4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dino4j.core.model.vit.VisionTransformer;
import org.junit.jupiter.api.Test;

/** The backbone registry and the built-in entries. */
class BackbonesTest {

    @Test
    void builtInsBuildTheirBackbonesFromTheirOptions() {
        assertTrue(Backbones.names().containsAll(List.of("small-resnet", "vit")), Backbones.names().toString());
        Backbone cnn = Backbones.create("small-resnet", new SmallResNet.Options(16, List.of(16, 32), 0, 8), 3);
        assertEquals(new SmallResNet(SmallResNetConfig.builder().inChannels(3).stemChannels(16).stageChannels(List.of(16, 32))
                .blocksPerStage(0).minInputSize(4).build()), cnn);
        Backbone vit = Backbones.create("vit", VisionTransformer.Options.builder().depth(2).build(), 1);
        assertInstanceOf(VisionTransformer.class, vit);
        assertEquals(2, ((VisionTransformer) vit).config().depth());
        assertEquals(0.1, ((VisionTransformer) vit).config().dropPath(), "the registry's default drop path");
        assertEquals(0.0, ((VisionTransformer) vit.forInference()).config().dropPath(), "inference drops nothing");
        assertEquals(cnn, cnn.forInference());
    }

    @Test
    void unknownNamesAndOptionsOfAnotherTypeAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backbones.get("resnet50"));
        assertTrue(e.getMessage().startsWith("backbone must be one of [small-resnet, ") && e.getMessage().contains("resnet50"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Backbones.create("vit", new SmallResNet.Options(8, List.of(8), 0, 8), 1));
        assertTrue(e.getMessage().contains("Options"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Backbones.register(new BackboneFactory<SmallResNet.Options>() {
            public String name() {
                return "Bad Name";
            }

            public Class<SmallResNet.Options> optionsType() {
                return SmallResNet.Options.class;
            }

            public SmallResNet.Options defaultOptions() {
                return new SmallResNet.Factory().defaultOptions();
            }

            public Backbone create(SmallResNet.Options o, int c) {
                return new SmallResNet.Factory().create(o, c);
            }
        }));
        assertTrue(e.getMessage().contains("Bad Name"), e.getMessage());
    }

    @Test
    void optionsValidateNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SmallResNet.Options(12, List.of(16), 0, 8));
        assertEquals("stem must be > 0 and divisible by groups (8), got 12", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> VisionTransformer.Options.builder().heads(3).build());
        assertTrue(e.getMessage().startsWith("embedDim must be >= 1 and divisible by heads (3)"), e.getMessage());
        assertEquals("stem 16 [16, 32] 0 blocks/stage 8 groups", new SmallResNet.Options(16, List.of(16, 32), 0, 8).toString());
        e = assertThrows(IllegalArgumentException.class, () -> new SmallResNet.Options(16, List.of(16), 0, 8, 0));
        assertEquals("poolGrid must be > 0, got 0", e.getMessage());
        SmallResNet.Options grid = new SmallResNet.Options(16, List.of(16, 32), 0, 8, 2);
        assertEquals("stem 16 [16, 32] 0 blocks/stage 8 groups, 2x2 pooling grid", grid.toString());
        assertEquals(128, new SmallResNet.Factory().create(grid, 1).featureDim());
        assertEquals(1, new SmallResNet.Options(16, List.of(16), 0, 8, null).poolGrid(), "a missing key is global pooling");
    }
}

package org.dino4j.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dino4j.augment.transform.ColorJitterSpec;
import org.dino4j.augment.transform.Normalization;
import org.dino4j.augment.transform.ViewSpec;
import org.junit.jupiter.api.Test;

/** {@link MultiCropConfig}: DINO's recipe as defaults, copies that change one field, one error per bad value. */
class MultiCropConfigTest {

    /** The values of {@code main_dino.py}'s {@code DataAugmentationDINO} at 224/96 px. */
    @Test
    void preset224IsTheOfficialRecipe() {
        MultiCropConfig c = MultiCropConfig.preset224();
        assertEquals(new ViewSpec(224, 0.4, 1.0, 1.0, 0.0), c.global1());
        assertEquals(new ViewSpec(224, 0.4, 1.0, 0.1, 0.2), c.global2());
        assertEquals(new ViewSpec(96, 0.05, 0.4, 0.5, 0.0), c.local());
        assertEquals(8, c.numLocal());
        assertEquals(3.0 / 4.0, c.ratioMin());
        assertEquals(4.0 / 3.0, c.ratioMax());
        assertEquals(0.5, c.flipP());
        assertEquals(new ColorJitterSpec(0.8, 0.4, 0.4, 0.2, 0.1), c.jitter());
        assertEquals(0.2, c.grayscaleP());
        assertEquals(0.1, c.blurSigmaMin());
        assertEquals(2.0, c.blurSigmaMax());
        assertSame(Normalization.IMAGENET, c.normalization());
        assertEquals(0.0, c.rotationDegrees());
        assertEquals(224, c.globalSize());
        assertEquals(96, c.localSize());
    }

    @Test
    void preset28ChangesOnlySizesViewsAndNormalization() {
        MultiCropConfig c = MultiCropConfig.preset28();
        assertEquals(new ViewSpec(28, 0.4, 1.0, 1.0, 0.0), c.global1());
        assertEquals(new ViewSpec(28, 0.4, 1.0, 0.1, 0.2), c.global2());
        assertEquals(new ViewSpec(12, 0.05, 0.4, 0.5, 0.0), c.local());
        assertEquals(6, c.numLocal());
        assertSame(Normalization.HALF, c.normalization());
        MultiCropConfig d = MultiCropConfig.preset224();
        assertEquals(d.toBuilder().globalSize(28).localSize(12).numLocal(6).normalization(Normalization.HALF).build(), c);
    }

    @Test
    void withMethodsChangeOneFieldEach() {
        MultiCropConfig c = MultiCropConfig.preset28();
        MultiCropConfig n = c.withNumLocal(2);
        assertEquals(2, n.numLocal());
        assertEquals(c, n.withNumLocal(6));
        MultiCropConfig s = c.withLocalSize(14);
        assertEquals(new ViewSpec(14, 0.05, 0.4, 0.5, 0.0), s.local());
        assertEquals(c, s.withLocalSize(12));
        MultiCropConfig r = c.withRotationDegrees(90);
        assertEquals(90.0, r.rotationDegrees());
        assertEquals(c, r.withRotationDegrees(0));
        assertSame(Normalization.NONE, c.withNormalization(Normalization.NONE).normalization());
        MultiCropConfig scaled = c.toBuilder().globalScale(0.3, 0.9).localScale(0.1, 0.2).build();
        assertEquals(new ViewSpec(28, 0.3, 0.9, 1.0, 0.0), scaled.global1());
        assertEquals(new ViewSpec(28, 0.3, 0.9, 0.1, 0.2), scaled.global2());
        assertEquals(new ViewSpec(12, 0.1, 0.2, 0.5, 0.0), scaled.local());
    }

    @Test
    void badValuesNameTheField() {
        MultiCropConfig.Builder b = MultiCropConfig.preset28().toBuilder();
        assertEquals("global2.size must equal global1.size (28), got 24", message(() ->
                MultiCropConfig.preset28().toBuilder().global2(new ViewSpec(24, 0.4, 1.0, 0.1, 0.2)).build()));
        assertEquals("numLocal must be >= 0, got -1", message(() -> MultiCropConfig.preset28().withNumLocal(-1)));
        assertEquals("ratioMax must be >= ratioMin (0.75), got 0.5", message(() -> b.ratioMax(0.5).build()));
        assertEquals("blurSigmaMax must be >= blurSigmaMin (0.1), got 0.05",
                message(() -> MultiCropConfig.preset28().toBuilder().blurSigmaMax(0.05).build()));
        assertEquals("rotationDegrees must be in [0, 180], got 200.0",
                message(() -> MultiCropConfig.preset28().withRotationDegrees(200)));
        assertEquals("jitter must not be null", message(() -> MultiCropConfig.preset28().toBuilder().jitter(null).build()));
    }

    @Test
    void requireMinSizeChecksLocalViewsOnlyWhenThereAreAny() {
        MultiCropConfig c = MultiCropConfig.preset28();
        assertSame(c, c.requireMinSize(12));
        assertEquals("local.size must be >= the backbone minimum 16, got 12", message(() -> c.requireMinSize(16)));
        assertEquals("global1.size must be >= the backbone minimum 32, got 28", message(() -> c.requireMinSize(32)));
        MultiCropConfig noLocal = c.withNumLocal(0);
        assertSame(noLocal, noLocal.requireMinSize(16));
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}

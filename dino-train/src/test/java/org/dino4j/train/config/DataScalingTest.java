package org.dino4j.train.config;

import org.dino4j.augment.data.ImageDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class DataScalingTest {
    @TempDir
    Path tmp;

    @Test
    void momentumFollowsTheRunsLengthWithinItsBounds() {
        // λ₀ = 1 − 100/T, computed by hand
        assertEquals(0.99, DataScaling.momentumFor(10_000), 1e-12);
        assertEquals(0.95, DataScaling.momentumFor(2_000), 1e-12);
        assertEquals(DataScaling.MIN_MOMENTUM, DataScaling.momentumFor(300), 1e-12);
        assertEquals(DataScaling.MAX_MOMENTUM, DataScaling.momentumFor(10_000_000), 1e-12);
    }

    @Test
    void smallSetGetsASmallerBatchAndAShorterTeacherHorizon() {
        DinoConfig c = ConfigLoader.override(Presets.get("images"), Map.of("run.epochs", "20", "teacher.momentumTeacher", "0.99"));
        DataScaling.Result r = DataScaling.adapt(c, 200, Set.of());
        // 200 / 8 = 25 → highest power of two 16: 12 steps per epoch, 240 steps, λ₀ = 1 − 100/240 → clamped 0.9
        assertEquals(16, r.config().data().batchSize());
        assertEquals(0.9, r.config().teacher().momentumTeacher(), 1e-12);
        assertEquals(2.0, r.config().optim().warmupEpochs(), 1e-12);
        assertEquals(2, r.config().run().knnEveryEpochs());
        // the step keeps batch 64's learning rate: lr per 256 · 64/16, so lr' · 16/256 = lr · 64/256
        assertEquals(c.optim().lr() * 4, r.config().optim().lr(), 1e-12);
        assertEquals(c.optim().lr() * 64 / 256, r.config().optim().lr() * 16 / 256, 1e-15);
        assertEquals(5, r.changes().size(), r.changes().toString());
        // 5,000 images × 20 epochs: 100,000 / 3,000 = 33 → batch 32, 156 steps · 20 = 3,120 → λ₀ = 1 − 100/3120
        DataScaling.Result big = DataScaling.adapt(c, 5000, Set.of());
        assertEquals(32, big.config().data().batchSize());
        assertEquals(0.9679, big.config().teacher().momentumTeacher(), 1e-12);
    }

    @Test
    void shortRunsOnSmallSetsGetAboutMinStepsSteps() {
        DinoConfig c = Presets.get("images");
        assertEquals(64, c.data().batchSize());
        assertEquals(60, c.run().epochs());
        // 1,400 images × 60 epochs = 84,000 images seen: / 3,000 = 28 → batch 16, 87 steps · 60 = 5,220 steps
        DataScaling.Result r = DataScaling.adapt(c, 1400, Set.of());
        assertEquals(16, r.config().data().batchSize());
        assertEquals(c.optim().lr() * 4, r.config().optim().lr(), 1e-12);
        assertEquals(0.9808, r.config().teacher().momentumTeacher(), 1e-12);
        // 2,000 images × 60 epochs: 40 → batch 32, the rate × 2
        DataScaling.Result mid = DataScaling.adapt(c, 2000, Set.of());
        assertEquals(32, mid.config().data().batchSize());
        assertEquals(c.optim().lr() * 2, mid.config().optim().lr(), 1e-12);
        // 5,000 images × 60 epochs: 100 → 64, the preset's batch: nothing about the batch or the rate changes
        DataScaling.Result big = DataScaling.adapt(c, 5000, Set.of());
        assertEquals(64, big.config().data().batchSize());
        assertEquals(c.optim().lr(), big.config().optim().lr());
        // never below 16 for the steps rule, even when 3,000 steps would need it
        assertEquals(16, DataScaling.batchFor(600, 20));
        assertEquals(8, DataScaling.batchFor(100, 20), "the per-epoch rule may go to 8");
        assertEquals(5, DataScaling.batchFor(5, 1000), "never more than the images");
        // a learning rate the user set is kept while the batch still adapts; a batch the user set keeps the rate too
        DataScaling.Result lrFixed = DataScaling.adapt(c, 1400, Set.of("optim.lr"));
        assertEquals(16, lrFixed.config().data().batchSize());
        assertEquals(c.optim().lr(), lrFixed.config().optim().lr());
        DataScaling.Result batchFixed = DataScaling.adapt(c, 1400, Set.of("data.batchSize"));
        assertEquals(64, batchFixed.config().data().batchSize());
        assertEquals(c.optim().lr(), batchFixed.config().optim().lr());
    }

    /** A short run on the images preset resolves (its own warm-up fits one epoch) and gets 10 % of it as warm-up. */
    @Test
    void shortRunsResolve() {
        for (int epochs : new int[]{1, 3}) {
            DinoConfig c = ConfigLoader.override(Presets.get("images"), Map.of("run.epochs", Integer.toString(epochs)));
            assertEquals(0.1 * epochs, DataScaling.adapt(c, 1400, Set.of("run.epochs")).config().optim().warmupEpochs(), 1e-12);
        }
    }

    @Test
    void keysTheUserSetAreLeftAlone() {
        DinoConfig c = ConfigLoader.override(Presets.get("images"), Map.of("run.epochs", "20", "teacher.momentumTeacher", "0.99"));
        DataScaling.Result r = DataScaling.adapt(c, 200, Set.of("data.batchSize", "teacher.momentumTeacher"));
        assertEquals(c.data().batchSize(), r.config().data().batchSize());
        assertEquals(c.teacher().momentumTeacher(), r.config().teacher().momentumTeacher());
        assertNotEquals(c.optim().warmupEpochs(), r.config().optim().warmupEpochs());
    }

    @Test
    void configWithoutAdaptToDataIsUnchanged() {
        DinoConfig c = Presets.get("synthetic-quick");
        assertFalse(c.run().adaptToData());
        assertSame(c, DataScaling.adapt(c, 10, Set.of()).config());
    }

    @Test
    void explicitKeysAreTheFilesLeavesAndTheOverrides() throws IOException {
        Path f = tmp.resolve("c.yaml");
        Files.writeString(f, "preset: images\noptim:\n  lr: 0.003\nrun:\n  epochs: 3\n");
        assertEquals(Set.of("optim.lr", "run.epochs", "data.batchSize"),
                ConfigLoader.explicitKeys(f, Map.of("data.batchSize", "32")));
        // an older key counts as the key it became
        Files.writeString(f, "preset: images\ndata:\n  localCrops: 4\n  batchSize: 16\n");
        assertEquals(Set.of("data.crops.numLocal", "data.batchSize"), ConfigLoader.explicitKeys(f, null));
        // a file without run.adaptToData takes its base's value (the default preset's: false)
        Files.writeString(f, "preset: images\n");
        assertTrue(ConfigLoader.load(null, f, null).run().adaptToData());
        assertFalse(ConfigLoader.load("tiny", null, null).run().adaptToData());
    }

    /** Images of {@code c × h × w} given as arrays (labels 0): the smallest ImageDataset. */
    private static ImageDataset images(int c, int h, int w, float[]... px) {
        return new ImageDataset() {
            @Override public int size() { return px.length; }
            @Override public int channels() { return c; }
            @Override public int height() { return h; }
            @Override public int width() { return w; }
            @Override public int numClasses() { return 1; }
            @Override public int label(int i) { return 0; }
            @Override public void imageInto(int i, float[] dst) { System.arraycopy(px[i], 0, dst, 0, px[i].length); }
        };
    }

    @Test
    void alignmentIsTheShareOfPixelVarianceExplainedByPosition() {
        // two 1×2 images [0, 1] and [0, 0], by hand: means μ = (0, 0.5), B = var(0, 0.5) = 0.0625; variance over the
        // images at each position 0 and 0.25, W = 0.125; A = 0.0625 / 0.1875 = 1/3
        assertEquals(1.0 / 3, DataScaling.alignment(images(1, 1, 2, new float[]{0, 1}, new float[]{0, 0})), 1e-12);
        // the same image every time: all the variance is the position's
        assertEquals(1.0, DataScaling.alignment(images(1, 2, 2, new float[]{0, 1, 0.5f, 0}, new float[]{0, 1, 0.5f, 0})), 1e-12);
        // flat images of different brightness: the position explains nothing
        assertEquals(0.0, DataScaling.alignment(images(1, 2, 2, new float[]{0.2f, 0.2f, 0.2f, 0.2f}, new float[]{0.7f, 0.7f, 0.7f, 0.7f})), 1e-12);
        // nothing varies at all, and no images: 0
        assertEquals(0.0, DataScaling.alignment(images(1, 1, 2, new float[]{0.5f, 0.5f}, new float[]{0.5f, 0.5f})), 1e-12);
        assertEquals(0.0, DataScaling.alignment(images(1, 1, 2)), 1e-12);
        // RGB, B and W averaged over the channels: channel 0 as the first case, channels 1 and 2 constant 0
        // → B = 0.0625 / 3, W = 0.125 / 3, A = 1/3 again
        assertEquals(1.0 / 3, DataScaling.alignment(images(3, 1, 2, new float[]{0, 1, 0, 0, 0, 0}, new float[]{0, 0, 0, 0, 0, 0})), 1e-12);
    }

    @Test
    void alignmentSeparatesCentredFromAnywherePlacedObjects() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
        int n = 600, side = 16;
        float[][] centred = new float[n][], anywhere = new float[n][];
        for (int i = 0; i < n; i++) {
            centred[i] = square(side, 5 + rng.nextInt(2), 5 + rng.nextInt(2), 5, rng);
            anywhere[i] = square(side, rng.nextInt(side - 5), rng.nextInt(side - 5), 5, rng);
        }
        double a = DataScaling.alignment(images(1, side, side, centred)), b = DataScaling.alignment(images(1, side, side, anywhere));
        assertTrue(a >= DataScaling.MIN_ALIGNMENT, "a square within a pixel of the centre is aligned: " + a);
        assertTrue(b < DataScaling.MIN_ALIGNMENT, "a square anywhere is not: " + b);
    }

    /** A bright s×s square (value 0.6–1) at (top, left) on a dark background with a little noise. */
    private static float[] square(int side, int top, int left, int s, java.util.SplittableRandom rng) {
        float[] px = new float[side * side];
        float v = (float) (0.6 + 0.4 * rng.nextDouble());
        for (int i = 0; i < px.length; i++) px[i] = (float) (0.05 * rng.nextDouble());
        for (int y = top; y < top + s; y++) for (int x = left; x < left + s; x++) px[y * side + x] = v;
        return px;
    }

    @Test
    void alignedImagesGetAPoolingGridUnlessTheUserChoseOne() {
        DinoConfig c = Presets.get("images");
        String key = "model.small-resnet.poolGrid";
        DataScaling.Result aligned = DataScaling.adapt(c, 1400, 0.3, Set.of());
        assertEquals(DataScaling.ALIGNED_POOL_GRID, grid(aligned.config()));
        assertTrue(aligned.changes().stream().anyMatch(l -> l.startsWith(key + ": 1 → 2")), aligned.changes().toString());
        assertEquals(1, grid(DataScaling.adapt(c, 1400, 0.1, Set.of()).config()), "objects anywhere keep global pooling");
        assertEquals(1, grid(DataScaling.adapt(c, 1400, Set.of()).config()), "unknown alignment: pooling as it is");
        assertEquals(1, grid(DataScaling.adapt(c, 1400, 0.3, Set.of(key)).config()), "a grid the user set is kept");
        DinoConfig g4 = ConfigLoader.override(c, Map.of(key, "4"));
        assertEquals(4, grid(DataScaling.adapt(g4, 1400, 0.3, Set.of()).config()), "only global pooling becomes a grid");
        assertEquals(1, grid(DataScaling.adapt(ConfigLoader.override(c, Map.of("run.adaptToData", "false")), 1400, 0.9,
                Set.of()).config()), "no adaptation without run.adaptToData");
    }

    private static int grid(DinoConfig c) {
        return ((org.dino4j.core.model.SmallResNet.Options) c.model().backboneOptions()).poolGrid();
    }
}

package org.dino4j.augment;

import org.dino4j.augment.data.SyntheticDataset;
import org.dino4j.augment.transform.ColorJitterSpec;
import org.dino4j.augment.transform.CropBox;
import org.dino4j.augment.transform.Normalization;
import org.dino4j.augment.transform.ViewOps;
import org.dino4j.augment.transform.ViewSpec;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class MultiCropTransformTest {
    private static final ColorJitterSpec NO_JITTER = new ColorJitterSpec(0, 0.4, 0.4, 0.2, 0.1);

    /**
     * Full-image crops of the same size (the crop is the identity), only the named ops active. σ starts at
     * 0.5 here: at σ 0.1 the neighbour weight exp(−50) underflows and a blur leaves the image unchanged,
     * which would make "blurred" undetectable.
     */
    private static MultiCropConfig isolated(int size, double flipP, double grayP, double[] blurP, double[] solP, int numLocal) {
        return MultiCropConfig.builder().global1(new ViewSpec(size, 1, 1, blurP[0], solP[0]))
                .global2(new ViewSpec(size, 1, 1, blurP[1], solP[1])).local(new ViewSpec(size, 1, 1, blurP[2], solP[2]))
                .numLocal(numLocal).ratioMin(1).ratioMax(1).flipP(flipP).jitter(NO_JITTER).grayscaleP(grayP).blurSigmaMin(0.5)
                .blurSigmaMax(2.0).normalization(Normalization.NONE).build();
    }

    private static float[] noise(int n, long seed, float lo, float hi) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * r.nextFloat();
        return a;
    }

    /** |observed - p| within 4.5 binomial standard deviations. */
    private static void assertFrequency(double p, int hits, int n, String what) {
        double sd = Math.sqrt(p * (1 - p) / n);
        double f = hits / (double) n;
        assertTrue(Math.abs(f - p) <= 4.5 * sd + 1e-12, what + ": frequency " + f + " vs p " + p + " (n " + n + ")");
    }

    @Test
    void batchArraysHoldTheStagedFloatsInCOrder() {
        Random r = new Random(8);
        float[] data = new float[2 * 3 * 5 * 7];
        for (int k = 0; k < data.length; k++) data[k] = r.nextFloat() - 0.5f;
        long[] shape = {2, 3, 5, 7};
        org.nd4j.linalg.api.ndarray.INDArray a = OffHeap.floats(data, shape);
        assertArrayEquals(shape, a.shape());
        assertEquals('c', a.ordering());
        assertEquals(org.nd4j.linalg.factory.Nd4j.create(data, shape, 'c'), a);
        assertEquals(data[1 * 105 + 2 * 35 + 3 * 7 + 4], a.getFloat(1, 2, 3, 4), 0f);
    }

    @Test
    void batchShapesAndValueRanges() {
        SyntheticDataset ds = SyntheticDataset.of28(40, 1);
        MultiCropTransform t = MultiCropTransform.forDataset(MultiCropConfig.preset28(), ds);
        int[] idx = {3, 1, 4, 15, 9};
        MultiCropBatch b = t.batch(ds, idx, 42, 0);
        assertArrayEquals(new long[]{10, 1, 28, 28}, b.globals().shape());
        assertArrayEquals(new long[]{30, 1, 12, 12}, b.locals().shape());
        assertEquals(5, b.batchSize());
        assertEquals(6, b.numLocal());
        assertArrayEquals(idx, b.indices());
        for (int i = 0; i < idx.length; i++) assertEquals(ds.label(idx[i]), b.labels()[i]);
        // mean .5 / std .5 maps [0,1] to [-1,1]
        assertTrue(b.globals().minNumber().doubleValue() >= -1 - 1e-6 && b.globals().maxNumber().doubleValue() <= 1 + 1e-6);
        assertTrue(b.locals().minNumber().doubleValue() >= -1 - 1e-6 && b.locals().maxNumber().doubleValue() <= 1 + 1e-6);
        // RGB, ImageNet stats, no locals
        SyntheticDataset rgb = new SyntheticDataset(8, 32, 40, 3, 2);
        MultiCropConfig c = MultiCropConfig.builder().globalSize(24).localSize(10).numLocal(0).build();
        MultiCropBatch b2 = MultiCropTransform.forDataset(c, rgb).batch(rgb, new int[]{0, 1, 2}, 1, 0);
        assertArrayEquals(new long[]{6, 3, 24, 24}, b2.globals().shape());
        assertNull(b2.locals());
        float lo = (0 - 0.485f) / 0.229f, hi = (1 - 0.406f) / 0.225f;
        assertTrue(b2.globals().minNumber().floatValue() >= lo - 1e-4 && b2.globals().maxNumber().floatValue() <= hi + 1e-4);
    }

    @Test
    void batchIsViewMajorAndMatchesPerImageViews() {
        SyntheticDataset ds = SyntheticDataset.of28(20, 5);
        MultiCropTransform t = MultiCropTransform.forDataset(MultiCropConfig.preset28().withNumLocal(3), ds);
        int[] idx = {7, 2, 11};
        MultiCropBatch b = t.batch(ds, idx, 9, 4);
        float[] g = b.globals().data().asFloat(), l = b.locals().data().asFloat();
        int gl = 28 * 28, ll = 12 * 12, bs = idx.length;
        for (int i = 0; i < bs; i++) {
            float[][] v = t.views(ds.image(idx[i]), new Random(Seeds.derive(9, 4, idx[i])));
            assertArrayEquals(v[0], Arrays.copyOfRange(g, i * gl, (i + 1) * gl));
            assertArrayEquals(v[1], Arrays.copyOfRange(g, (bs + i) * gl, (bs + i + 1) * gl));
            for (int j = 0; j < 3; j++)
                assertArrayEquals(v[2 + j], Arrays.copyOfRange(l, (j * bs + i) * ll, (j * bs + i + 1) * ll));
        }
    }

    @Test
    void flipFrequencyIsCloseToHalf() {
        int s = 8;
        float[] img = noise(s * s, 1, 0, 1);
        float[] mirrored = img.clone();
        org.dino4j.augment.transform.ViewOps.flipHorizontal(mirrored, 1, s, s);
        MultiCropTransform t = new MultiCropTransform(isolated(s, 0.5, 0, new double[3], new double[3], 2), 1, s, s);
        Random rng = new Random(17);
        int flips = 0, n = 0;
        for (int k = 0; k < 1000; k++) {
            for (float[] v : t.views(img, rng)) {
                if (Arrays.equals(v, mirrored)) flips++;
                else assertArrayEquals(img, v);
                n++;
            }
        }
        assertFrequency(0.5, flips, n, "flip");
    }

    @Test
    void blurFrequencyPerViewMatchesDinoRecipe() {
        int s = 10;
        float[] img = noise(s * s, 2, 0, 1);
        double[] p = {1.0, 0.1, 0.5};
        MultiCropTransform t = new MultiCropTransform(isolated(s, 0, 0, p, new double[3], 4), 1, s, s);
        Random rng = new Random(23);
        int n = 2000;
        int[] blurred = new int[3];
        int[] count = new int[3];
        for (int k = 0; k < n; k++) {
            float[][] v = t.views(img, rng);
            for (int j = 0; j < v.length; j++) {
                int slot = Math.min(j, 2);
                count[slot]++;
                if (!Arrays.equals(v[j], img)) blurred[slot]++;
            }
        }
        for (int j = 0; j < 3; j++) assertFrequency(p[j], blurred[j], count[j], "blur of view slot " + j);
    }

    @Test
    void solarizeFrequencyOnSecondGlobalView() {
        int s = 6;
        float[] img = noise(s * s, 3, 0.55f, 1f); // every value >= 0.5: solarized views are all < 0.5
        double[] p = {0, 0.2, 0};
        MultiCropTransform t = new MultiCropTransform(isolated(s, 0, 0, new double[3], p, 2), 1, s, s);
        Random rng = new Random(29);
        int n = 3000;
        int[] hits = new int[3], count = new int[3];
        for (int k = 0; k < n; k++) {
            float[][] v = t.views(img, rng);
            for (int j = 0; j < v.length; j++) {
                int slot = Math.min(j, 2);
                count[slot]++;
                boolean sol = true;
                for (int i = 0; i < v[j].length; i++) {
                    if (v[j][i] >= 0.5f) sol = false;
                    else assertEquals(1f - img[i], v[j][i], 1e-6f);
                }
                if (sol) hits[slot]++;
            }
        }
        for (int j = 0; j < 3; j++) assertFrequency(p[j], hits[j], count[j], "solarize of view slot " + j);
    }

    @Test
    void grayscaleFrequencyForRgb() {
        int s = 5;
        float[] img = noise(3 * s * s, 4, 0, 1);
        MultiCropTransform t = new MultiCropTransform(isolated(s, 0, 0.2, new double[3], new double[3], 0), 3, s, s);
        Random rng = new Random(31);
        int grey = 0, n = 0;
        for (int k = 0; k < 2000; k++) for (float[] v : t.views(img, rng)) {
            boolean eq = true;
            for (int i = 0; i < s * s; i++) if (v[i] != v[s * s + i] || v[i] != v[2 * s * s + i]) eq = false;
            if (eq) grey++;
            n++;
        }
        assertFrequency(0.2, grey, n, "grayscale");
    }

    @Test
    void sameSeedSameBatchOtherSeedOtherBatch() {
        SyntheticDataset ds = SyntheticDataset.of28(30, 1);
        MultiCropTransform t = MultiCropTransform.forDataset(MultiCropConfig.preset28(), ds);
        int[] idx = {0, 5, 9, 13};
        MultiCropBatch a = t.batch(ds, idx, 123, 2), b = t.batch(ds, idx, 123, 2), c = t.batch(ds, idx, 124, 2);
        assertEquals(a.globals(), b.globals());
        assertEquals(a.locals(), b.locals());
        assertNotEquals(a.globals(), c.globals());
        assertNotEquals(a.globals(), t.batch(ds, idx, 123, 3).globals());
    }

    @Test
    void returnedBatchesDoNotShareTheReusedStagingBuffers() {
        SyntheticDataset ds = SyntheticDataset.of28(30, 1);
        MultiCropTransform t = MultiCropTransform.forDataset(MultiCropConfig.preset28(), ds);
        MultiCropBatch first = t.batch(ds, new int[]{0, 1, 2}, 5, 0);
        float[] g = first.globals().data().asFloat(), l = first.locals().data().asFloat();
        t.batch(ds, new int[]{3, 4, 5}, 5, 0); // same thread: same staging arrays
        assertArrayEquals(g, first.globals().data().asFloat());
        assertArrayEquals(l, first.locals().data().asFloat());
        assertEquals(first.globals(), t.batch(ds, new int[]{0, 1, 2}, 5, 0).globals());
    }

    /**
     * One view made step by step from the {@link ViewOps} primitives in the recipe's draw order as it was before
     * the rotation option (crop, flip, jitter, grayscale, blur, solarize, normalise): the reference that
     * {@code rotationDegrees} 0 must reproduce.
     */
    private static float[] recipeView(float[] image, int ch, int h, int w, MultiCropConfig cfg, ViewSpec spec, Random rng) {
        int size = spec.size(), plane = size * size;
        float[] v = new float[ch * plane];
        CropBox box = ViewOps.sampleCrop(rng, h, w, spec.scaleMin(), spec.scaleMax(), cfg.ratioMin(), cfg.ratioMax());
        ViewOps.resizeBilinear(image, ch, h, w, box, v, size, size);
        if (rng.nextDouble() < cfg.flipP()) ViewOps.flipHorizontal(v, ch, size, size);
        if (rng.nextDouble() < cfg.jitter().p()) ViewOps.colorJitter(v, ch, plane, cfg.jitter(), rng);
        if (ch == 3 && rng.nextDouble() < cfg.grayscaleP()) ViewOps.toGrayscale(v, plane);
        if (rng.nextDouble() < spec.blurP()) {
            double sigma = cfg.blurSigmaMin() + (cfg.blurSigmaMax() - cfg.blurSigmaMin()) * rng.nextDouble();
            ViewOps.gaussianBlur(v, ch, size, size, sigma, new ViewOps.BlurScratch(size, sigma));
        }
        if (rng.nextDouble() < spec.solarizeP()) ViewOps.solarize(v, v.length);
        ViewOps.normalize(v, ch, plane, cfg.normalization().meanFor(ch), cfg.normalization().stdFor(ch));
        return v;
    }

    @Test
    void rotationZeroKeepsTheRecipeViewsUnchanged() {
        MultiCropConfig p = MultiCropConfig.preset28();
        // the factories and the builder's default all mean "no rotation"
        assertEquals(0.0, p.rotationDegrees());
        assertEquals(0.0, MultiCropConfig.preset224().rotationDegrees());
        assertEquals(0.0, MultiCropConfig.builder().build().rotationDegrees());
        assertEquals(p, p.toBuilder().build());
        assertEquals(p, p.withRotationDegrees(30).withRotationDegrees(0));
        assertEquals(30.0, p.withRotationDegrees(30).withNumLocal(2).withLocalSize(14)
                .withNormalization(Normalization.NONE).rotationDegrees(), "the with-copies keep the rotation");
        SyntheticDataset gray = SyntheticDataset.of28(12, 3);
        SyntheticDataset rgb = new SyntheticDataset(12, 32, 40, 3, 2);
        for (SyntheticDataset ds : new SyntheticDataset[]{gray, rgb}) {
            MultiCropConfig cfg = ds.channels() == 1 ? p
                    : MultiCropConfig.builder().globalSize(24).localSize(10).numLocal(3).build();
            MultiCropTransform t = MultiCropTransform.forDataset(cfg, ds);
            for (int i = 0; i < ds.size(); i++) {
                float[] img = ds.image(i);
                float[][] got = t.views(img, new Random(100 + i));
                Random ref = new Random(100 + i);
                for (int j = 0; j < got.length; j++) {
                    ViewSpec spec = j == 0 ? cfg.global1() : j == 1 ? cfg.global2() : cfg.local();
                    assertArrayEquals(recipeView(img, ds.channels(), ds.height(), ds.width(), cfg, spec, ref), got[j],
                            "C " + ds.channels() + " image " + i + " view " + j);
                }
            }
        }
    }

    @Test
    void rotationDrawsTheAngleRightAfterTheCrop() {
        int s = 9;
        double maxDeg = 30;
        float[] img = noise(s * s, 6, 0, 1);
        MultiCropConfig c = isolated(s, 0, 0, new double[3], new double[3], 0).withRotationDegrees(maxDeg);
        MultiCropTransform t = new MultiCropTransform(c, 1, s, s);
        double lo = 1e9, hi = -1e9;
        for (int seed = 0; seed < 200; seed++) {
            float[] first = t.views(img, new Random(seed))[0];
            Random r = new Random(seed);
            CropBox box = ViewOps.sampleCrop(r, s, s, 1, 1, 1, 1);
            double theta = -maxDeg + 2 * maxDeg * r.nextDouble();
            float[] expect = new float[s * s];
            ViewOps.resizeBilinearRotated(img, 1, s, s, box, theta, expect, s, s);
            assertArrayEquals(expect, first, "seed " + seed + ", θ " + theta);
            assertFalse(Arrays.equals(img, first), "a rotated view differs from the image, θ " + theta);
            lo = Math.min(lo, theta);
            hi = Math.max(hi, theta);
        }
        assertTrue(lo < -0.9 * maxDeg && hi > 0.9 * maxDeg, "angles span the range: " + lo + " .. " + hi);
    }

    @Test
    void rotatedViewsAreReproducibleForASeed() {
        SyntheticDataset ds = SyntheticDataset.of28(30, 1);
        MultiCropTransform plain = MultiCropTransform.forDataset(MultiCropConfig.preset28(), ds);
        MultiCropTransform rot = MultiCropTransform.forDataset(MultiCropConfig.preset28().withRotationDegrees(180), ds);
        int[] idx = {0, 5, 9, 13};
        MultiCropBatch a = rot.batch(ds, idx, 123, 2), b = rot.batch(ds, idx, 123, 2);
        assertEquals(a.globals(), b.globals());
        assertEquals(a.locals(), b.locals());
        assertNotEquals(a.globals(), rot.batch(ds, idx, 124, 2).globals());
        assertNotEquals(a.globals(), plain.batch(ds, idx, 123, 2).globals());
        assertTrue(a.globals().minNumber().doubleValue() >= -1 - 1e-6 && a.globals().maxNumber().doubleValue() <= 1 + 1e-6);
    }

    @Test
    void rotationDegreesOutsideTheRangeIsRefused() {
        for (double bad : new double[]{-1, 180.5, 200, Double.NaN, Double.POSITIVE_INFINITY}) {
            var e = assertThrows(IllegalArgumentException.class, () -> MultiCropConfig.preset28().withRotationDegrees(bad));
            assertEquals("rotationDegrees must be in [0, 180], got " + bad, e.getMessage());
        }
        assertEquals(180.0, MultiCropConfig.preset28().withRotationDegrees(180).rotationDegrees());
    }

    @Test
    void configRejectsBadValuesNamingTheField() {
        var e = assertThrows(IllegalArgumentException.class, () -> MultiCropConfig.preset28().toBuilder().localScale(0, 0.4).build());
        assertTrue(e.getMessage().startsWith("scaleMin"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MultiCropConfig.preset28().toBuilder().globalScale(0.4, 1.5).build());
        assertTrue(e.getMessage().contains("scaleMax") && e.getMessage().contains("1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MultiCropConfig.preset28().withNumLocal(-1));
        assertTrue(e.getMessage().contains("numLocal"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MultiCropConfig.preset28().requireMinSize(16));
        assertTrue(e.getMessage().contains("local.size") && e.getMessage().contains("12"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MultiCropConfig.preset28().requireMinSize(32));
        assertTrue(e.getMessage().contains("global1.size"), e.getMessage());
        assertSame(MultiCropConfig.preset28().requireMinSize(12).getClass(), MultiCropConfig.class);
        e = assertThrows(IllegalArgumentException.class, () -> new MultiCropTransform(MultiCropConfig.preset224(), 1, 28, 28));
        assertTrue(e.getMessage().contains("mean"), e.getMessage());
        MultiCropConfig p = MultiCropConfig.preset224();
        assertEquals(224, p.globalSize());
        assertEquals(96, p.localSize());
        assertEquals(8, p.numLocal());
        assertEquals(1.0, p.global1().blurP());
        assertEquals(0.1, p.global2().blurP());
        assertEquals(0.2, p.global2().solarizeP());
        assertEquals(0.5, p.local().blurP());
        assertEquals(14, MultiCropConfig.preset28().withLocalSize(14).localSize());
    }
}

package org.dino4j.augment.transform;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ViewOpsTest {

    @Test
    void cropAreasStayWithinScaleBoundsAndInsideImage() {
        Random rng = new Random(11);
        int h = 224, w = 224;
        for (double[] sc : new double[][]{{0.4, 1.0}, {0.05, 0.4}}) {
            double minSeen = 1, maxSeen = 0;
            for (int i = 0; i < 5000; i++) {
                CropBox b = ViewOps.sampleCrop(rng, h, w, sc[0], sc[1], 3.0 / 4, 4.0 / 3);
                assertTrue(b.top() + b.height() <= h && b.left() + b.width() <= w, b.toString());
                double frac = b.area() / (double) (h * w);
                // rounding w and h to integers changes the area by at most (sqrt(tr)+sqrt(t/r)+0.25)/A
                double slack = (2 * Math.sqrt(sc[1] * h * w * 4 / 3.0) + 0.25) / (h * w);
                assertTrue(frac >= sc[0] - slack && frac <= sc[1] + slack, "area fraction " + frac + " outside " + sc[0] + ".." + sc[1]);
                double ratio = b.width() / (double) b.height();
                assertTrue(ratio > 0.70 && ratio < 1.40, "ratio " + ratio);
                minSeen = Math.min(minSeen, frac);
                maxSeen = Math.max(maxSeen, frac);
            }
            // the whole range is explored
            assertTrue(minSeen < sc[0] + 0.05 * (sc[1] - sc[0]), "min " + minSeen);
            assertTrue(maxSeen > sc[1] - 0.1 * (sc[1] - sc[0]), "max " + maxSeen);
        }
    }

    @Test
    void bilinearReproducesALinearRampExactly() {
        int h = 10, w = 12;
        float[] src = new float[h * w];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) src[y * w + x] = 0.1f * x + 0.03f * y + 0.2f;
        CropBox box = new CropBox(2, 3, 6, 5);
        int oh = 9, ow = 7;
        float[] dst = new float[oh * ow];
        ViewOps.resizeBilinear(src, 1, h, w, box, dst, oh, ow);
        for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
            double fx = Math.min(Math.max((ox + 0.5) * 5.0 / ow - 0.5, 0), 4), fy = Math.min(Math.max((oy + 0.5) * 6.0 / oh - 0.5, 0), 5);
            double expect = 0.1 * (3 + fx) + 0.03 * (2 + fy) + 0.2;
            assertEquals(expect, dst[oy * ow + ox], 1e-5);
        }
        // same size, full box: identity
        float[] id = new float[h * w];
        ViewOps.resizeBilinear(src, 1, h, w, new CropBox(0, 0, h, w), id, h, w);
        assertArrayEquals(src, id, 1e-6f);
    }

    private static float[] noise(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat();
        return a;
    }

    @Test
    void rotatedByZeroIsResizeBilinearBitForBit() {
        int h = 13, w = 17;
        for (int ch : new int[]{1, 3}) {
            float[] src = noise(ch * h * w, 5 + ch);
            // down- and up-sampling, boxes touching each border and strictly inside
            CropBox[] boxes = {new CropBox(0, 0, h, w), new CropBox(2, 3, 6, 5), new CropBox(h - 4, w - 7, 4, 7),
                    new CropBox(0, w - 1, 1, 1), new CropBox(5, 0, 8, 17)};
            int[][] outs = {{9, 7}, {20, 24}, {1, 1}, {13, 17}};
            for (CropBox box : boxes) for (int[] o : outs) for (double deg : new double[]{0.0, -0.0, 360.0, -720.0}) {
                float[] ref = new float[ch * o[0] * o[1]], rot = new float[ch * o[0] * o[1]];
                ViewOps.resizeBilinear(src, ch, h, w, box, ref, o[0], o[1]);
                ViewOps.resizeBilinearRotated(src, ch, h, w, box, deg, rot, o[0], o[1]);
                for (int i = 0; i < ref.length; i++) {
                    assertEquals(Float.floatToRawIntBits(ref[i]), Float.floatToRawIntBits(rot[i]),
                            "C " + ch + " " + box + " out " + o[0] + "x" + o[1] + " θ " + deg + " index " + i);
                }
            }
        }
    }

    @Test
    void quarterTurnsOfAFullSquareBoxAreIndexRotations() {
        int n = 7, ch = 2;
        float[] src = noise(ch * n * n, 9);
        CropBox full = new CropBox(0, 0, n, n);
        float[] r90 = new float[ch * n * n], r270 = new float[ch * n * n], r180 = new float[ch * n * n];
        ViewOps.resizeBilinearRotated(src, ch, n, n, full, 90, r90, n, n);
        ViewOps.resizeBilinearRotated(src, ch, n, n, full, -90, r270, n, n);
        ViewOps.resizeBilinearRotated(src, ch, n, n, full, 180, r180, n, n);
        for (int c = 0; c < ch; c++) for (int y = 0; y < n; y++) for (int x = 0; x < n; x++) {
            int o = (c * n + y) * n + x;
            // counter-clockwise on screen: the view's top row is the image's right column
            assertEquals(src[(c * n + x) * n + (n - 1 - y)], r90[o], "90° at c" + c + " y" + y + " x" + x);
            assertEquals(src[(c * n + (n - 1 - x)) * n + y], r270[o], "-90° at c" + c + " y" + y + " x" + x);
            assertEquals(src[(c * n + (n - 1 - y)) * n + (n - 1 - x)], r180[o], "180° at c" + c + " y" + y + " x" + x);
        }
    }

    @Test
    void rotatedSamplingOfALinearRampMatchesTheRotatedCoordinates() {
        // bilinear interpolation reproduces a linear function exactly, so every output equals the ramp at the
        // rotated (and image-clamped) sample position, computed here in float64 with the textbook rotation
        int h = 20, w = 24;
        float[] src = new float[h * w];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) src[y * w + x] = 0.01f * x + 0.02f * y + 0.1f;
        CropBox[] boxes = {new CropBox(4, 5, 10, 12), new CropBox(0, 0, 6, 8), new CropBox(h - 9, w - 5, 9, 5),
                new CropBox(0, 0, h, w)};
        int clamped = 0;
        for (CropBox box : boxes) for (double deg : new double[]{30, -45, 17.5, 135, -180, 90}) {
            int oh = 11, ow = 9;
            float[] dst = new float[oh * ow];
            ViewOps.resizeBilinearRotated(src, 1, h, w, box, deg, dst, oh, ow);
            double t = Math.toRadians(deg), cos = Math.cos(t), sin = Math.sin(t);
            double cu = (box.width() - 1) / 2.0, cv = (box.height() - 1) / 2.0;
            for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++) {
                double u = Math.min(Math.max((ox + 0.5) * box.width() / ow - 0.5, 0), box.width() - 1);
                double v = Math.min(Math.max((oy + 0.5) * box.height() / oh - 0.5, 0), box.height() - 1);
                double x = box.left() + cu + cos * (u - cu) - sin * (v - cv);
                double y = box.top() + cv + sin * (u - cu) + cos * (v - cv);
                if (x < 0 || x > w - 1 || y < 0 || y > h - 1) clamped++; // outside: the nearest edge pixel
                x = Math.min(Math.max(x, 0), w - 1);
                y = Math.min(Math.max(y, 0), h - 1);
                assertEquals(0.01 * x + 0.02 * y + 0.1, dst[oy * ow + ox], 1e-5,
                        box + " θ " + deg + " at (" + oy + ", " + ox + ")");
            }
        }
        assertTrue(clamped > 50, "the border boxes must sample outside the image, clamped " + clamped);
        float[] dst = new float[8 * 8];
        assertThrows(IllegalArgumentException.class,
                () -> ViewOps.resizeBilinearRotated(src, 1, h, w, new CropBox(0, 0, 8, 8), Double.NaN, dst, 8, 8));
    }

    @Test
    void flipMirrorsRows() {
        float[] img = new float[2 * 3 * 4];
        for (int i = 0; i < img.length; i++) img[i] = i;
        float[] f = img.clone();
        ViewOps.flipHorizontal(f, 2, 3, 4);
        for (int c = 0; c < 2; c++) for (int y = 0; y < 3; y++) for (int x = 0; x < 4; x++)
            assertEquals(img[(c * 3 + y) * 4 + 3 - x], f[(c * 3 + y) * 4 + x]);
    }

    /** dino-train's presets turn blur off with σ 0.1 (the smallest σ the recipe accepts): in float it is the identity. */
    @Test
    void gaussianBlurOfSigmaPointOneChangesNoPixelMeasurably() {
        int c = 1, h = 28, w = 28;
        Random r = new Random(5);
        float[] img = new float[c * h * w];
        for (int i = 0; i < img.length; i++) img[i] = i % 7 == 0 ? 0f : r.nextFloat(); // exact zeros too
        float[] out = img.clone();
        ViewOps.gaussianBlur(out, c, h, w, 0.1, new ViewOps.BlurScratch(28, 0.1));
        for (int i = 0; i < img.length; i++) {
            assertEquals(img[i], out[i], 1e-20, "pixel " + i);
            if (img[i] != 0f) assertEquals(img[i], out[i], 0.0, "pixel " + i + " (non-zero pixels keep every bit)");
        }
        float[] blurred = img.clone();
        ViewOps.gaussianBlur(blurred, c, h, w, 0.5, new ViewOps.BlurScratch(28, 0.5));
        assertTrue(Math.abs(blurred[30] - img[30]) > 1e-3, "σ 0.5 does blur"); // the check can fail
    }

    @Test
    void gaussianBlurMatchesDirectConvolution() {
        int c = 2, h = 9, w = 11;
        Random r = new Random(3);
        float[] img = new float[c * h * w];
        for (int i = 0; i < img.length; i++) img[i] = r.nextFloat();
        for (double sigma : new double[]{0.1, 0.7, 2.0}) {
            float[] out = img.clone();
            ViewOps.gaussianBlur(out, c, h, w, sigma, new ViewOps.BlurScratch(11, 2.0));
            int rad = (int) Math.ceil(3 * sigma);
            double norm = 0;
            for (int k = -rad; k <= rad; k++) norm += Math.exp(-k * k / (2 * sigma * sigma));
            for (int ch = 0; ch < c; ch++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int dy = -rad; dy <= rad; dy++) for (int dx = -rad; dx <= rad; dx++) {
                    double wt = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)) / (norm * norm);
                    acc += wt * img[ch * h * w + refl(y + dy, h) * w + refl(x + dx, w)];
                }
                assertEquals(acc, out[ch * h * w + y * w + x], 1e-5, "sigma " + sigma);
            }
        }
    }

    /** The blur with its borders read through an index reflection per tap, as first written: the same bits. */
    @Test
    void gaussianBlurHasTheBitsOfThePerTapReflection() {
        Random r = new Random(11);
        ViewOps.BlurScratch scratch = new ViewOps.BlurScratch(28, 2.0); // reused from large to small images
        for (int[] hw : new int[][]{{28, 28}, {12, 12}, {5, 9}, {1, 7}}) {
            for (double sigma : new double[]{0.1, 0.6, 1.3, 2.0}) {
                int c = 3, h = hw[0], w = hw[1];
                float[] img = new float[c * h * w];
                for (int k = 0; k < img.length; k++) img[k] = r.nextFloat();
                float[] fast = img.clone();
                ViewOps.gaussianBlur(fast, c, h, w, sigma, scratch);
                float[] slow = img.clone();
                perTapReflection(slow, c, h, w, sigma);
                assertArrayEquals(slow, fast, 0f, h + "x" + w + " sigma " + sigma);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ViewOps.gaussianBlur(new float[28 * 28], 1, 28, 28, 2.0, new ViewOps.BlurScratch(28, 1.6)));
        assertEquals("the blur scratch holds sides up to 28 and radius ceil(3*sigma) up to 5, got a 28x28 image and sigma 2.0"
                + " (radius 6)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ViewOps.gaussianBlur(new float[12 * 30], 1, 12, 30, 1.0, new ViewOps.BlurScratch(28, 2.0)));
        assertTrue(e.getMessage().contains("got a 12x30 image"), e.getMessage());
    }

    private static void perTapReflection(float[] img, int channels, int h, int w, double sigma) {
        int radius = (int) Math.ceil(3 * sigma);
        float[] kernel = new float[2 * radius + 1];
        float[] line = new float[Math.max(h, w)];
        double sum = 0;
        for (int k = -radius; k <= radius; k++) {
            double v = Math.exp(-(k * (double) k) / (2 * sigma * sigma));
            kernel[k + radius] = (float) v;
            sum += v;
        }
        for (int k = 0; k <= 2 * radius; k++) kernel[k] /= (float) sum;
        for (int c = 0; c < channels; c++) {
            int base = c * h * w;
            for (int y = 0; y < h; y++) {
                int row = base + y * w;
                System.arraycopy(img, row, line, 0, w);
                for (int x = 0; x < w; x++) {
                    float acc = 0;
                    for (int k = -radius; k <= radius; k++) acc += kernel[k + radius] * line[ViewOps.reflect(x + k, w)];
                    img[row + x] = acc;
                }
            }
            for (int x = 0; x < w; x++) {
                for (int y = 0; y < h; y++) line[y] = img[base + y * w + x];
                for (int y = 0; y < h; y++) {
                    float acc = 0;
                    for (int k = -radius; k <= radius; k++) acc += kernel[k + radius] * line[ViewOps.reflect(y + k, h)];
                    img[base + y * w + x] = acc;
                }
            }
        }
    }

    private static int refl(int i, int n) { // mirror without edge repeat, iterated
        while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
        return i;
    }

    @Test
    void pointOpsFollowTheirFormulas() {
        float[] v = {0.1f, 0.5f, 0.9f, 0.49f};
        float[] s = v.clone();
        ViewOps.solarize(s, 4);
        assertArrayEquals(new float[]{0.1f, 0.5f, 0.1f, 0.49f}, s, 1e-6f);
        float[] b = v.clone();
        ViewOps.adjustBrightness(b, 4, 1.4f);
        assertArrayEquals(new float[]{0.14f, 0.7f, 1f, 0.686f}, b, 1e-6f);
        float[] ct = v.clone();
        ViewOps.adjustContrast(ct, 1, 4, 0f);
        double mean = (0.1 + 0.5 + 0.9 + 0.49) / 4;
        for (float x : ct) assertEquals(mean, x, 1e-6);
        float[] n = v.clone();
        ViewOps.normalize(n, 1, 4, new float[]{0.5f}, new float[]{0.25f});
        for (int i = 0; i < 4; i++) assertEquals((v[i] - 0.5) / 0.25, n[i], 1e-5);
    }

    @Test
    void colourOpsOnKnownColours() {
        // one red pixel, one grey pixel: [R plane, G plane, B plane]
        float[] img = {1f, 0.5f, 0f, 0.5f, 0f, 0.5f};
        float[] g = img.clone();
        ViewOps.toGrayscale(g, 2);
        assertEquals(0.299, g[0], 1e-6);
        assertEquals(0.299, g[2], 1e-6);
        assertEquals(0.299, g[4], 1e-6);
        float[] hue = img.clone();
        ViewOps.adjustHue(hue, 2, 1f / 3); // red -> green, grey unchanged
        assertArrayEquals(new float[]{0f, 0.5f, 1f, 0.5f, 0f, 0.5f}, hue, 1e-5f);
        float[] sat = img.clone();
        ViewOps.adjustSaturation(sat, 2, 0f);
        assertEquals(sat[0], sat[2], 1e-6);
        assertEquals(sat[2], sat[4], 1e-6);
        assertEquals(0.5f, sat[1], 1e-6);
    }

    @Test
    void jitterIsDeterministicForASeedAndStaysInRange() {
        Random r = new Random(5);
        float[] img = new float[3 * 64];
        for (int i = 0; i < img.length; i++) img[i] = r.nextFloat();
        float[] a = img.clone(), b = img.clone();
        ViewOps.colorJitter(a, 3, 64, ColorJitterSpec.DINO, new Random(9));
        ViewOps.colorJitter(b, 3, 64, ColorJitterSpec.DINO, new Random(9));
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, img));
        for (float x : a) assertTrue(x >= 0 && x <= 1);
    }

    @Test
    void specsRejectBadValuesNamingTheField() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ViewSpec(28, 0.0, 1.0, 0.5, 0));
        assertTrue(e.getMessage().contains("scaleMin"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ViewSpec(28, 0.4, 1.2, 0.5, 0));
        assertTrue(e.getMessage().contains("scaleMax") && e.getMessage().contains("1.2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ViewSpec(28, 0.5, 0.4, 0.5, 0));
        assertTrue(e.getMessage().contains("scaleMax"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ViewSpec(28, 0.4, 1, 1.5, 0));
        assertTrue(e.getMessage().contains("blurP"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ColorJitterSpec(0.8, 0.4, 0.4, 0.2, 0.7));
        assertTrue(e.getMessage().contains("jitter.hue"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[]{0.5f}, new float[]{0f}));
        assertTrue(e.getMessage().contains("std"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Normalization.IMAGENET.meanFor(1));
        assertTrue(e.getMessage().contains("channels"), e.getMessage());
    }
}

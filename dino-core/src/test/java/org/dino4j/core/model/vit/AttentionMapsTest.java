package org.dino4j.core.model.vit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

class AttentionMapsTest {
    @Test
    void massMaskOnHandExample() {
        // sorted ascending 0.1, 0.1, 0.3, 0.5 → cumulative 0.1, 0.2, 0.5, 1.0; keep cum > 0.4 → 0.3 and 0.5
        boolean[] keep = AttentionMaps.massMask(new float[] {0.5f, 0.1f, 0.3f, 0.1f}, 0.6);
        assertArrayEquals(new boolean[] {true, false, true, false}, keep);
        // unnormalised input gives the same mask
        assertArrayEquals(keep, AttentionMaps.massMask(new float[] {5f, 1f, 3f, 1f}, 0.6));
        assertArrayEquals(new boolean[] {true, true, true, true},
                AttentionMaps.massMask(new float[] {5f, 1f, 3f, 1f}, 1.0));
    }

    /** Kept mass >= threshold, and without its smallest kept entry it would be < threshold; kept ⊇ larger ones. */
    @Test
    void massMaskIsTheSmallestTopSetReachingTheShare() {
        Random r = new Random(1);
        for (int trial = 0; trial < 50; trial++) {
            float[] a = new float[49];
            double sum = 0;
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) Math.exp(2 * r.nextGaussian());
                sum += a[i];
            }
            double th = 0.05 + 0.9 * r.nextDouble();
            boolean[] keep = AttentionMaps.massMask(a, th);
            double kept = 0, minKept = Double.MAX_VALUE, maxDropped = 0;
            for (int i = 0; i < a.length; i++) {
                if (keep[i]) {
                    kept += a[i] / sum;
                    minKept = Math.min(minKept, a[i]);
                } else {
                    maxDropped = Math.max(maxDropped, a[i]);
                }
            }
            assertTrue(kept >= th - 1e-6, "kept " + kept + " < " + th);
            assertTrue(kept - minKept / sum < th + 1e-6);
            assertTrue(minKept >= maxDropped);
        }
        assertThrows(IllegalArgumentException.class, () -> AttentionMaps.massMask(new float[] {1f}, 0));
        assertThrows(IllegalArgumentException.class, () -> AttentionMaps.massMask(new float[] {0f, 0f}, 0.5));
    }

    @Test
    void clsToPatchesTakesRowZeroWithoutTheClsColumn() {
        double[] v = new double[2 * 3 * 5 * 5];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        float[][] a = AttentionMaps.clsToPatches(Nd4j.createFromArray(v).reshape(2, 3, 5, 5), 1);
        assertEquals(3, a.length);
        for (int h = 0; h < 3; h++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(((1 * 3 + h) * 5 + 0) * 5 + (j + 1), a[h][j], 0);
            }
        }
    }

    /**
     * Synthetic 3×3 attention peaked on patch (1, 2) of a 12×12 black image: in the head panel the pixels of that
     * patch are the brightest (heat of 1 blended with black = half white), a zero-attention patch stays black, and
     * with a threshold the other patches are darkened; the image panel shows the image. Written and read as PNG.
     */
    @Test
    void renderSyntheticMapAndWritePng(@TempDir Path dir) throws Exception {
        int h = 12, w = 12, scale = 2;
        float[] img = new float[h * w];
        img[5 * w + 7] = 1f; // one white pixel
        float[] att = new float[9];
        att[1 * 3 + 2] = 0.7f;
        att[0] = 0.3f;
        BufferedImage out = AttentionMaps.render(img, 1, h, w, new float[][] {att}, 3, 3, null, scale);
        assertEquals(2 * w * scale, out.getWidth());
        assertEquals(h * scale, out.getHeight());
        assertEquals(0xFFFFFF, out.getRGB(7 * scale + 1, 5 * scale + 1) & 0xFFFFFF);
        assertEquals(0, out.getRGB(0, 0) & 0xFFFFFF);
        // head panel starts at x = w*scale; patch (1,2) covers rows 4..7, columns 8..11
        int peak = out.getRGB((w + 9) * scale, 5 * scale) & 0xFFFFFF;
        assertEquals(0x808080, peak, "heat(1) = white blended 50% with black");
        assertEquals(0, out.getRGB((w + 5) * scale, 9 * scale) & 0xFFFFFF, "zero attention, black image");
        int weak = out.getRGB((w + 1) * scale, 1 * scale) & 0xFFFFFF; // patch (0,0), 0.3/0.7 of the max
        assertTrue((weak >> 16) > 0 && (weak >> 16) < (peak >> 16) + 1);
        BufferedImage th = AttentionMaps.render(img, 1, h, w, new float[][] {att}, 3, 3, 0.6, scale);
        assertEquals(peak, th.getRGB((w + 9) * scale, 5 * scale) & 0xFFFFFF, "kept patch unchanged");
        int darkened = th.getRGB((w + 1) * scale, 1 * scale) & 0xFFFFFF;
        assertTrue((darkened >> 16) < (weak >> 16), "dropped patch darkened");
        Path f = dir.resolve("sub/a.png");
        AttentionMaps.writePng(th, f);
        BufferedImage back = ImageIO.read(f.toFile());
        assertEquals(th.getRGB(30, 10), back.getRGB(30, 10));
        assertFalse(back.getWidth() != th.getWidth());
        assertThrows(IllegalArgumentException.class,
                () -> AttentionMaps.render(img, 1, h, w, new float[][] {new float[8]}, 3, 3, null, 1));
    }
}

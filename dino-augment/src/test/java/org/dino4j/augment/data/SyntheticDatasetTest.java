package org.dino4j.augment.data;

import org.dino4j.augment.Seeds;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class SyntheticDatasetTest {
    @Test
    void classesAreBalanced() {
        for (int n : new int[]{1000, 1007}) {
            SyntheticDataset ds = SyntheticDataset.of28(n, 1);
            int[] counts = new int[ds.numClasses()];
            for (int i = 0; i < n; i++) counts[ds.label(i)]++;
            int min = Arrays.stream(counts).min().getAsInt(), max = Arrays.stream(counts).max().getAsInt();
            assertEquals(10, counts.length);
            assertTrue(max - min <= 1, Arrays.toString(counts));
            assertEquals(n, Arrays.stream(counts).sum());
        }
    }

    @Test
    void imagesAreSeededInRangeAndVaried() {
        SyntheticDataset a = SyntheticDataset.of28(50, 7), b = SyntheticDataset.of28(50, 7), c = SyntheticDataset.of28(50, 8);
        for (int i = 0; i < 50; i++) {
            float[] x = a.image(i);
            assertArrayEquals(x, b.image(i));
            assertFalse(Arrays.equals(x, c.image(i)));
            double min = 1, max = 0;
            for (float v : x) {
                assertTrue(v >= 0 && v <= 1);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertTrue(max - min > 0.3, "image " + i + " has too little contrast: " + (max - min));
        }
        // two images of the same class differ (random pose)
        assertFalse(Arrays.equals(a.image(0), a.image(10)));
    }

    @Test
    void anySizeAndRgb() {
        SyntheticDataset ds = new SyntheticDataset(12, 48, 64, 3, 1);
        float[] x = ds.image(3);
        assertEquals(3 * 48 * 64, x.length);
        boolean colour = false;
        for (int i = 0; i < 48 * 64; i++) if (Math.abs(x[i] - x[48 * 64 + i]) > 0.05) colour = true;
        assertTrue(colour);
        var e = assertThrows(IllegalArgumentException.class, () -> new SyntheticDataset(10, 4, 28, 1, 1));
        assertTrue(e.getMessage().contains("height"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SyntheticDataset(0, 28, 28, 1, 1));
        assertTrue(e.getMessage().contains("size"), e.getMessage());
    }

    @Test
    void classIsVisibleToASimpleShapeStatistic() {
        // Independent sanity check that labels mean something: the fraction of bright pixels differs
        // between a thin-stroke class (ring) and a filled one (two dots have small area; stripes fill a disk).
        SyntheticDataset ds = SyntheticDataset.of28(2000, 3);
        double[] meanBright = new double[10];
        for (int i = 0; i < ds.size(); i++) {
            float[] x = ds.image(i);
            float[] sorted = x.clone();
            Arrays.sort(sorted);
            float thr = (sorted[0] + sorted[sorted.length - 1]) / 2;
            int bright = 0;
            for (float v : x) if (v > thr) bright++;
            meanBright[ds.label(i)] += bright / 200.0;
        }
        assertTrue(meanBright[3] > meanBright[5] * 1.5, Arrays.toString(meanBright));
    }

    @Test
    void recordReaderYieldsImageAndLabel() {
        SyntheticDataset ds = SyntheticDataset.of28(3, 2);
        var rr = ds.recordReader();
        assertEquals(10, rr.getLabels().size());
        assertEquals("ring", rr.getLabels().get(0));
        var rec = rr.nextRecord();
        var arr = ((org.datavec.api.writable.NDArrayWritable) rec.getRecord().get(0)).get();
        assertArrayEquals(new long[]{1, 1, 28, 28}, arr.shape());
        assertArrayEquals(ds.image(0), arr.data().asFloat());
        assertEquals(0, rec.getRecord().get(1).toInt());
        var again = rr.loadFromMetaData(rec.getMetaData());
        assertEquals(rec.getRecord(), again.getRecord());
    }

    /** The dataset draws with LocalRandom; the documented definition is java.util.Random's values: the same images. */
    @Test
    void imagesAreThoseOfJavaUtilRandom() {
        for (int[] spec : new int[][]{{40, 28, 28, 1, 5}, {20, 20, 24, 3, 9}}) { // size, H, W, C, seed
            SyntheticDataset ds = new SyntheticDataset(spec[0], spec[1], spec[2], spec[3], spec[4]);
            for (int i = 0; i < ds.size(); i++) {
                float[] ref = new float[spec[3] * spec[1] * spec[2]];
                SyntheticDataset.render(ds.label(i), new Random(Seeds.derive(spec[4], 0x5EED, i)), spec[3], spec[1], spec[2], ref);
                assertArrayEquals(ref, ds.image(i), 0f, "image " + i);
            }
        }
    }

    /** The triangle's edge normals, computed once, give the distance of the per-pixel formula bit for bit. */
    @Test
    void triangleDistanceOfThePerPixelFormula() {
        Random r = new Random(4);
        for (int n = 0; n < 10_000; n++) {
            double x = 4 * r.nextDouble() - 2, y = 4 * r.nextDouble() - 2, rad = 0.85;
            double d = -Double.MAX_VALUE;
            for (int k = 0; k < 3; k++) {
                double a = Math.PI / 2 + k * 2 * Math.PI / 3 + Math.PI / 3;
                d = Math.max(d, x * Math.cos(a) + y * Math.sin(a) - rad / 2);
            }
            assertEquals(d, SyntheticDataset.triangle(x, y, rad), 0.0);
        }
    }
}

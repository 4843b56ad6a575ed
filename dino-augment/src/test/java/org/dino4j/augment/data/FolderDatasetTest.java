package org.dino4j.augment.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class FolderDatasetTest {
    @TempDir
    Path tmp;

    private static int rgbAt(int seed, int x, int y) {
        int r = (seed * 40 + x * 17) & 0xff, g = (y * 23 + seed) & 0xff, b = (x * y * 5) & 0xff;
        return (r << 16) | (g << 8) | b;
    }

    private void writePng(Path file, int seed, int w, int h, boolean grey) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage im = new BufferedImage(w, h, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
            if (grey) im.getRaster().setSample(x, y, 0, (seed * 31 + x * 7 + y * 3) & 0xff);
            else im.setRGB(x, y, rgbAt(seed, x, y));
        }
        assertTrue(ImageIO.write(im, "png", file.toFile()));
    }

    @Test
    void loadsClassesFromSubfoldersWithExactPixels() throws IOException {
        writePng(tmp.resolve("cat/a.png"), 1, 6, 5, false);
        writePng(tmp.resolve("cat/b.png"), 2, 6, 5, false);
        writePng(tmp.resolve("dog/c.png"), 3, 6, 5, false);
        FolderDataset ds = FolderDataset.load(tmp, 3, 5, 6, false);
        assertEquals(3, ds.size());
        assertEquals(2, ds.numClasses());
        assertEquals("cat", ds.className(0));
        assertEquals("dog", ds.className(1));
        assertArrayEquals(new int[]{0, 0, 1}, new int[]{ds.label(0), ds.label(1), ds.label(2)});
        float[] px = ds.image(2);
        for (int y = 0; y < 5; y++) for (int x = 0; x < 6; x++) {
            int rgb = rgbAt(3, x, y);
            assertEquals(((rgb >> 16) & 0xff) / 255f, px[y * 6 + x], 1e-6);
            assertEquals(((rgb >> 8) & 0xff) / 255f, px[30 + y * 6 + x], 1e-6);
            assertEquals((rgb & 0xff) / 255f, px[60 + y * 6 + x], 1e-6);
        }
        // as grayscale: Rec. 601 luma (rounded to a byte)
        FolderDataset g = FolderDataset.load(tmp, 1, 5, 6, false);
        int rgb = rgbAt(1, 2, 3);
        double luma = 0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff);
        assertEquals(Math.round(luma) / 255.0, g.image(0)[3 * 6 + 2], 1.5 / 255);
        // resized on load
        FolderDataset small = FolderDataset.load(tmp, 1, 3, 3, false);
        assertEquals(9, small.image(0).length);
    }

    @Test
    void pixelsOfEncodedBytesEqualTheLoadedImage() throws IOException {
        writePng(tmp.resolve("cat/a.png"), 4, 9, 7, false);
        writePng(tmp.resolve("dog/b.png"), 5, 9, 7, true);
        for (int ch : new int[]{1, 3}) {
            FolderDataset ds = FolderDataset.load(tmp, ch, 5, 6, false); // resized: bilinear, then 8 bits
            for (int i = 0; i < ds.size(); i++) {
                float[] px = new float[ch * 30];
                FolderDataset.pixels(Files.readAllBytes(ds.file(i)), ds.file(i).toString(), ch, 5, 6, px);
                assertArrayEquals(ds.image(i), px, 0f, ds.file(i) + " channels " + ch);
            }
        }
        IOException e = assertThrows(IOException.class,
                () -> FolderDataset.pixels(new byte[]{1, 2, 3}, "x/bad.png", 1, 4, 4, new float[16]));
        assertTrue(e.getMessage().contains("x/bad.png"), e.getMessage());
    }

    @Test
    void greyPngsLoadAsOneOrThreeChannels() throws IOException {
        writePng(tmp.resolve("a/x.png"), 4, 4, 4, true);
        FolderDataset g = FolderDataset.load(tmp, 1, 4, 4, false), c = FolderDataset.load(tmp, 3, 4, 4, false);
        assertEquals(((4 * 31 + 2 * 7 + 3) & 0xff) / 255f, g.image(0)[4 + 2], 1e-6);
        float[] rgb = c.image(0);
        for (int i = 0; i < 16; i++) {
            assertEquals(g.image(0)[i], rgb[i]);
            assertEquals(g.image(0)[i], rgb[32 + i]);
        }
    }

    @Test
    void corruptFileIsNamedOrSkippedAndCounted() throws IOException {
        writePng(tmp.resolve("a/good.png"), 1, 4, 4, false);
        Path bad = tmp.resolve("a/bad.png");
        Files.write(bad, new byte[]{1, 2, 3, 4, 5});
        IOException e = assertThrows(IOException.class, () -> FolderDataset.load(tmp, 3, 4, 4, false));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        FolderDataset ds = FolderDataset.load(tmp, 3, 4, 4, true);
        assertEquals(1, ds.size());
        assertEquals(1, ds.skipped());
        assertEquals(tmp.resolve("a/good.png"), ds.file(0));
    }

    @Test
    void aJpegTruncatedInsideItsDataIsCorruptNotGreyFilled() throws IOException {
        writePng(tmp.resolve("a/good.png"), 1, 8, 8, false);
        BufferedImage im = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) im.setRGB(x, y, rgbAt(x + y, x, y));
        java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
        assertTrue(ImageIO.write(im, "jpg", bo));
        byte[] jpeg = bo.toByteArray();
        Path cut = tmp.resolve("a/cut.jpg");
        Files.write(cut, java.util.Arrays.copyOf(jpeg, jpeg.length / 2));
        assertNotNull(ImageIO.read(cut.toFile()), "ImageIO.read alone accepts it (and fills the rest grey)");
        IOException e = assertThrows(IOException.class, () -> FolderDataset.load(tmp, 3, 8, 8, false));
        assertTrue(e.getMessage().startsWith(cut + ": corrupt image (the decoder warned: "), e.getMessage());
        FolderDataset ds = FolderDataset.load(tmp, 3, 8, 8, true);
        assertEquals(1, ds.size());
        assertEquals(1, ds.skipped());
        assertTrue(ds.skippedFiles().get(0).startsWith(cut.toString()), ds.skippedFiles().toString());
        // the bytes-based decoder (dino-spark's) applies the same rule
        IOException p = assertThrows(IOException.class, () -> FolderDataset.pixels(Files.readAllBytes(cut),
                "s3://bucket/cut.jpg", 3, 8, 8, new float[3 * 64]));
        assertTrue(p.getMessage().startsWith("s3://bucket/cut.jpg: corrupt image (the decoder warned: "), p.getMessage());
    }

    @Test
    void theHeaderSizeIsCheckedBeforeDecoding() throws IOException {
        writePng(tmp.resolve("a/x.png"), 1, 30, 20, false);
        FolderDataset.Options small = new FolderDataset.Options(1, 4, 4, false, 599);
        IOException e = assertThrows(IOException.class, () -> FolderDataset.load(tmp, small, null));
        assertTrue(e.getMessage().contains("30x20 = 600 pixels, more than the limit of 599 pixels"), e.getMessage());
        assertEquals(1, FolderDataset.load(tmp, new FolderDataset.Options(1, 4, 4, false, 600), null).size());
        assertThrows(IllegalArgumentException.class, () -> new FolderDataset.Options(1, 4, 4, false, 0));
    }

    @Test
    void aGivenClassListFixesTheLabels() throws IOException {
        writePng(tmp.resolve("b/x.png"), 1, 4, 4, false);
        writePng(tmp.resolve("c/y.png"), 2, 4, 4, false);
        assertEquals(java.util.List.of(Path.of("b"), Path.of("c")), FolderDataset.classFolders(tmp));
        FolderDataset ds = FolderDataset.load(tmp, FolderDataset.Options.of(1, 4, 4), java.util.List.of(Path.of("a"), Path.of("b"), Path.of("c")));
        assertEquals(3, ds.numClasses());
        assertEquals("c", ds.className(ds.label(1)));
        assertEquals(2, ds.label(1), "\"c\" keeps its index although \"a\" has no folder here");
    }

    @Test
    void emptyFolderIsAnError() throws IOException {
        Files.createDirectories(tmp.resolve("empty/classA"));
        IOException e = assertThrows(IOException.class, () -> FolderDataset.load(tmp.resolve("empty"), 1, 8, 8, false));
        assertTrue(e.getMessage().contains("no readable"), e.getMessage());
        assertThrows(IOException.class, () -> FolderDataset.load(tmp.resolve("nope"), 1, 8, 8, false));
    }

    @Test
    void dataVecImageRecordReaderSeesTheSameFolder() throws Exception {
        writePng(tmp.resolve("cat/a.png"), 1, 6, 5, true);
        writePng(tmp.resolve("dog/b.png"), 2, 6, 5, true);
        writePng(tmp.resolve("dog/c.png"), 3, 6, 5, true);
        FolderDataset ds = FolderDataset.load(tmp, 1, 5, 6, false);
        try (var rr = ds.dataVecReader()) {
            assertEquals(java.util.List.of("cat", "dog"), rr.getLabels());
            int n = 0;
            int[] perClass = new int[2];
            while (rr.hasNext()) {
                var rec = rr.next();
                var arr = ((org.datavec.api.writable.NDArrayWritable) rec.get(0)).get();
                assertArrayEquals(new long[]{1, 1, 5, 6}, arr.shape());
                perClass[rec.get(1).toInt()]++;
                n++;
            }
            assertEquals(3, n);
            assertArrayEquals(new int[]{1, 2}, perClass);
        }
    }
}

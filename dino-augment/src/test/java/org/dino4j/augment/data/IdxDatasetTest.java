package org.dino4j.augment.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class IdxDatasetTest {
    @TempDir
    Path tmp;

    private static byte[] images(int magic, int n, int rows, int cols, int payload) {
        ByteBuffer b = ByteBuffer.allocate(16 + payload);
        b.putInt(magic).putInt(n).putInt(rows).putInt(cols);
        for (int i = 0; i < payload; i++) b.put((byte) (i * 37 + 11));
        return b.array();
    }

    private static byte[] labels(int magic, int n, int payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload);
        b.putInt(magic).putInt(n);
        for (int i = 0; i < payload; i++) b.put((byte) (i % 3));
        return b.array();
    }

    private Path write(String name, byte[] data, boolean gzip) throws IOException {
        Path p = tmp.resolve(name);
        try (OutputStream o = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            o.write(data);
        }
        return p;
    }

    @Test
    void readsRawAndGzippedFiles() throws IOException {
        for (boolean gz : new boolean[]{false, true}) {
            Path im = write("im" + gz, images(0x803, 5, 3, 4, 60), gz);
            Path lb = write("lb" + gz, labels(0x801, 5, 5), gz);
            IdxDataset ds = IdxDataset.load(im, lb);
            assertEquals(5, ds.size());
            assertEquals(3, ds.height());
            assertEquals(4, ds.width());
            assertEquals(1, ds.channels());
            assertEquals(3, ds.numClasses());
            for (int i = 0; i < 5; i++) {
                assertEquals(i % 3, ds.label(i));
                float[] px = ds.image(i);
                for (int k = 0; k < 12; k++) assertEquals(((i * 12 + k) * 37 + 11) & 0xff, Math.round(px[k] * 255));
            }
        }
    }

    @Test
    void wrongMagicIsNamed() throws IOException {
        Path im = write("im", images(0x802, 2, 2, 2, 8), false), lb = write("lb", labels(0x801, 2, 2), false);
        IOException e = assertThrows(IOException.class, () -> IdxDataset.load(im, lb));
        assertTrue(e.getMessage().contains("wrong magic") && e.getMessage().contains(im.toString()), e.getMessage());
        Path im2 = write("im2", images(0x803, 2, 2, 2, 8), false), lb2 = write("lb2", labels(0x803, 2, 2), false);
        e = assertThrows(IOException.class, () -> IdxDataset.load(im2, lb2));
        assertTrue(e.getMessage().contains("wrong magic") && e.getMessage().contains(lb2.toString()), e.getMessage());
    }

    @Test
    void headerDisagreeingWithLengthIsNamed() throws IOException {
        Path lb = write("lb", labels(0x801, 3, 3), false);
        Path truncated = write("trunc", images(0x803, 3, 2, 2, 11), true);
        IOException e = assertThrows(IOException.class, () -> IdxDataset.load(truncated, lb));
        assertTrue(e.getMessage().contains("header says 3 images") && e.getMessage().contains("28 bytes") && e.getMessage().contains("27 bytes"), e.getMessage());
        Path im = write("im", images(0x803, 3, 2, 2, 12), false);
        Path lbLong = write("lbLong", labels(0x801, 3, 4), false);
        e = assertThrows(IOException.class, () -> IdxDataset.load(im, lbLong));
        assertTrue(e.getMessage().contains("header says 3 labels") && e.getMessage().contains(lbLong.toString()), e.getMessage());
    }

    @Test
    void differentCountsAreNamed() throws IOException {
        Path im = write("im", images(0x803, 3, 2, 2, 12), false), lb = write("lb", labels(0x801, 4, 4), false);
        IOException e = assertThrows(IOException.class, () -> IdxDataset.load(im, lb));
        assertTrue(e.getMessage().contains("counts differ") && e.getMessage().contains("3 images") && e.getMessage().contains("4 labels"), e.getMessage());
        e = assertThrows(IOException.class, () -> IdxDataset.load(tmp.resolve("missing"), lb));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void recordReaderServesTheImages() throws IOException {
        Path im = write("im", images(0x803, 4, 3, 3, 36), false), lb = write("lb", labels(0x801, 4, 4), false);
        IdxDataset ds = IdxDataset.load(im, lb);
        ImageDatasetRecordReader rr = ds.recordReader();
        int n = 0;
        while (rr.hasNext()) {
            var rec = rr.next();
            var arr = ((org.datavec.api.writable.NDArrayWritable) rec.get(0)).get();
            assertArrayEquals(new long[]{1, 1, 3, 3}, arr.shape());
            assertArrayEquals(ds.image(n), arr.data().asFloat());
            assertEquals(ds.label(n), rec.get(1).toInt());
            n++;
        }
        assertEquals(4, n);
        rr.reset();
        assertTrue(rr.hasNext());
    }

    @Test
    void fashionMnistKnownFacts() throws IOException {
        assumeTrue(Files.isDirectory(IdxDataset.FASHION_MNIST_DIR), "dataset-fashion-mnist not installed");
        IdxDataset train = IdxDataset.fashionMnist(IdxDataset.FASHION_MNIST_DIR, true);
        IdxDataset test = IdxDataset.fashionMnist(IdxDataset.FASHION_MNIST_DIR, false);
        assertEquals(60000, train.size());
        assertEquals(10000, test.size());
        assertEquals(28, train.height());
        assertEquals(28, train.width());
        assertEquals(10, train.numClasses());
        assertEquals(9, train.label(0)); // the first training image is an ankle boot
        assertEquals("Ankle boot", train.className(train.label(0)));
        int[] counts = new int[10];
        for (int i = 0; i < train.size(); i++) counts[train.label(i)]++;
        for (int c : counts) assertEquals(6000, c); // Fashion-MNIST is balanced: 6000 per class
    }
}

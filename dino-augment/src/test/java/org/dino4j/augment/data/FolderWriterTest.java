package org.dino4j.augment.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class FolderWriterTest {
    @TempDir
    Path tmp;

    /** A dataset of exact k/255 values with awkward class names, for round trips. */
    private static ImageDataset bytesDataset(int n, int c, int h, int w, int classes) {
        return new ImageDataset() {
            public int size() { return n; }
            public int channels() { return c; }
            public int height() { return h; }
            public int width() { return w; }
            public int numClasses() { return classes; }
            public String className(int k) { return k == 0 ? "T-shirt/top" : "class " + k; }
            public int label(int i) { return (i * 7) % classes; }
            public void imageInto(int i, float[] dst) {
                for (int j = 0; j < c * h * w; j++) dst[j] = ((i * 31 + j * 17) % 256) / 255f;
            }
        };
    }

    @Test
    void greyImagesReadBackExactlyWithTheSameLabelsAndOrder() throws IOException {
        ImageDataset ds = bytesDataset(12, 1, 5, 4, 3);
        int[] idx = {0, 1, 2, 3, 5, 8, 11};
        assertEquals(idx.length, FolderWriter.write(ds, idx, tmp));
        FolderDataset back = FolderDataset.load(tmp, 1, 5, 4, false);
        assertEquals(idx.length, back.size());
        assertEquals("00-T-shirt_top", back.className(0));
        assertEquals("02-class_2", back.className(2));
        // FolderDataset reads class by class, files sorted by name = by index
        int j = 0;
        for (int c = 0; c < 3; c++) {
            for (int i : idx) {
                if (ds.label(i) != c) continue;
                assertEquals(c, back.label(j));
                assertArrayEquals(ds.image(i), back.image(j), 1e-7f, "image " + i);
                j++;
            }
        }
        assertEquals(idx.length, j);
    }

    @Test
    void rgbImagesKeepTheirChannels() throws IOException {
        ImageDataset ds = bytesDataset(4, 3, 3, 6, 2);
        FolderWriter.write(ds, new int[]{0, 1, 2, 3}, tmp);
        FolderDataset back = FolderDataset.load(tmp, 3, 3, 6, false);
        for (int j = 0; j < back.size(); j++) {
            int i = Integer.parseInt(back.file(j).getFileName().toString().replace(".png", ""));
            assertArrayEquals(ds.image(i), back.image(j), 1e-7f);
        }
        try (Stream<Path> s = Files.walk(tmp)) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().endsWith(".part")).count(), "no temporary file left");
        }
    }

    @Test
    void balancedHeadTakesClassesInTurn() {
        ImageDataset ds = bytesDataset(30, 1, 2, 2, 3); // labels (7i) mod 3: 0,1,2,0,1,2,...
        int[] h = FolderWriter.balancedHead(ds, 7);
        int[] perClass = new int[3];
        for (int i : h) perClass[ds.label(i)]++;
        assertArrayEquals(new int[]{3, 2, 2}, perClass);
        for (int i = 1; i < h.length; i++) assertTrue(h[i] > h[i - 1], "sorted, distinct");
        assertThrows(IllegalArgumentException.class, () -> FolderWriter.balancedHead(ds, 31));
    }
}

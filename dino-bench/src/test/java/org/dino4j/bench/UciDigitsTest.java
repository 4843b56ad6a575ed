package org.dino4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;

class UciDigitsTest {

    /** One CSV line: cell (r, c) = f(r, c), then the label. */
    private static String row(java.util.function.IntBinaryOperator f, int label) {
        StringJoiner j = new StringJoiner(",");
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 8; c++) j.add(Integer.toString(f.applyAsInt(r, c)));
        }
        return j.add(Integer.toString(label)) + "\n";
    }

    @Test
    void rowsSplitAndScaleBilinearly(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("digits.csv");
        Files.writeString(f, row((r, c) -> 5, 3) + row((r, c) -> 2 * c, 7) + "\n" + row((r, c) -> 2 * r, 1));
        UciDigits train = new UciDigits(f, 0, 2), test = new UciDigits(f, 2, 1);
        assertEquals(2, train.size());
        assertEquals(3, train.label(0));
        assertEquals(7, train.label(1));
        assertEquals(1, test.label(0));
        float[] img = new float[28 * 28];
        train.imageInto(0, img);
        for (float v : img) assertEquals(5 / 16.0, v, 1e-6, "a constant image stays constant");
        // a linear ramp is reproduced exactly by linear interpolation: value at column x = 2 * clamp(u, 0, 7) / 16
        // with u the source coordinate of pixel x's centre, (x + 0.5) * 8 / 28 - 0.5
        train.imageInto(1, img);
        float[] t = new float[28 * 28];
        test.imageInto(0, t);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                double u = Math.min(7, Math.max(0, (x + 0.5) * 8 / 28 - 0.5));
                assertEquals(2 * u / 16, img[y * 28 + x], 1e-6, "ramp along x at (" + y + ", " + x + ")");
                assertEquals(img[y * 28 + x], t[x * 28 + y], 1e-6, "the ramp along y is its transpose");
            }
        }
        assertEquals(0, img[0], 1e-6);
        assertEquals(14 / 16.0, img[27], 1e-6);
    }

    @Test
    void badInputIsNamed(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("digits.csv");
        Files.writeString(f, row((r, c) -> 1, 0) + "1,2,3\n");
        IOException e = assertThrows(IOException.class, () -> new UciDigits(f, 0, 1));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("got 3"), e.getMessage());
        Path g = dir.resolve("one.csv");
        Files.writeString(g, row((r, c) -> 1, 0));
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> new UciDigits(g, 0, 2));
        assertTrue(a.getMessage().contains("has 1 images"), a.getMessage());
        Path h = dir.resolve("label.csv");
        Files.writeString(h, row((r, c) -> 1, 12));
        assertThrows(IOException.class, () -> new UciDigits(h, 0, 1));
    }
}

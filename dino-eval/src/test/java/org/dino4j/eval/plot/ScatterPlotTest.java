package org.dino4j.eval.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScatterPlotTest {
    @TempDir
    Path tmp;

    @Test
    void writesPngWithClassColoursAndCsv() throws IOException {
        double[][] xy = {{0, 0}, {1, 1}, {5, 5}, {6, 5}};
        int[] labels = {0, 0, 2, 2};
        Path png = tmp.resolve("s.png");
        ScatterPlot.writePng(xy, labels, List.of("cat", "dog", "fish"), "test", png, 320, 240);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(320, img.getWidth());
        assertEquals(240, img.getHeight());
        // both used class colours appear somewhere in the picture (points and legend)
        int c0 = ScatterPlot.colour(0).getRGB();
        int c2 = ScatterPlot.colour(2).getRGB();
        boolean seen0 = false;
        boolean seen2 = false;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                seen0 |= p == c0;
                seen2 |= p == c2;
            }
        }
        assertTrue(seen0 && seen2);
        Path csv = tmp.resolve("s.csv");
        ScatterPlot.writeCsv(xy, labels, csv);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(List.of("x,y,label", "0.0,0.0,0", "1.0,1.0,0", "5.0,5.0,2", "6.0,5.0,2"), lines);
    }

    @Test
    void badInputIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScatterPlot.writeCsv(new double[][] {{1, 2, 3}}, new int[] {0}, tmp.resolve("x.csv")));
        assertTrue(e.getMessage().contains("[N][2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ScatterPlot.writeCsv(new double[][] {{1, 2}}, new int[] {0, 1}, tmp.resolve("x.csv")));
        assertTrue(e.getMessage().contains("labels has 2 entries"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ScatterPlot.writePng(new double[][] {{1, 2}}, new int[] {0}, null, "t", tmp.resolve("x.png"), 4, 4));
        assertTrue(e.getMessage().contains("4x4"), e.getMessage());
    }
}

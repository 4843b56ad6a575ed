package org.dino4j.train.cli;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;

/** Small image files for the command-line tests: class folders, a truncated JPEG, a PNG whose header lies. */
final class TestImages {
    private TestImages() {}

    /** A w×h RGB picture: the class's base colour plus seeded noise (so images differ within a class). */
    static BufferedImage picture(int w, int h, int classIndex, long seed) {
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        int base = 40 + 80 * (classIndex % 3);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = Math.min(255, base + r.nextInt(30));
                im.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        return im;
    }

    /** Writes {@code root/<class>/img<i>.png} for each class, {@code perClass} images each. */
    static void folder(Path root, List<String> classes, int perClass, long seed) throws IOException {
        for (int c = 0; c < classes.size(); c++) {
            Path dir = root.resolve(classes.get(c));
            Files.createDirectories(dir);
            for (int i = 0; i < perClass; i++) {
                try (var out = Files.newOutputStream(dir.resolve("img" + i + ".png"))) {
                    ImageIO.write(picture(16, 16, c, seed * 1000 + c * 100 + i), "png", out);
                }
            }
        }
    }

    /** A JPEG cut inside its image data: ImageIO decodes it with a warning and fills the rest grey. */
    static void truncatedJpeg(Path file) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        ImageIO.write(picture(64, 64, 0, 7), "jpg", bo);
        byte[] b = bo.toByteArray();
        Files.createDirectories(file.getParent());
        Files.write(file, Arrays.copyOf(b, b.length / 2));
    }

    /** A small valid PNG whose IHDR declares {@code w × h} pixels (CRC fixed), as a decompression bomb would. */
    static void pngDeclaring(Path file, int w, int h) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        ImageIO.write(picture(16, 16, 0, 3), "png", bo);
        byte[] b = bo.toByteArray();
        // signature (8) | length (4) "IHDR" (4) width (4) height (4) ... | CRC over type + data
        ByteBuffer bb = ByteBuffer.wrap(b);
        bb.putInt(16, w);
        bb.putInt(20, h);
        CRC32 crc = new CRC32();
        crc.update(b, 12, 4 + 13);
        bb.putInt(12 + 4 + 13, (int) crc.getValue());
        Files.createDirectories(file.getParent());
        Files.write(file, b);
    }
}

package org.dino4j.augment.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Writes images of an {@link ImageDataset} as an image folder that {@link FolderDataset} reads back:
 * {@code root/<NN-class>/<index>.png}, 8-bit PNG (grey for 1 channel, RGB for 3), one folder per class. The folder
 * name is the two-digit class index, a dash and the class name with every character outside {@code [A-Za-z0-9_-]}
 * replaced by {@code _} (so {@code T-shirt/top} becomes {@code 00-T-shirt_top}), which keeps the folders' sorted
 * order, hence {@link FolderDataset}'s labels, equal to the dataset's. Pixel values are rounded to k/255; a dataset
 * whose values already are multiples of 1/255 (IDX files, a {@link FolderDataset}) reads back exactly.
 *
 * <p>Used to turn Fashion-MNIST subsets or the synthetic set into ordinary image folders for {@code dino train
 * --data images:DIR} (docs/training.md, "Your own images").
 */
public final class FolderWriter {
    private FolderWriter() {}

    /**
     * Writes images {@code indices} of {@code ds} under {@code root} (created; existing files of the same name are
     * replaced, each written to a temporary file and renamed).
     *
     * @return the number of images written.
     * @throws IOException naming the file that could not be written.
     */
    public static int write(ImageDataset ds, int[] indices, Path root) throws IOException {
        int c = ds.channels(), h = ds.height(), w = ds.width();
        float[] px = new float[c * h * w];
        for (int i : indices) {
            ImageDataset.checkIndex(i, ds.size());
            ds.imageInto(i, px);
            BufferedImage im = new BufferedImage(w, h, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (c == 1) {
                        im.getRaster().setSample(x, y, 0, toByte(px[y * w + x]));
                    } else {
                        int r = toByte(px[y * w + x]), g = toByte(px[h * w + y * w + x]), b = toByte(px[2 * h * w + y * w + x]);
                        im.setRGB(x, y, (r << 16) | (g << 8) | b);
                    }
                }
            }
            int label = ds.label(i);
            Path dir = root.resolve(folderName(label, ds.className(label)));
            Files.createDirectories(dir);
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            if (!ImageIO.write(im, "png", bo)) throw new IOException("no PNG writer for image " + i);
            Path f = dir.resolve(String.format(Locale.ROOT, "%06d.png", i));
            Path tmp = dir.resolve("." + f.getFileName() + ".part"); // not an image name: never read as one
            try {
                Files.write(tmp, bo.toByteArray());
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                Files.deleteIfExists(tmp);
                throw new IOException(f + ": cannot write (" + e.getMessage() + ")", e);
            }
        }
        return indices.length;
    }

    /** The folder name of class {@code c}: {@code NN-name} with unsafe characters replaced by {@code _}. */
    public static String folderName(int c, String name) {
        return String.format(Locale.ROOT, "%02d-%s", c, name.replaceAll("[^A-Za-z0-9_-]", "_"));
    }

    /** The first {@code n} indices that keep the classes balanced: image i of class c in order, round-robin over classes. */
    public static int[] balancedHead(ImageDataset ds, int n) {
        if (n < 0 || n > ds.size()) throw new IllegalArgumentException("n must be in [0, " + ds.size() + "], got " + n);
        int k = ds.numClasses();
        int[][] byClass = new int[k][];
        int[] counts = new int[k];
        for (int i = 0; i < ds.size(); i++) counts[ds.label(i)]++;
        for (int c = 0; c < k; c++) byClass[c] = new int[counts[c]];
        int[] fill = new int[k];
        for (int i = 0; i < ds.size(); i++) byClass[ds.label(i)][fill[ds.label(i)]++] = i;
        int[] out = new int[n];
        int[] next = new int[k];
        for (int j = 0, c = 0; j < n; c = (c + 1) % k) {
            if (next[c] < byClass[c].length) out[j++] = byClass[c][next[c]++];
        }
        java.util.Arrays.sort(out);
        return out;
    }

    private static int toByte(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }
}

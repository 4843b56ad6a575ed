package org.dino4j.bench;

import org.dino4j.augment.data.ImageDataset;
import org.dino4j.augment.transform.CropBox;
import org.dino4j.augment.transform.ViewOps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The UCI "optical recognition of handwritten digits" images (not a test): 1,797 scanned handwritten digits averaged
 * down to 8×8 cells of 0–16, as shipped in scikit-learn's {@code digits.csv.gz} (Debian's {@code python3-sklearn}:
 * {@code /usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz}; one line per image, 64 values row by
 * row then the label). Rows {@code [from, from + size)} of the file, each scaled by bilinear interpolation
 * ({@link ViewOps#resizeBilinear}: half-pixel centres, PyTorch's {@code align_corners=False}) to 28×28 grey in
 * [0, 1]. Real, centred, very blurred images that none of the presets was tuned on ({@link ExportImageFolder} writes them as a folder).
 */
final class UciDigits implements ImageDataset {
    private static final int CELLS = 8, SIDE = 28, MAX = 16;
    private static final CropBox WHOLE = new CropBox(0, 0, CELLS, CELLS);
    private final float[][] cells;
    private final int[] labels;

    /**
     * @param file {@code digits.csv.gz} (or the uncompressed {@code .csv})
     * @param from first row used
     * @param size rows used; {@code from + size} must not pass the file's rows
     */
    UciDigits(Path file, int from, int size) throws IOException {
        List<float[]> rows = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file);
             BufferedReader r = new BufferedReader(new InputStreamReader(
                     file.toString().endsWith(".gz") ? new GZIPInputStream(in) : in, StandardCharsets.US_ASCII))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) continue;
                n++;
                String[] v = line.split(",");
                if (v.length != CELLS * CELLS + 1) {
                    throw new IOException(file + " line " + n + ": expected " + (CELLS * CELLS + 1)
                            + " comma-separated values (64 cells, then the label), got " + v.length);
                }
                float[] c = new float[CELLS * CELLS];
                for (int k = 0; k < c.length; k++) c[k] = (float) (Double.parseDouble(v[k]) / MAX);
                rows.add(c);
                ys.add((int) Double.parseDouble(v[CELLS * CELLS]));
            }
        }
        if (from < 0 || size < 0 || from + size > rows.size()) {
            throw new IllegalArgumentException(file + " has " + rows.size() + " images; rows [" + from + ", "
                    + (from + size) + ") were asked for");
        }
        this.cells = rows.subList(from, from + size).toArray(new float[0][]);
        this.labels = ys.subList(from, from + size).stream().mapToInt(Integer::intValue).toArray();
        for (int y : labels) {
            if (y < 0 || y > 9) throw new IOException(file + ": label " + y + " outside 0–9");
        }
    }

    @Override public int size() { return labels.length; }
    @Override public int channels() { return 1; }
    @Override public int height() { return SIDE; }
    @Override public int width() { return SIDE; }
    @Override public int numClasses() { return 10; }
    @Override public String className(int c) { return "digit-" + c; }
    @Override public int label(int i) { return labels[i]; }

    @Override
    public void imageInto(int i, float[] dst) {
        ImageDataset.checkIndex(i, labels.length);
        ViewOps.resizeBilinear(cells[i], 1, CELLS, CELLS, WHOLE, dst, SIDE, SIDE);
    }
}

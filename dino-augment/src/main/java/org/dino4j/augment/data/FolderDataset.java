package org.dino4j.augment.data;

import org.datavec.api.io.labels.ParentPathLabelGenerator;
import org.datavec.api.split.FileSplit;
import org.datavec.image.recordreader.ImageRecordReader;
import org.dino4j.augment.transform.CropBox;
import org.dino4j.augment.transform.ViewOps;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Images in a folder tree, one subfolder per class ({@code root/<class>/<file>.png|jpg|jpeg}; classes are
 * the subfolder names in sorted order, label = rank). Every image is decoded with {@code javax.imageio},
 * converted to the requested channel count (grey = Rec. 601 luma; grey → RGB replicates) and resized
 * bilinearly to {@code height × width}, then held in memory as bytes.
 *
 * <p>An unreadable or corrupt file throws an {@link IOException} naming it, unless {@code skipBad} is
 * set: then it is left out and counted in {@link #skipped()}. An empty root (no class folder with an
 * image) throws an {@link IOException}. {@link #dataVecReader()} gives the same folder as DataVec's own
 * {@link ImageRecordReader} with a {@link ParentPathLabelGenerator}.
 */
public final class FolderDataset implements ImageDataset {
    /** File extensions read (lower case). */
    public static final String[] EXTENSIONS = {"png", "jpg", "jpeg"};

    private final Path root;
    private final int channels, height, width;
    private final List<String> classes;
    private final byte[] pixels;
    private final int[] labels;
    private final List<Path> files;
    private final int skipped;

    private FolderDataset(Path root, int c, int h, int w, List<String> classes, byte[] px, int[] labels,
                          List<Path> files, int skipped) {
        this.root = root;
        this.channels = c;
        this.height = h;
        this.width = w;
        this.classes = classes;
        this.pixels = px;
        this.labels = labels;
        this.files = files;
        this.skipped = skipped;
    }

    /**
     * Loads every image under {@code root}.
     *
     * @param root     folder with one subfolder per class
     * @param channels 1 (grayscale) or 3 (RGB)
     * @param height   output height (images are resized)
     * @param width    output width
     * @param skipBad  skip unreadable/corrupt images (counted) instead of failing
     * @throws IOException naming the file, or the root when it holds no image
     */
    public static FolderDataset load(Path root, int channels, int height, int width, boolean skipBad) throws IOException {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        if (height < 1) throw new IllegalArgumentException("height must be >= 1, got " + height);
        if (width < 1) throw new IllegalArgumentException("width must be >= 1, got " + width);
        if (!Files.isDirectory(root)) throw new IOException(root + ": not a directory");
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).sorted().toList();
        }
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labelList = new ArrayList<>();
        int len = channels * height * width, skipped = 0;
        java.io.ByteArrayOutputStream px = new java.io.ByteArrayOutputStream();
        float[] out = new float[len];
        byte[] bytes = new byte[len];
        for (Path dir : classDirs) {
            List<Path> imgs;
            try (Stream<Path> s = Files.list(dir)) {
                imgs = s.filter(p -> Files.isRegularFile(p) && hasImageExtension(p)).sorted().toList();
            }
            if (imgs.isEmpty()) continue;
            int label = classes.size();
            classes.add(dir.getFileName().toString());
            for (Path f : imgs) {
                try {
                    decode(f, channels, height, width, out);
                } catch (IOException e) {
                    if (skipBad) {
                        skipped++;
                        continue;
                    }
                    throw e;
                }
                for (int k = 0; k < len; k++) bytes[k] = (byte) Math.round(out[k] * 255f);
                px.write(bytes, 0, len);
                files.add(f);
                labelList.add(label);
            }
        }
        if (files.isEmpty())
            throw new IOException(root + ": no readable " + String.join("/", EXTENSIONS) + " image in any class subfolder"
                    + (skipped > 0 ? " (" + skipped + " unreadable files skipped)" : ""));
        int[] labels = labelList.stream().mapToInt(Integer::intValue).toArray();
        return new FolderDataset(root, channels, height, width, List.copyOf(classes), px.toByteArray(), labels,
                List.copyOf(files), skipped);
    }

    private static boolean hasImageExtension(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String e : EXTENSIONS) if (n.endsWith("." + e)) return true;
        return false;
    }

    /** Decodes one file into {@code out [C,H,W]} in [0,1]; throws an IOException naming the file. */
    static void decode(Path f, int channels, int height, int width, float[] out) throws IOException {
        BufferedImage im;
        try {
            im = ImageIO.read(f.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(f + ": unreadable or corrupt image (" + e.getMessage() + ")", e);
        }
        if (im == null) throw new IOException(f + ": unreadable or corrupt image (no decoder recognised it)");
        convert(im, channels, height, width, out);
    }

    /**
     * The pixels this dataset holds for an encoded image (a file's bytes): decoded with {@code javax.imageio},
     * converted to {@code channels}, resized bilinearly to {@code height × width}, stored as 8 bits and read back,
     * so {@code out [C,H,W]} equals what {@link #imageInto} gives for the same file loaded by {@link #load}.
     *
     * @param content the encoded image (PNG, JPEG, or any format an installed ImageIO reader knows)
     * @param name    the image's name for error messages (e.g. its path)
     * @param out     receives {@code channels·height·width} values in [0, 1]
     * @throws IOException naming the image when no decoder reads it
     */
    public static void pixels(byte[] content, String name, int channels, int height, int width, float[] out) throws IOException {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        if (height < 1 || width < 1) throw new IllegalArgumentException("height and width must be >= 1, got " + height + "x" + width);
        BufferedImage im;
        try {
            im = ImageIO.read(new java.io.ByteArrayInputStream(content));
        } catch (IOException | RuntimeException e) {
            throw new IOException(name + ": unreadable or corrupt image (" + e.getMessage() + ")", e);
        }
        if (im == null) throw new IOException(name + ": unreadable or corrupt image (no decoder recognised it)");
        try {
            convert(im, channels, height, width, out);
        } catch (RuntimeException e) {
            throw new IOException(name + ": unreadable or corrupt image (" + e + ")", e);
        }
        int len = channels * height * width;
        for (int k = 0; k < len; k++) out[k] = (Math.round(out[k] * 255f) & 0xff) / 255f;
    }

    private static void convert(BufferedImage im, int channels, int height, int width, float[] out) {
        int w0 = im.getWidth(), h0 = im.getHeight();
        boolean grey = im.getColorModel().getNumColorComponents() == 1;
        float[] src = new float[channels * h0 * w0];
        int plane = h0 * w0;
        for (int y = 0; y < h0; y++) {
            for (int x = 0; x < w0; x++) {
                int i = y * w0 + x;
                if (grey) {
                    float g = im.getRaster().getSample(x, y, 0) / (float) ((1 << im.getColorModel().getComponentSize(0)) - 1);
                    for (int c = 0; c < channels; c++) src[c * plane + i] = g;
                } else {
                    int argb = im.getRGB(x, y);
                    float r = ((argb >> 16) & 0xff) / 255f, g = ((argb >> 8) & 0xff) / 255f, b = (argb & 0xff) / 255f;
                    if (channels == 1) {
                        src[i] = ViewOps.LUMA_R * r + ViewOps.LUMA_G * g + ViewOps.LUMA_B * b;
                    } else {
                        src[i] = r;
                        src[plane + i] = g;
                        src[2 * plane + i] = b;
                    }
                }
            }
        }
        if (h0 == height && w0 == width) {
            System.arraycopy(src, 0, out, 0, src.length);
        } else {
            ViewOps.resizeBilinear(src, channels, h0, w0, new CropBox(0, 0, h0, w0), out, height, width);
        }
    }

    /** @return how many unreadable files were skipped (always 0 unless loaded with skipBad). */
    public int skipped() {
        return skipped;
    }

    /** @return the file of image {@code i}. */
    public Path file(int i) {
        return files.get(i);
    }

    /**
     * DataVec's {@link ImageRecordReader} over the same root, labels from the parent folder name, images
     * resized to this dataset's shape. Note: it decodes with OpenCV (JavaCPP natives, loaded on first use)
     * and yields 0–255 values, BGR channel order for colour images — the DataVec convention, unlike
     * {@link #image(int)}.
     */
    public ImageRecordReader dataVecReader() throws IOException {
        ImageRecordReader r = new ImageRecordReader(height, width, channels, new ParentPathLabelGenerator());
        r.initialize(new FileSplit(root.toFile(), EXTENSIONS, new Random(0)));
        return r;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int numClasses() {
        return classes.size();
    }

    @Override
    public String className(int c) {
        return classes.get(c);
    }

    @Override
    public int label(int i) {
        ImageDataset.checkIndex(i, labels.length);
        return labels[i];
    }

    @Override
    public void imageInto(int i, float[] dst) {
        ImageDataset.checkIndex(i, labels.length);
        int len = channels * height * width, off = i * len;
        for (int k = 0; k < len; k++) dst[k] = (pixels[off + k] & 0xff) / 255f;
    }

}

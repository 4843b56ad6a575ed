package org.dino4j.augment.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Images and labels in the IDX format of MNIST / Fashion-MNIST (LeCun et al.; big-endian header):
 * images file = magic {@code 0x00000803}, count n, rows, cols, then n·rows·cols unsigned bytes; labels
 * file = magic {@code 0x00000801}, count n, then n bytes. Files may be gzipped (detected by the gzip
 * magic bytes). Everything is held in memory as bytes (Fashion-MNIST train: 47 MB); pixel {@code p}
 * becomes {@code p/255f}. One channel.
 *
 * <p>Errors are {@link IOException}s naming the file and what is wrong: a wrong magic number, a header
 * whose counts disagree with the file's length, or image and label files of different counts.
 */
public final class IdxDataset implements ImageDataset {
    /** Magic number of an IDX file of unsigned-byte 3-d data (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an IDX file of unsigned-byte 1-d data (labels). */
    public static final int LABELS_MAGIC = 0x00000801;
    /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** The Fashion-MNIST class names (Xiao, Rasul, Vollgraf 2017), index = label. */
    public static final String[] FASHION_MNIST_CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

    private final byte[] pixels;
    private final byte[] labels;
    private final int n, rows, cols, numClasses;
    private final String[] classNames;

    private IdxDataset(byte[] pixels, byte[] labels, int n, int rows, int cols, String[] classNames) {
        this.pixels = pixels;
        this.labels = labels;
        this.n = n;
        this.rows = rows;
        this.cols = cols;
        int max = 0;
        for (byte b : labels) max = Math.max(max, b & 0xff);
        this.numClasses = classNames != null ? Math.max(classNames.length, max + 1) : max + 1;
        this.classNames = classNames;
    }

    /**
     * Loads an images file and a labels file.
     *
     * @throws IOException naming the file on a missing/unreadable file, wrong magic, a length that
     *                     disagrees with the header, or different counts
     */
    public static IdxDataset load(Path imagesFile, Path labelsFile) throws IOException {
        return load(imagesFile, labelsFile, null);
    }

    /** As {@link #load(Path, Path)}, with class names for {@link #className}. */
    public static IdxDataset load(Path imagesFile, Path labelsFile, String[] classNames) throws IOException {
        ByteBuffer img = ByteBuffer.wrap(readMaybeGzip(imagesFile));
        if (img.remaining() < 16) throw new IOException(imagesFile + ": too short for an IDX images header (" + img.remaining() + " bytes)");
        int magic = img.getInt();
        if (magic != IMAGES_MAGIC)
            throw new IOException(imagesFile + ": wrong magic number 0x" + Integer.toHexString(magic)
                    + " for an IDX images file (expected 0x00000803)");
        int n = img.getInt(), rows = img.getInt(), cols = img.getInt();
        if (n < 0 || rows < 1 || cols < 1)
            throw new IOException(imagesFile + ": bad header: count " + n + ", rows " + rows + ", cols " + cols);
        long expected = 16L + (long) n * rows * cols;
        if (img.capacity() != expected)
            throw new IOException(imagesFile + ": header says " + n + " images of " + rows + "x" + cols + " = " + expected
                    + " bytes but the file has " + img.capacity() + " bytes");
        ByteBuffer lab = ByteBuffer.wrap(readMaybeGzip(labelsFile));
        if (lab.remaining() < 8) throw new IOException(labelsFile + ": too short for an IDX labels header (" + lab.remaining() + " bytes)");
        int lmagic = lab.getInt();
        if (lmagic != LABELS_MAGIC)
            throw new IOException(labelsFile + ": wrong magic number 0x" + Integer.toHexString(lmagic)
                    + " for an IDX labels file (expected 0x00000801)");
        int ln = lab.getInt();
        if (ln < 0 || lab.capacity() != 8L + ln)
            throw new IOException(labelsFile + ": header says " + ln + " labels = " + (8L + ln) + " bytes but the file has "
                    + lab.capacity() + " bytes");
        if (ln != n)
            throw new IOException("image and label counts differ: " + imagesFile + " has " + n + " images, "
                    + labelsFile + " has " + ln + " labels");
        byte[] px = new byte[n * rows * cols];
        img.get(px);
        byte[] lb = new byte[n];
        lab.get(lb);
        return new IdxDataset(px, lb, n, rows, cols, classNames);
    }

    /**
     * Fashion-MNIST from a directory holding {@code train-images-idx3-ubyte(.gz)} etc.
     *
     * @param dir   e.g. {@link #FASHION_MNIST_DIR}
     * @param train true: the 60 000 training images, false: the 10 000 test images
     */
    public static IdxDataset fashionMnist(Path dir, boolean train) throws IOException {
        String p = train ? "train" : "t10k";
        return load(pick(dir, p + "-images-idx3-ubyte"), pick(dir, p + "-labels-idx1-ubyte"), FASHION_MNIST_CLASSES);
    }

    private static Path pick(Path dir, String base) throws IOException {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) return gz;
        Path raw = dir.resolve(base);
        if (Files.isRegularFile(raw)) return raw;
        throw new NoSuchFileException(gz + " (nor " + raw + ")");
    }

    private static byte[] readMaybeGzip(Path f) throws IOException {
        if (!Files.isRegularFile(f)) throw new NoSuchFileException(f.toString());
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(f))) {
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
                    in.transferTo(out);
                    return out.toByteArray();
                } catch (IOException e) {
                    throw new IOException(f + ": corrupt gzip data: " + e.getMessage(), e);
                }
            }
            return raw.readAllBytes();
        }
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public int channels() {
        return 1;
    }

    @Override
    public int height() {
        return rows;
    }

    @Override
    public int width() {
        return cols;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public String className(int c) {
        return classNames != null && c < classNames.length ? classNames[c] : Integer.toString(c);
    }

    @Override
    public int label(int i) {
        ImageDataset.checkIndex(i, n);
        return labels[i] & 0xff;
    }

    @Override
    public void imageInto(int i, float[] dst) {
        ImageDataset.checkIndex(i, n);
        int len = rows * cols, off = i * len;
        for (int k = 0; k < len; k++) dst[k] = (pixels[off + k] & 0xff) / 255f;
    }
}

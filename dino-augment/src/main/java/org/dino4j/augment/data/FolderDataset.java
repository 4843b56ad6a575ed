package org.dino4j.augment.data;

import org.datavec.api.io.labels.ParentPathLabelGenerator;
import org.datavec.api.split.FileSplit;
import org.datavec.image.recordreader.ImageRecordReader;
import org.dino4j.augment.transform.CropBox;
import org.dino4j.augment.transform.ViewOps;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Images in a folder tree, one subfolder per class ({@code root/<class>/<file>.png|jpg|jpeg}; by default the
 * classes are the subfolders holding an image, in sorted order of their names' bytes, label = rank; a caller can
 * impose a class list instead, e.g. the union of a train/ and a test/ folder, so both number their classes alike).
 * Every image is decoded with {@code javax.imageio}, converted to the requested channel count (grey = Rec. 601
 * luma; grey → RGB replicates) and resized bilinearly to {@code height × width}, then held in memory as bytes.
 *
 * <p>Corrupt input is never silently used: an unreadable file, one no decoder recognises, a decoding error, or a
 * decoder <em>warning</em> (a JPEG truncated inside its image data decodes with a warning and grey fill) is an
 * {@link IOException} naming the file and the reason; so is an image whose header declares more than
 * {@link Options#maxPixels()} pixels (checked before decoding, so a tiny file declaring 20000×20000 pixels cannot
 * exhaust the heap). With {@link Options#skipCorrupt()} such files are left out instead, counted in
 * {@link #skipped()} and named in {@link #skippedFiles()}. Files are opened through {@link Path} (the bytes of
 * their names), never through a {@code String}, so names with any characters load under any locale. An empty
 * root (no class folder with an image) throws an {@link IOException}. {@link #dataVecReader()} gives the same
 * folder as DataVec's own {@link ImageRecordReader} with a {@link ParentPathLabelGenerator}.
 */
public final class FolderDataset implements ImageDataset {
    /** File extensions read (lower case). */
    public static final String[] EXTENSIONS = {"png", "jpg", "jpeg"};
    /** Default {@link Options#maxPixels()}: 50 megapixels (a 50 MP photo decodes in ~0.8 GB of heap). */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
    /** Upper bound of {@link Options#maxPixels()}: 3 channels of floats must fit in one Java array. */
    public static final long MAX_PIXELS_LIMIT = (Integer.MAX_VALUE - 8) / 3;

    /**
     * How a folder is loaded.
     *
     * @param channels    1 (grayscale) or 3 (RGB)
     * @param height      output height (images are resized)
     * @param width       output width
     * @param skipCorrupt leave out (and count, and name) unreadable, corrupt or too large images instead of failing
     * @param maxPixels   largest width × height an image's header may declare (in [1, {@link #MAX_PIXELS_LIMIT}];
     *                    default {@link #DEFAULT_MAX_PIXELS})
     */
    public record Options(int channels, int height, int width, boolean skipCorrupt, long maxPixels) {
        /** Validates every field. */
        public Options {
            if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
            if (height < 1) throw new IllegalArgumentException("height must be >= 1, got " + height);
            if (width < 1) throw new IllegalArgumentException("width must be >= 1, got " + width);
            if (maxPixels < 1 || maxPixels > MAX_PIXELS_LIMIT) {
                throw new IllegalArgumentException("maxPixels must be in [1, " + MAX_PIXELS_LIMIT + "], got " + maxPixels);
            }
        }

        /** Failing on corrupt images, with the default pixel limit. */
        public static Options of(int channels, int height, int width) {
            return new Options(channels, height, width, false, DEFAULT_MAX_PIXELS);
        }
    }

    private final Path root;
    private final int channels, height, width;
    private final List<String> classes;
    private final byte[] pixels;
    private final int[] labels;
    private final List<Path> files;
    private final List<String> skippedFiles;

    private FolderDataset(Path root, int c, int h, int w, List<String> classes, byte[] px, int[] labels,
                          List<Path> files, List<String> skippedFiles) {
        this.root = root;
        this.channels = c;
        this.height = h;
        this.width = w;
        this.classes = classes;
        this.pixels = px;
        this.labels = labels;
        this.files = files;
        this.skippedFiles = skippedFiles;
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
        return load(root, new Options(channels, height, width, skipBad, DEFAULT_MAX_PIXELS), null);
    }

    /**
     * Loads the images of the given classes under {@code root}.
     *
     * @param root    folder with one subfolder per class
     * @param options channels, size, corrupt-file policy, pixel limit
     * @param classes class folder names (single-element paths, e.g. from {@link #classFolders}); label = index in
     *                this list, whether or not {@code root} has that folder; null = {@link #classFolders(Path)}
     * @throws IOException naming the file, or the root when it holds no image
     */
    public static FolderDataset load(Path root, Options options, List<Path> classes) throws IOException {
        if (!Files.isDirectory(root)) throw new IOException(root + ": not a directory");
        List<Path> classNames = classes == null ? classFolders(root) : List.copyOf(classes);
        int channels = options.channels(), height = options.height(), width = options.width();
        List<Path> files = new ArrayList<>();
        List<Integer> labelList = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int len = channels * height * width;
        java.io.ByteArrayOutputStream px = new java.io.ByteArrayOutputStream();
        float[] out = new float[len];
        byte[] bytes = new byte[len];
        for (int label = 0; label < classNames.size(); label++) {
            Path dir = root.resolve(classNames.get(label));
            if (!Files.isDirectory(dir)) continue;
            for (Path f : images(dir)) {
                try {
                    decode(f, channels, height, width, options.maxPixels(), out);
                } catch (IOException e) {
                    if (options.skipCorrupt()) {
                        skipped.add(e.getMessage());
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
                    + (skipped.isEmpty() ? "" : " (" + skipped.size() + " unreadable files skipped)"));
        int[] labels = labelList.stream().mapToInt(Integer::intValue).toArray();
        List<String> names = classNames.stream().map(Path::toString).toList();
        return new FolderDataset(root, channels, height, width, names, px.toByteArray(), labels,
                List.copyOf(files), List.copyOf(skipped));
    }

    /**
     * The class folders of {@code root}: its subfolders that hold at least one image file (by extension), as
     * single-element paths (their names' bytes kept), sorted.
     *
     * @throws IOException when {@code root} cannot be listed
     */
    public static List<Path> classFolders(Path root) throws IOException {
        if (!Files.isDirectory(root)) throw new IOException(root + ": not a directory");
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path d : s.filter(Files::isDirectory).sorted().toList()) {
                if (!images(d).isEmpty()) out.add(d.getFileName());
            }
        }
        return out;
    }

    /**
     * Whether the folder holds colour pictures: true when one of its first {@code maxFiles} images (class folders in
     * sorted order, a few from each; {@code root/train} when it exists) has a pixel whose red, green and blue differ. An
     * RGB file of grey pixels counts as grey. Unreadable files are passed over.
     *
     * @throws IOException when {@code root} cannot be listed
     */
    public static boolean holdsColour(Path root, int maxFiles) throws IOException {
        Path dir = Files.isDirectory(root.resolve("train")) ? root.resolve("train") : root;
        List<Path> classes = classFolders(dir);
        int perClass = Math.max(1, maxFiles / Math.max(1, classes.size()));
        for (Path c : classes) {
            List<Path> files = images(dir.resolve(c));
            for (Path f : files.subList(0, Math.min(perClass, files.size()))) {
                BufferedImage im;
                try {
                    im = read(f, DEFAULT_MAX_PIXELS);
                } catch (IOException e) {
                    continue;
                }
                if (im.getColorModel().getNumColorComponents() == 1) continue;
                for (int y = 0; y < im.getHeight(); y++) {
                    for (int x = 0; x < im.getWidth(); x++) {
                        int p = im.getRGB(x, y), r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
                        if (r != g || g != b) return true;
                    }
                }
            }
        }
        return false;
    }

    private static List<Path> images(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p) && hasImageExtension(p)).sorted().toList();
        }
    }

    private static boolean hasImageExtension(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String e : EXTENSIONS) if (n.endsWith("." + e)) return true;
        return false;
    }

    /** Decodes one file into {@code out [C,H,W]} in [0,1]; throws an IOException naming the file. */
    static void decode(Path f, int channels, int height, int width, float[] out) throws IOException {
        decode(f, channels, height, width, DEFAULT_MAX_PIXELS, out);
    }

    /**
     * Decodes one file into {@code out [C,H,W]} in [0,1], checking the header's size against {@code maxPixels}
     * first; a decoder warning is an error. Throws an IOException naming the file and the reason.
     */
    static void decode(Path f, int channels, int height, int width, long maxPixels, float[] out) throws IOException {
        try {
            convert(read(f, maxPixels), channels, height, width, out);
        } catch (OutOfMemoryError e) {
            throw new IOException(f + ": too large to decode in this JVM's heap (" + e.getMessage()
                    + "); lower --max-image-pixels to skip such files, or raise -Xmx", e);
        }
    }

    /**
     * The pixels this dataset holds for an encoded image (a file's bytes): decoded with {@code javax.imageio} under
     * the same rules as {@link #load} (a decoder warning is an error; a header declaring more than
     * {@link #DEFAULT_MAX_PIXELS} pixels is refused before decoding), converted to {@code channels}, resized
     * bilinearly to {@code height × width}, stored as 8 bits and read back, so {@code out [C,H,W]} equals what
     * {@link #imageInto} gives for the same file loaded by {@link #load}.
     *
     * @param content the encoded image (PNG, JPEG, or any format an installed ImageIO reader knows)
     * @param name    the image's name for error messages (e.g. its path)
     * @param out     receives {@code channels·height·width} values in [0, 1]
     * @throws IOException naming the image and the reason when it cannot be decoded
     */
    public static void pixels(byte[] content, String name, int channels, int height, int width, float[] out) throws IOException {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        if (height < 1 || width < 1) throw new IllegalArgumentException("height and width must be >= 1, got " + height + "x" + width);
        try {
            convert(decodeBytes(content, name, DEFAULT_MAX_PIXELS), channels, height, width, out);
        } catch (OutOfMemoryError e) {
            throw new IOException(name + ": too large to decode in this JVM's heap (" + e.getMessage() + ")", e);
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

    /** Reads and fully decodes one image (see the class comment for what counts as corrupt). */
    private static BufferedImage read(Path f, long maxPixels) throws IOException {
        byte[] data;
        try {
            data = Files.readAllBytes(f);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException(f + ": unreadable (permission denied)", e);
        } catch (IOException e) {
            throw new IOException(f + ": unreadable (" + e + ")", e);
        }
        return decodeBytes(data, f.toString(), maxPixels);
    }

    /** Fully decodes an encoded image named {@code f} in messages (see the class comment for what counts as corrupt). */
    private static BufferedImage decodeBytes(byte[] data, String f, long maxPixels) throws IOException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new IOException(f + ": unreadable or corrupt image (no decoder recognised it)");
            ImageReader r = readers.next();
            try {
                r.setInput(in, true, true);
                long w = r.getWidth(0), h = r.getHeight(0);
                if (w * h > maxPixels) {
                    throw new IOException(String.format(Locale.ROOT, "%s: its header declares %dx%d = %,d pixels, more than the "
                            + "limit of %,d pixels (--max-image-pixels)", f, w, h, w * h, maxPixels));
                }
                List<String> warnings = new ArrayList<>();
                r.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage im = r.read(0);
                if (!warnings.isEmpty()) {
                    throw new IOException(f + ": corrupt image (the decoder warned: " + String.join("; ", warnings) + ")");
                }
                if (im == null) throw new IOException(f + ": unreadable or corrupt image (no picture decoded)");
                return im;
            } catch (javax.imageio.IIOException | RuntimeException e) {
                throw new IOException(f + ": unreadable or corrupt image (" + e.getMessage() + ")", e);
            } catch (OutOfMemoryError e) {
                throw new IOException(f + ": too large to decode in this JVM's heap (" + e.getMessage()
                        + "); lower --max-image-pixels to skip such files, or raise -Xmx", e);
            } finally {
                r.dispose();
            }
        }
    }

    /** @return how many unreadable, corrupt or too large files were skipped (0 unless loaded with skipCorrupt). */
    public int skipped() {
        return skippedFiles.size();
    }

    /** @return one line per skipped file: the file and why ({@code "<file>: corrupt image (...)"}). */
    public List<String> skippedFiles() {
        return skippedFiles;
    }

    /** @return the folder the images were loaded from */
    public Path root() {
        return root;
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

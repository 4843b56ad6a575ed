package org.dino4j.augment.data;

import org.dino4j.augment.LocalRandom;
import org.dino4j.augment.Seeds;

import java.util.Random;

/**
 * The built-in dataset: procedurally drawn images of {@value #NUM_CLASSES} shape classes, generated on
 * demand from (seed, index) — nothing on disk, any size, deterministic. Image i has label
 * {@code i mod 10} (exact class balance) and is drawn with the values of {@code new Random(Seeds.derive(seed, 0x5EED, i))}
 * (taken from a {@link LocalRandom}, the same sequence without the locking).
 *
 * <p>Each image: a background of random base level plus a linear gradient in a random direction, a shape
 * of the image's class drawn anti-aliased (signed distance → coverage) with random centre, scale,
 * rotation, stroke width and intensity, then Gaussian pixel noise, clamped to [0, 1]. The class is the
 * shape's structure, which survives all of these changes, while raw pixels cluster poorly (raw-pixel k-NN
 * accuracy is recorded in docs/augment.md). RGB images draw a random foreground and background colour.
 *
 * <p>Classes: 0 ring, 1 plus, 2 triangle, 3 stripes, 4 checkerboard, 5 two dots, 6 spiral, 7 L-shape,
 * 8 hollow square, 9 T-shape.
 */
public final class SyntheticDataset implements ImageDataset {
    /** Number of classes. */
    public static final int NUM_CLASSES = 10;
    /** Class names, index = label. */
    public static final String[] CLASS_NAMES = {"ring", "plus", "triangle", "stripes", "checkerboard", "two-dots",
            "spiral", "L-shape", "hollow-square", "T-shape"};
    /** Smallest side accepted (smaller images cannot show the shapes). */
    public static final int MIN_SIDE = 8;
    private static final long STREAM = 0x5EEDL;

    private final int size, height, width, channels;
    private final long seed;

    /**
     * @param size     number of images, &ge; 1
     * @param height   image height, &ge; {@value #MIN_SIDE}
     * @param width    image width, &ge; {@value #MIN_SIDE}
     * @param channels 1 (grayscale) or 3 (RGB)
     * @param seed     dataset seed (use different seeds for train and test sets)
     */
    public SyntheticDataset(int size, int height, int width, int channels, long seed) {
        if (size < 1) throw new IllegalArgumentException("size must be >= 1, got " + size);
        if (height < MIN_SIDE) throw new IllegalArgumentException("height must be >= " + MIN_SIDE + ", got " + height);
        if (width < MIN_SIDE) throw new IllegalArgumentException("width must be >= " + MIN_SIDE + ", got " + width);
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        this.size = size;
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.seed = seed;
    }

    /** The default of the main job: {@code size} grayscale 28×28 images. */
    public static SyntheticDataset of28(int size, long seed) {
        return new SyntheticDataset(size, 28, 28, 1, seed);
    }

    @Override
    public int size() {
        return size;
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
        return NUM_CLASSES;
    }

    @Override
    public String className(int c) {
        return CLASS_NAMES[c];
    }

    @Override
    public int label(int i) {
        ImageDataset.checkIndex(i, size);
        return i % NUM_CLASSES;
    }

    @Override
    public void imageInto(int i, float[] dst) {
        ImageDataset.checkIndex(i, size);
        render(label(i), new LocalRandom(Seeds.derive(seed, STREAM, i)), channels, height, width, dst);
    }

    /**
     * Draws one image of class {@code label} into {@code dst [C, H, W]}.
     *
     * @param rng all random choices of this image
     */
    public static void render(int label, Random rng, int channels, int height, int width, float[] dst) {
        if (label < 0 || label >= NUM_CLASSES) throw new IllegalArgumentException("label must be in [0, 10), got " + label);
        // Geometry, in normalised coordinates: the image spans [-1, 1] along its shorter side.
        double side = Math.min(height, width);
        double pix = 2.0 / side;
        double scale = 0.45 + 0.4 * rng.nextDouble();
        double cx = (rng.nextDouble() * 2 - 1) * (1.0 - 0.8 * scale) * 0.9;
        double cy = (rng.nextDouble() * 2 - 1) * (1.0 - 0.8 * scale) * 0.9;
        double theta = rng.nextDouble() * 2 * Math.PI;
        double cos = Math.cos(theta), sin = Math.sin(theta);
        double stroke = Math.max(0.55 * pix, (0.07 + 0.06 * rng.nextDouble()));  // half-width, absolute units
        double period = 0.35 + 0.2 * rng.nextDouble();                               // texture period (local units)
        // Intensities.
        double fg = 0.55 + 0.45 * rng.nextDouble();
        double bg = 0.35 * rng.nextDouble();
        double gradAmp = 0.25 * rng.nextDouble(), gradDir = rng.nextDouble() * 2 * Math.PI;
        double gx = Math.cos(gradDir) * gradAmp, gy = Math.sin(gradDir) * gradAmp;
        double noise = 0.02 + 0.06 * rng.nextDouble();
        double[] fgC = new double[channels], bgC = new double[channels];
        for (int c = 0; c < channels; c++) {
            fgC[c] = channels == 1 ? fg : fg * (0.4 + 0.6 * rng.nextDouble());
            bgC[c] = channels == 1 ? bg : bg * (0.4 + 0.6 * rng.nextDouble());
        }
        int plane = height * width;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double px = ((x + 0.5) - width / 2.0) * pix, py = ((y + 0.5) - height / 2.0) * pix;
                double dx = px - cx, dy = py - cy;
                double qx = (cos * dx + sin * dy) / scale, qy = (-sin * dx + cos * dy) / scale;
                double cov = coverage(label, qx, qy, scale, stroke, period, pix);
                double g = 0.5 * (px * gx + py * gy);
                for (int c = 0; c < channels; c++) {
                    double b = bgC[c] + g;
                    double v = b + cov * (fgC[c] - b) + noise * rng.nextGaussian();
                    dst[c * plane + y * width + x] = (float) (v < 0 ? 0 : (v > 1 ? 1 : v));
                }
            }
        }
    }

    /** Anti-aliased coverage in [0,1] of the class shape at local point (qx, qy). */
    private static double coverage(int label, double qx, double qy, double scale, double stroke, double period, double pix) {
        double t = stroke / scale; // stroke half-width in local units
        double d; // signed distance in local units (negative inside)
        switch (label) {
            case 0 -> d = Math.abs(Math.hypot(qx, qy) - 0.75) - t;
            case 1 -> d = Math.min(seg(qx, qy, -0.9, 0, 0.9, 0), seg(qx, qy, 0, -0.9, 0, 0.9)) - t;
            case 2 -> d = triangle(qx, qy, 0.85);
            case 3 -> {
                double region = smooth(Math.hypot(qx, qy) - 0.9, scale, pix);
                double s = Math.cos(2 * Math.PI * qx / period);
                return region * clamp01(0.5 + 1.5 * s);
            }
            case 4 -> {
                double region = smooth(Math.max(Math.abs(qx), Math.abs(qy)) - 0.8, scale, pix);
                double s = Math.sin(Math.PI * qx / period) * Math.sin(Math.PI * qy / period);
                return region * clamp01(0.5 + 3.0 * s);
            }
            case 5 -> d = Math.min(Math.hypot(qx - 0.55, qy), Math.hypot(qx + 0.55, qy)) - 0.3;
            case 6 -> d = spiral(qx, qy) - t;
            case 7 -> d = Math.min(seg(qx, qy, -0.55, 0.85, -0.55, -0.75), seg(qx, qy, -0.55, -0.75, 0.75, -0.75)) - t;
            case 8 -> d = Math.abs(Math.max(Math.abs(qx), Math.abs(qy)) - 0.7) - t;
            default -> d = Math.min(seg(qx, qy, -0.8, 0.75, 0.8, 0.75), seg(qx, qy, 0, 0.75, 0, -0.9)) - t;
        }
        return smooth(d, scale, pix);
    }

    /** Coverage of a pixel whose centre is at signed local distance d (box filter of one pixel). */
    private static double smooth(double d, double scale, double pix) {
        return clamp01(0.5 - d * scale / pix);
    }

    private static double clamp01(double v) {
        return v < 0 ? 0 : (v > 1 ? 1 : v);
    }

    private static double seg(double px, double py, double ax, double ay, double bx, double by) {
        double vx = bx - ax, vy = by - ay, wx = px - ax, wy = py - ay;
        double h = clamp01((wx * vx + wy * vy) / (vx * vx + vy * vy));
        return Math.hypot(wx - h * vx, wy - h * vy);
    }

    /** Signed distance to an equilateral triangle of circumradius r centred at 0 (approximate outside). */
    static double triangle(double x, double y, double r) {
        double d = -Double.MAX_VALUE;
        for (int k = 0; k < 3; k++) d = Math.max(d, x * TRIANGLE_COS[k] + y * TRIANGLE_SIN[k] - r / 2);
        return d;
    }

    // The edges' outward normals, at angle π/2 + k·2π/3 + π/3, computed once instead of per pixel (the same values).
    private static final double[] TRIANGLE_COS = new double[3], TRIANGLE_SIN = new double[3];

    static {
        for (int k = 0; k < 3; k++) {
            double a = Math.PI / 2 + k * 2 * Math.PI / 3 + Math.PI / 3;
            TRIANGLE_COS[k] = Math.cos(a);
            TRIANGLE_SIN[k] = Math.sin(a);
        }
    }

    /** Distance to the Archimedean spiral ρ = 0.9·φ/(2.5·2π), φ ∈ [0, 2.5·2π]. */
    private static double spiral(double x, double y) {
        double turns = 2.5, a = 0.9 / (turns * 2 * Math.PI);
        double rho = Math.hypot(x, y), phi = Math.atan2(y, x);
        if (phi < 0) phi += 2 * Math.PI;
        double best = Double.MAX_VALUE;
        for (int k = 0; k <= (int) Math.ceil(turns); k++) {
            double p = phi + 2 * Math.PI * k;
            if (p > turns * 2 * Math.PI) break;
            best = Math.min(best, Math.abs(rho - a * p));
        }
        if (rho > 0.9) best = Math.min(best, Math.hypot(x - SPIRAL_END_X, y - SPIRAL_END_Y));
        return best;
    }

    // The spiral's outer end, at φ = 2.5·2π.
    private static final double SPIRAL_END_X = 0.9 * Math.cos(2.5 * 2 * Math.PI), SPIRAL_END_Y = 0.9 * Math.sin(2.5 * 2 * Math.PI);
}

package org.dino4j.core.pretrained;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/**
 * The image preprocessing of DINO's evaluation scripts ({@code eval_knn.py}, {@code eval_linear.py}:
 * {@code Resize(256, interpolation=BICUBIC)}, {@code CenterCrop(224)}, {@code ToTensor()},
 * {@code Normalize(ImageNet mean, std)}) and of {@code visualize_attention.py} ({@code Resize((h, w))}), on
 * {@link BufferedImage}s, without PIL.
 *
 * <p>The resize reproduces Pillow's {@code Image.resize(size, BICUBIC)} on 8-bit RGB: separable convolution with the
 * cubic kernel a = −0.5, support 2 stretched by the scale when downscaling (antialiasing), horizontal pass then
 * vertical, coefficients normalised per output pixel and rounded to 22-bit fixed point, each pass rounded and
 * clipped to 0–255 — so a PNG gives Pillow's bytes exactly (tested). {@code Resize(256)} scales the shorter side
 * to 256 and the longer to ⌊256·long/short⌋; {@code CenterCrop} starts at round((size − 224)/2) with Python's
 * round-half-to-even. Pixels are read as sRGB (grey images replicated, alpha dropped, as PIL's
 * {@code convert('RGB')}); JPEG decoders differ slightly between ImageIO and libjpeg, so JPEG inputs agree with
 * PIL only to about one grey level.
 */
public final class ImagePreprocessing {
    /** ImageNet channel means (RGB). */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    /** ImageNet channel standard deviations (RGB). */
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    /** Shorter side after the evaluation resize. */
    public static final int RESIZE = 256;
    /** Side of the evaluation center crop. */
    public static final int CROP = 224;

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private ImagePreprocessing() {
    }

    /**
     * An RGB image as three planes of bytes.
     *
     * @param width W
     * @param height H
     * @param planes {@code [3][H·W]} values 0–255, row-major
     */
    public record Rgb(int width, int height, int[][] planes) {
    }

    /**
     * The official evaluation input: resize the shorter side to 256 (bicubic), center-crop 224×224, scale to
     * [0, 1], normalise with the ImageNet mean/std.
     *
     * @param image any image ImageIO decoded
     * @return {@code [3·224·224]} channels-first floats
     */
    public static float[] evalTensor(BufferedImage image) {
        return evalTensor(rgb(image));
    }

    /**
     * {@link #evalTensor(BufferedImage)} of pixels already in bytes.
     *
     * @param rgb an image
     * @return {@code [3·224·224]} channels-first floats
     */
    public static float[] evalTensor(Rgb rgb) {
        int w = rgb.width();
        int h = rgb.height();
        int nw;
        int nh;
        if (w <= h) {
            nw = RESIZE;
            nh = (int) ((long) RESIZE * h / w);
        } else {
            nh = RESIZE;
            nw = (int) ((long) RESIZE * w / h);
        }
        Rgb r = resize(rgb, nw, nh);
        return normalise(centerCrop(r, CROP, CROP));
    }

    /**
     * Resize to exactly {@code width × height} (bicubic, as {@code Resize((h, w))}) and normalise with the ImageNet
     * mean/std (the attention visualisation's input).
     *
     * @param image any image
     * @param width W
     * @param height H
     * @return {@code [3·H·W]} channels-first floats
     */
    public static float[] resizedTensor(BufferedImage image, int width, int height) {
        return normalise(resize(rgb(image), width, height));
    }

    /**
     * @param image an image
     * @return its pixels as sRGB bytes (grey replicated, alpha dropped)
     */
    public static Rgb rgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[][] p = new int[3][w * h];
        Raster r = image.getRaster();
        boolean grey = r.getNumBands() == 1 && image.getColorModel().getNumComponents() == 1
                && image.getType() != BufferedImage.TYPE_BYTE_INDEXED && r.getSampleModel().getSampleSize(0) == 8;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                if (grey) {
                    // the stored grey value, as PIL; getRGB would apply a colour-space conversion
                    int v = r.getSample(x, y, 0);
                    p[0][i] = v;
                    p[1][i] = v;
                    p[2][i] = v;
                } else {
                    int argb = image.getRGB(x, y);
                    p[0][i] = (argb >>> 16) & 0xff;
                    p[1][i] = (argb >>> 8) & 0xff;
                    p[2][i] = argb & 0xff;
                }
            }
        }
        return new Rgb(w, h, p);
    }

    /**
     * Pillow's bicubic resize of 8-bit RGB (see the class comment).
     *
     * @param in image
     * @param width output width, &gt;= 1
     * @param height output height, &gt;= 1
     * @return the resized image
     */
    public static Rgb resize(Rgb in, int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("output size must be >= 1x1, got " + width + "x" + height);
        }
        Rgb cur = in;
        if (width != in.width()) {
            Coeffs c = coeffs(in.width(), width);
            int[][] out = new int[3][width * in.height()];
            for (int ch = 0; ch < 3; ch++) {
                int[] src = in.planes()[ch];
                for (int y = 0; y < in.height(); y++) {
                    for (int x = 0; x < width; x++) {
                        int acc = 1 << (PRECISION_BITS - 1);
                        int lo = c.bounds[2 * x];
                        for (int k = 0; k < c.bounds[2 * x + 1]; k++) {
                            acc += src[y * in.width() + lo + k] * c.k[x * c.size + k];
                        }
                        out[ch][y * width + x] = clip8(acc);
                    }
                }
            }
            cur = new Rgb(width, in.height(), out);
        }
        if (height != cur.height()) {
            Coeffs c = coeffs(cur.height(), height);
            int w = cur.width();
            int[][] out = new int[3][w * height];
            for (int ch = 0; ch < 3; ch++) {
                int[] src = cur.planes()[ch];
                for (int y = 0; y < height; y++) {
                    int lo = c.bounds[2 * y];
                    for (int x = 0; x < w; x++) {
                        int acc = 1 << (PRECISION_BITS - 1);
                        for (int k = 0; k < c.bounds[2 * y + 1]; k++) {
                            acc += src[(lo + k) * w + x] * c.k[y * c.size + k];
                        }
                        out[ch][y * w + x] = clip8(acc);
                    }
                }
            }
            cur = new Rgb(w, height, out);
        }
        return cur;
    }

    /**
     * torchvision's {@code CenterCrop}: top = round((H − h)/2), left = round((W − w)/2), half to even.
     *
     * @param in image at least w×h
     * @param w crop width
     * @param h crop height
     * @return the crop
     */
    public static Rgb centerCrop(Rgb in, int w, int h) {
        if (in.width() < w || in.height() < h) {
            throw new IllegalArgumentException("cannot crop " + w + "x" + h + " from " + in.width() + "x" + in.height());
        }
        int top = (int) Math.rint((in.height() - h) / 2.0);
        int left = (int) Math.rint((in.width() - w) / 2.0);
        int[][] out = new int[3][w * h];
        for (int ch = 0; ch < 3; ch++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(in.planes()[ch], (top + y) * in.width() + left, out[ch], y * w, w);
            }
        }
        return new Rgb(w, h, out);
    }

    /**
     * {@code ToTensor} + {@code Normalize(ImageNet)} in float32, as torchvision computes it: (v/255 − mean)/std.
     *
     * @param in image
     * @return {@code [3·H·W]}
     */
    public static float[] normalise(Rgb in) {
        int n = in.width() * in.height();
        float[] out = new float[3 * n];
        for (int ch = 0; ch < 3; ch++) {
            for (int i = 0; i < n; i++) {
                out[ch * n + i] = (in.planes()[ch][i] / 255f - IMAGENET_MEAN[ch]) / IMAGENET_STD[ch];
            }
        }
        return out;
    }

    /** Per-output-pixel source bounds (first, count) and fixed-point weights, as Pillow's precompute_coeffs. */
    private record Coeffs(int size, int[] bounds, int[] k) {
    }

    private static Coeffs coeffs(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(1.0, scale);
        double support = 2.0 * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[2 * outSize];
        int[] kk = new int[outSize * ksize];
        double[] w = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double ww = 0;
            for (int x = 0; x < xmax; x++) {
                w[x] = cubic((x + xmin - center + 0.5) * ss);
                ww += w[x];
            }
            for (int x = 0; x < xmax; x++) {
                double v = ww != 0 ? w[x] / ww : w[x];
                kk[xx * ksize + x] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
            }
            bounds[2 * xx] = xmin;
            bounds[2 * xx + 1] = xmax;
        }
        return new Coeffs(ksize, bounds, kk);
    }

    private static double cubic(double x) {
        final double a = -0.5;
        double ax = Math.abs(x);
        if (ax < 1) {
            return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
        }
        if (ax < 2) {
            return (((ax - 5) * ax + 8) * ax - 4) * a;
        }
        return 0;
    }

    private static int clip8(int v) {
        if (v >= (1 << PRECISION_BITS << 8)) {
            return 255;
        }
        if (v <= 0) {
            return 0;
        }
        return v >> PRECISION_BITS;
    }
}

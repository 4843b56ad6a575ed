package org.dino4j.augment.transform;

import java.util.Arrays;
import java.util.Random;

/**
 * The primitive view transforms of DINO's augmentation recipe (Caron et al. 2021, §3.1 and Appendix;
 * reference {@code main_dino.py: DataAugmentationDINO}, which builds on torchvision / PIL), working in
 * place on channels-first float images {@code float[C*H*W]} ('c' order, value range [0, 1] before
 * {@link #normalize}).
 *
 * <p>Every method that makes a random choice takes an explicit {@link Random}; none touches a global
 * generator. The methods allocate nothing: scratch space is passed in by the caller (see
 * {@link org.dino4j.augment.MultiCropTransform}, which keeps one scratch set per worker thread).
 */
public final class ViewOps {
    private ViewOps() {
    }

    /** Rec. 601 luma weights used by PIL's {@code convert("L")} and torchvision's {@code rgb_to_grayscale}. */
    public static final float LUMA_R = 0.299f, LUMA_G = 0.587f, LUMA_B = 0.114f;

    /**
     * Samples a RandomResizedCrop box as torchvision does: up to 10 tries of area fraction
     * {@code s ~ U(scaleMin, scaleMax)} and log-uniform aspect ratio {@code r} in
     * {@code [ratioMin, ratioMax]}; {@code w = round(sqrt(s*H*W*r))}, {@code h = round(sqrt(s*H*W/r))}; the
     * first box that fits is placed uniformly. If none fits, the fallback is the largest central crop whose
     * aspect ratio is within the range (torchvision's fallback).
     *
     * @param rng      seeded generator
     * @param srcH     source height
     * @param srcW     source width
     * @param scaleMin lower area fraction, in (0, 1]
     * @param scaleMax upper area fraction, in [scaleMin, 1]
     * @param ratioMin lower aspect ratio w/h (DINO: 3/4)
     * @param ratioMax upper aspect ratio w/h (DINO: 4/3)
     * @return the crop box
     */
    public static CropBox sampleCrop(Random rng, int srcH, int srcW, double scaleMin, double scaleMax,
                                     double ratioMin, double ratioMax) {
        double area = (double) srcH * srcW;
        double logLo = Math.log(ratioMin), logHi = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (scaleMin + (scaleMax - scaleMin) * rng.nextDouble());
            double ratio = Math.exp(logLo + (logHi - logLo) * rng.nextDouble());
            int w = (int) Math.round(Math.sqrt(target * ratio));
            int h = (int) Math.round(Math.sqrt(target / ratio));
            if (w > 0 && h > 0 && w <= srcW && h <= srcH) {
                int top = rng.nextInt(srcH - h + 1);
                int left = rng.nextInt(srcW - w + 1);
                return new CropBox(top, left, h, w);
            }
        }
        double inRatio = (double) srcW / srcH;
        int w, h;
        if (inRatio < ratioMin) {
            w = srcW;
            h = (int) Math.round(w / ratioMin);
        } else if (inRatio > ratioMax) {
            h = srcH;
            w = (int) Math.round(h * ratioMax);
        } else {
            w = srcW;
            h = srcH;
        }
        return new CropBox((srcH - h) / 2, (srcW - w) / 2, h, w);
    }

    /**
     * Bilinear resampling of a crop of {@code src [C, srcH, srcW]} to {@code dst [C, outH, outW]}, with
     * half-pixel centres (PyTorch {@code align_corners=false}); sample positions are clamped to the crop,
     * so no pixel outside the box is read. No anti-aliasing filter is applied when shrinking.
     */
    public static void resizeBilinear(float[] src, int channels, int srcH, int srcW, CropBox box,
                                      float[] dst, int outH, int outW) {
        double sy = (double) box.height() / outH, sx = (double) box.width() / outW;
        int planeIn = srcH * srcW, planeOut = outH * outW;
        for (int oy = 0; oy < outH; oy++) {
            double fy = (oy + 0.5) * sy - 0.5;
            if (fy < 0) fy = 0;
            if (fy > box.height() - 1) fy = box.height() - 1;
            int y0 = (int) fy;
            int y1 = Math.min(y0 + 1, box.height() - 1);
            float wy = (float) (fy - y0);
            int r0 = (box.top() + y0) * srcW + box.left(), r1 = (box.top() + y1) * srcW + box.left();
            for (int ox = 0; ox < outW; ox++) {
                double fx = (ox + 0.5) * sx - 0.5;
                if (fx < 0) fx = 0;
                if (fx > box.width() - 1) fx = box.width() - 1;
                int x0 = (int) fx;
                int x1 = Math.min(x0 + 1, box.width() - 1);
                float wx = (float) (fx - x0);
                blend(src, channels, planeIn, r0, r1, x0, x1, wx, wy, dst, planeOut, oy * outW + ox);
            }
        }
    }

    /**
     * {@link #resizeBilinear} of a crop box rotated by {@code degrees} about its centre: a random-rotation
     * augmentation (not in DINO's recipe). Output pixel {@code (oy, ox)} of {@code dst [C, outH, outW]} takes the
     * sample position of {@link #resizeBilinear} in the box's own frame, {@code u = (ox+0.5)·w/outW − 0.5},
     * {@code v = (oy+0.5)·h/outH − 0.5} clamped to {@code [0, w−1] × [0, h−1]}, rotates it by θ about the box
     * centre {@code ((w−1)/2, (h−1)/2)}:
     * <pre>
     *   u' = u + (cos θ − 1)·(u − cu) − sin θ·(v − cv)
     *   v' = v + sin θ·(u − cu) + (cos θ − 1)·(v − cv)
     * </pre>
     * and reads {@code src [C, srcH, srcW]} bilinearly at row {@code top + v'}, column {@code left + u'}; a
     * position outside the image takes the nearest edge pixel (coordinates clamped to the image). With y pointing
     * down, a positive θ turns the content counter-clockwise on screen (torchvision's sign); for a full-image box
     * on a square image θ = 90° gives {@code dst[y][x] = src[x][n−1−y]}.
     *
     * <p>θ = 0 gives exactly (bit for bit) {@link #resizeBilinear}'s output: the rotation is added as an offset
     * that is exactly 0 then. Multiples of 90° use exact sines and cosines. Allocates nothing.
     *
     * @param src      {@code float[C·srcH·srcW]}, not modified
     * @param channels C
     * @param srcH     source height
     * @param srcW     source width
     * @param box      the crop box (inside the image); its rotated corners may leave the image
     * @param degrees  rotation angle θ in degrees, finite
     * @param dst      {@code float[≥ C·outH·outW]}, written
     * @param outH     output height
     * @param outW     output width
     */
    public static void resizeBilinearRotated(float[] src, int channels, int srcH, int srcW, CropBox box,
                                             double degrees, float[] dst, int outH, int outW) {
        if (!Double.isFinite(degrees)) throw new IllegalArgumentException("degrees must be finite, got " + degrees);
        double sin, cosM1; // sin θ and cos θ − 1 (exact at multiples of 90°)
        double turns = degrees / 90.0;
        if (turns == Math.rint(turns)) {
            int q = (int) Math.floorMod((long) turns, 4L);
            sin = q == 1 ? 1 : q == 3 ? -1 : 0;
            cosM1 = q == 0 ? 0 : q == 2 ? -2 : -1;
        } else {
            double rad = Math.toRadians(degrees), half = Math.sin(rad / 2);
            sin = Math.sin(rad);
            cosM1 = -2 * half * half; // cos θ − 1 without cancellation
        }
        int bh = box.height(), bw = box.width();
        double sy = (double) bh / outH, sx = (double) bw / outW;
        double cu = (bw - 1) / 2.0, cv = (bh - 1) / 2.0;
        // the image in box-relative coordinates: columns [-left, srcW-1-left], rows [-top, srcH-1-top]
        double uMin = -box.left(), uMax = srcW - 1 - box.left(), vMin = -box.top(), vMax = srcH - 1 - box.top();
        int xLast = srcW - 1 - box.left(), yLast = srcH - 1 - box.top();
        int planeIn = srcH * srcW, planeOut = outH * outW;
        for (int oy = 0; oy < outH; oy++) {
            double v = (oy + 0.5) * sy - 0.5;
            if (v < 0) v = 0;
            if (v > bh - 1) v = bh - 1;
            double dv = v - cv;
            for (int ox = 0; ox < outW; ox++) {
                double u = (ox + 0.5) * sx - 0.5;
                if (u < 0) u = 0;
                if (u > bw - 1) u = bw - 1;
                double du = u - cu;
                double fx = u + (cosM1 * du - sin * dv), fy = v + (sin * du + cosM1 * dv);
                if (fx < uMin) fx = uMin;
                if (fx > uMax) fx = uMax;
                if (fy < vMin) fy = vMin;
                if (fy > vMax) fy = vMax;
                int x0 = (int) Math.floor(fx), y0 = (int) Math.floor(fy);
                int x1 = Math.min(x0 + 1, xLast), y1 = Math.min(y0 + 1, yLast);
                float wx = (float) (fx - x0), wy = (float) (fy - y0);
                int r0 = (box.top() + y0) * srcW + box.left(), r1 = (box.top() + y1) * srcW + box.left();
                blend(src, channels, planeIn, r0, r1, x0, x1, wx, wy, dst, planeOut, oy * outW + ox);
            }
        }
    }

    /**
     * Bilinear blend of the 2×2 neighbourhood at rows {@code r0, r1} (element offsets of the rows within a plane) and
     * columns {@code x0, x1}, weights {@code wx, wy}, of every channel plane of {@code src} into {@code dst[c·planeOut + at]}.
     */
    private static void blend(float[] src, int channels, int planeIn, int r0, int r1, int x0, int x1, float wx, float wy,
                              float[] dst, int planeOut, int at) {
        for (int c = 0; c < channels; c++) {
            int base = c * planeIn;
            float a = src[base + r0 + x0], b = src[base + r0 + x1];
            float d = src[base + r1 + x0], e = src[base + r1 + x1];
            float top = a + (b - a) * wx, bot = d + (e - d) * wx;
            dst[c * planeOut + at] = top + (bot - top) * wy;
        }
    }

    /** Mirrors {@code img [C, H, W]} left-right in place. */
    public static void flipHorizontal(float[] img, int channels, int h, int w) {
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                int row = (c * h + y) * w;
                for (int i = 0, j = w - 1; i < j; i++, j--) {
                    float t = img[row + i];
                    img[row + i] = img[row + j];
                    img[row + j] = t;
                }
            }
        }
    }

    /** Brightness: {@code x ← clamp(x·f, 0, 1)} (torchvision {@code adjust_brightness}). */
    public static void adjustBrightness(float[] img, int n, float factor) {
        for (int i = 0; i < n; i++) img[i] = clamp01(img[i] * factor);
    }

    /**
     * Contrast: {@code x ← clamp(f·x + (1−f)·m, 0, 1)} where m is the mean grey level of the whole image
     * (torchvision {@code adjust_contrast}).
     */
    public static void adjustContrast(float[] img, int channels, int plane, float factor) {
        double m = 0;
        if (channels == 3) {
            for (int i = 0; i < plane; i++) {
                m += LUMA_R * img[i] + LUMA_G * img[plane + i] + LUMA_B * img[2 * plane + i];
            }
            m /= plane;
        } else {
            int n = channels * plane;
            for (int i = 0; i < n; i++) m += img[i];
            m /= n;
        }
        float off = (float) ((1 - factor) * m);
        int n = channels * plane;
        for (int i = 0; i < n; i++) img[i] = clamp01(factor * img[i] + off);
    }

    /** Saturation (RGB only): blend each pixel with its grey value, {@code x ← clamp(f·x + (1−f)·g)}. */
    public static void adjustSaturation(float[] img, int plane, float factor) {
        for (int i = 0; i < plane; i++) {
            float r = img[i], g = img[plane + i], b = img[2 * plane + i];
            float gray = LUMA_R * r + LUMA_G * g + LUMA_B * b;
            float off = (1 - factor) * gray;
            img[i] = clamp01(factor * r + off);
            img[plane + i] = clamp01(factor * g + off);
            img[2 * plane + i] = clamp01(factor * b + off);
        }
    }

    /** Hue (RGB only): rotate the HSV hue by {@code shift} turns, shift in [−0.5, 0.5]. */
    public static void adjustHue(float[] img, int plane, float shift) {
        for (int i = 0; i < plane; i++) {
            float r = img[i], g = img[plane + i], b = img[2 * plane + i];
            float max = Math.max(r, Math.max(g, b)), min = Math.min(r, Math.min(g, b));
            float delta = max - min;
            if (delta <= 0f) continue; // grey pixel: hue undefined, unchanged
            float hue;
            if (max == r) hue = ((g - b) / delta) / 6f;
            else if (max == g) hue = ((b - r) / delta + 2f) / 6f;
            else hue = ((r - g) / delta + 4f) / 6f;
            hue += shift;
            hue -= (float) Math.floor(hue);
            float s = delta / max, v = max;
            float h6 = hue * 6f;
            int sector = (int) h6;
            if (sector == 6) sector = 0;
            float f = h6 - (int) h6;
            float p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
            switch (sector) {
                case 0 -> { r = v; g = t; b = p; }
                case 1 -> { r = q; g = v; b = p; }
                case 2 -> { r = p; g = v; b = t; }
                case 3 -> { r = p; g = q; b = v; }
                case 4 -> { r = t; g = p; b = v; }
                default -> { r = v; g = p; b = q; }
            }
            img[i] = r;
            img[plane + i] = g;
            img[2 * plane + i] = b;
        }
    }

    /**
     * torchvision {@code ColorJitter}: the four adjustments in a random order, each with a factor drawn
     * uniformly from {@code [max(0, 1−x), 1+x]} (hue: {@code [−hue, hue]}). Saturation and hue only act on
     * RGB images ({@code channels == 3}); for grayscale only brightness and contrast apply.
     */
    public static void colorJitter(float[] img, int channels, int plane, ColorJitterSpec spec, Random rng) {
        int[] order = {0, 1, 2, 3};
        for (int i = 3; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int op : order) {
            switch (op) {
                case 0 -> {
                    if (spec.brightness() > 0) adjustBrightness(img, channels * plane, factor(rng, spec.brightness()));
                }
                case 1 -> {
                    if (spec.contrast() > 0) adjustContrast(img, channels, plane, factor(rng, spec.contrast()));
                }
                case 2 -> {
                    if (channels == 3 && spec.saturation() > 0) adjustSaturation(img, plane, factor(rng, spec.saturation()));
                }
                default -> {
                    if (channels == 3 && spec.hue() > 0) {
                        adjustHue(img, plane, (float) (-spec.hue() + 2 * spec.hue() * rng.nextDouble()));
                    }
                }
            }
        }
    }

    private static float factor(Random rng, double x) {
        double lo = Math.max(0, 1 - x), hi = 1 + x;
        return (float) (lo + (hi - lo) * rng.nextDouble());
    }

    /** RGB to grey (Rec. 601 luma), written to all three channels (torchvision {@code RandomGrayscale}). */
    public static void toGrayscale(float[] img, int plane) {
        for (int i = 0; i < plane; i++) {
            float g = LUMA_R * img[i] + LUMA_G * img[plane + i] + LUMA_B * img[2 * plane + i];
            img[i] = g;
            img[plane + i] = g;
            img[2 * plane + i] = g;
        }
    }

    /**
     * The work arrays of {@link #gaussianBlur} for images of sides up to {@code maxSide} and σ up to
     * {@code maxSigma}: made once (per thread) and reused, so that a blur allocates nothing.
     */
    public static final class BlurScratch {
        private final int maxSide, maxRadius;
        private final float[] kernel, padded, sums;

        /**
         * @param maxSide  the largest image side (height or width) to blur, &ge; 1
         * @param maxSigma the largest σ in pixels, &gt; 0
         */
        public BlurScratch(int maxSide, double maxSigma) {
            if (maxSide < 1) throw new IllegalArgumentException("maxSide must be >= 1, got " + maxSide);
            if (!(maxSigma > 0 && Double.isFinite(maxSigma)))
                throw new IllegalArgumentException("maxSigma must be > 0 and finite, got " + maxSigma);
            this.maxSide = maxSide;
            this.maxRadius = (int) Math.ceil(3 * maxSigma);
            int paddedSide = maxSide + 2 * maxRadius;
            kernel = new float[2 * maxRadius + 1];
            padded = new float[maxSide * paddedSide];
            sums = new float[maxSide * paddedSide];
        }
    }

    /**
     * Separable Gaussian blur with standard deviation {@code sigma} pixels (DINO draws σ ~ U(0.1, 2) and
     * uses PIL's GaussianBlur(radius=σ)); kernel radius r = {@code ceil(3σ)}, border handled by reflection
     * (edge pixel not repeated), kernel normalised to sum 1. Each output is the float sum of its taps in kernel
     * order, {@code acc = 0; acc += kernel[k]·x[k]} for k = 0 … 2r (horizontal pass, then vertical).
     *
     * @param scratch work arrays made for at least {@code max(h, w)} and {@code sigma}
     * @throws IllegalArgumentException if the scratch was made for smaller images or a smaller σ
     */
    public static void gaussianBlur(float[] img, int channels, int h, int w, double sigma, BlurScratch scratch) {
        int radius = (int) Math.ceil(3 * sigma);
        if (Math.max(h, w) > scratch.maxSide || radius > scratch.maxRadius) {
            throw new IllegalArgumentException("the blur scratch holds sides up to " + scratch.maxSide + " and radius ceil(3*sigma) up to "
                    + scratch.maxRadius + ", got a " + h + "x" + w + " image and sigma " + sigma + " (radius " + radius + ")");
        }
        float[] kernel = scratch.kernel, padded = scratch.padded, sums = scratch.sums;
        double sum = 0;
        for (int k = -radius; k <= radius; k++) {
            double v = Math.exp(-(k * (double) k) / (2 * sigma * sigma));
            kernel[k + radius] = (float) v;
            sum += v;
        }
        for (int k = 0; k <= 2 * radius; k++) kernel[k] /= (float) sum;
        int taps = 2 * radius + 1, stride = w + 2 * radius, plane = h * w;
        // Each pass first copies the plane with its reflected borders (rows padded to w + 2r columns, then the rows
        // padded to h + 2r), so that tap k of every output is the padded array shifted by k (columns) or k rows: the
        // taps are then whole-plane loops a[i] += kernel[k]·b[i + shift] over two distinct arrays, which C2
        // vectorises, while every output still adds its taps in kernel order (the bits of a per-output loop).
        for (int c = 0; c < channels; c++) {
            int base = c * plane;
            for (int y = 0; y < h; y++) { // horizontal pass: img rows, bordered, → padded; sums[y·stride + x]
                for (int j = 0; j < stride; j++) padded[y * stride + j] = img[base + y * w + reflect(j - radius, w)];
            }
            int n = h * stride - 2 * radius; // the last row's border columns have no output
            Arrays.fill(sums, 0, n, 0f);
            for (int k = 0; k < taps; k++) {
                float kk = kernel[k];
                for (int i = 0; i < n; i++) sums[i] += kk * padded[i + k];
            }
            for (int t = 0; t < h + 2 * radius; t++) { // vertical pass: rows of sums, bordered, → padded; img
                System.arraycopy(sums, reflect(t - radius, h) * stride, padded, t * w, w);
            }
            Arrays.fill(img, base, base + plane, 0f);
            for (int k = 0; k < taps; k++) {
                float kk = kernel[k];
                int shift = k * w;
                for (int i = 0; i < plane; i++) img[base + i] += kk * padded[i + shift];
            }
        }
    }

    /** Reflects an index into [0, n) (…2 1 | 0 1 2 … n−1 | n−2 …); valid for any offset. */
    static int reflect(int i, int n) {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        i = Math.floorMod(i, period);
        return i < n ? i : period - i;
    }

    /** Solarization (PIL {@code ImageOps.solarize(img, 128)}): every value &ge; 0.5 becomes {@code 1 − x}. */
    public static void solarize(float[] img, int n) {
        for (int i = 0; i < n; i++) if (img[i] >= 0.5f) img[i] = 1f - img[i];
    }

    /** Per-channel normalisation {@code x ← (x − mean[c]) / std[c]}. */
    public static void normalize(float[] img, int channels, int plane, float[] mean, float[] std) {
        for (int c = 0; c < channels; c++) {
            float m = mean[c], inv = 1f / std[c];
            int base = c * plane;
            for (int i = 0; i < plane; i++) img[base + i] = (img[base + i] - m) * inv;
        }
    }

    private static float clamp01(float v) {
        return v < 0f ? 0f : (v > 1f ? 1f : v);
    }
}

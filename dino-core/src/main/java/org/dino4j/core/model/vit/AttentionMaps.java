package org.dino4j.core.model.vit;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.dino4j.core.model.DinoModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Self-attention maps of a ViT's last block, as in DINO's {@code visualize_attention.py} (Caron et al. 2021,
 * Fig. 1 and 3): for each head, the attention of the CLS query to every patch, shown over the image; optionally
 * only the patches holding a given share of the attention mass are kept.
 *
 * <p>Reading the attention: {@link #lastAttention} returns {@code [B, heads, T, T]} (row 0 = CLS query,
 * columns 1..T−1 = patches, row-major); {@link #clsToPatches} picks the CLS row, giving
 * {@code [heads][gh·gw]} per image. Rendering: {@link #render} draws the image (grey, or RGB for 3 channels)
 * and, for each head, the map upsampled to the image by nearest neighbour (pixel (y, x) → patch
 * (⌊y·gh/H⌋, ⌊x·gw/W⌋)), normalised by its maximum and blended as a heat colour; panels side by side.
 */
public final class AttentionMaps {
    private AttentionMaps() {
    }

    /**
     * The last block's attention probabilities of a ViT DinoModel on {@code images} (forward only).
     *
     * @param model a model whose backbone is a {@link VisionTransformer}
     * @param images {@code [B, C, H, W]}, same data type as the model
     * @return fresh 'c' array {@code [B, heads, T, T]}, T = 1 + ⌊H/p⌋·⌊W/p⌋
     */
    public static INDArray lastAttention(DinoModel model, INDArray images) {
        Objects.requireNonNull(model, "model");
        if (!(model.backbone() instanceof VisionTransformer)) {
            throw new IllegalArgumentException("model backbone must be a VisionTransformer to have attention maps, got "
                    + model.backbone().name());
        }
        // validates the images, feeds no-drop factors when the ViT has drop path, no array cache (docs/nd4j-pitfalls.md, "Array cache")
        return model.globalOutput(images, VisionTransformer.ATTENTION_LAST);
    }

    /**
     * CLS→patch attention of one image.
     *
     * @param attention {@code [B, heads, T, T]}
     * @param b image index
     * @return {@code [heads][T−1]}: row 0 of each head without the CLS column
     */
    public static float[][] clsToPatches(INDArray attention, int b) {
        if (attention == null || attention.rank() != 4 || attention.size(2) != attention.size(3)) {
            throw new IllegalArgumentException("attention must be [B, heads, T, T], got "
                    + (attention == null ? "null" : Arrays.toString(attention.shape())));
        }
        if (b < 0 || b >= attention.size(0)) {
            throw new IllegalArgumentException("b must be in [0, " + attention.size(0) + "), got " + b);
        }
        int heads = (int) attention.size(1), t = (int) attention.size(2);
        float[][] out = new float[heads][t - 1];
        for (int h = 0; h < heads; h++) {
            for (int j = 1; j < t; j++) {
                out[h][j - 1] = attention.getFloat(b, h, 0, j);
            }
        }
        return out;
    }

    /**
     * Mask keeping the patches that hold a share {@code threshold} of the attention mass, as the official
     * {@code visualize_attention.py}: sort the normalised attention ascending, take the cumulative sum, keep
     * the entries whose cumulative value is &gt; 1 − threshold. The kept mass is then &gt;= threshold, and dropping
     * the smallest kept entry would leave less than threshold.
     *
     * @param attention one head's map (non-negative, not all zero)
     * @param threshold share of the mass to keep, in (0, 1]
     * @return true where the patch is kept
     */
    public static boolean[] massMask(float[] attention, double threshold) {
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
        }
        double sum = 0;
        for (float v : attention) {
            if (!(v >= 0) || Float.isInfinite(v)) {
                throw new IllegalArgumentException("attention must be finite and >= 0, got " + v);
            }
            sum += v;
        }
        if (!(sum > 0)) {
            throw new IllegalArgumentException("attention must not be all zero");
        }
        Integer[] idx = new Integer[attention.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Float.compare(attention[a], attention[b]));
        boolean[] keep = new boolean[attention.length];
        double cum = 0;
        for (Integer i : idx) {
            cum += attention[i] / sum;
            keep[i] = cum > 1 - threshold;
        }
        return keep;
    }

    /**
     * Draws the image and one attention overlay per head, side by side.
     *
     * @param image {@code [C, H, W]} values in [0, 1] (values outside are clipped for display), C = 1 or 3
     * @param channels C
     * @param height H
     * @param width W
     * @param headAttention {@code [heads][gh·gw]} CLS→patch attention, row-major patches
     * @param gridH gh
     * @param gridW gw
     * @param threshold share of the attention mass to keep (patches outside are darkened), or {@code null}
     *        for the plain map
     * @param scale integer pixel magnification of the output, &gt;= 1
     * @return an RGB image {@code (1 + heads)·W·scale} wide and {@code H·scale} high
     */
    public static BufferedImage render(float[] image, int channels, int height, int width, float[][] headAttention,
                                       int gridH, int gridW, Double threshold, int scale) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("height and width must be >= 1, got " + height + "x" + width);
        }
        if (image == null || image.length != channels * height * width) {
            throw new IllegalArgumentException("image must have C*H*W = " + channels * height * width + " values, got "
                    + (image == null ? "null" : image.length));
        }
        if (gridH < 1 || gridW < 1) {
            throw new IllegalArgumentException("grid must be >= 1x1, got " + gridH + "x" + gridW);
        }
        if (headAttention == null || headAttention.length == 0) {
            throw new IllegalArgumentException("headAttention must have at least one head");
        }
        for (float[] a : headAttention) {
            if (a == null || a.length != gridH * gridW) {
                throw new IllegalArgumentException("each head's attention must have gridH*gridW = " + gridH * gridW
                        + " values, got " + (a == null ? "null" : a.length));
            }
        }
        if (scale < 1) {
            throw new IllegalArgumentException("scale must be >= 1, got " + scale);
        }
        int heads = headAttention.length;
        BufferedImage out = new BufferedImage((1 + heads) * width * scale, height * scale, BufferedImage.TYPE_INT_RGB);
        int hw = height * width;
        for (int panel = 0; panel <= heads; panel++) {
            float[] att = panel == 0 ? null : headAttention[panel - 1];
            boolean[] keep = att == null || threshold == null ? null : massMask(att, threshold);
            float max = 0;
            if (att != null) {
                for (float v : att) {
                    max = Math.max(max, v);
                }
            }
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double[] rgb = new double[3];
                    for (int k = 0; k < 3; k++) {
                        int ch = channels == 3 ? k : 0;
                        rgb[k] = Math.min(1, Math.max(0, image[ch * hw + y * width + x]));
                    }
                    if (att != null) {
                        int cell = (y * gridH / height) * gridW + (x * gridW / width);
                        double a = max > 0 ? att[cell] / max : 0;
                        double[] heat = heat(a);
                        for (int k = 0; k < 3; k++) {
                            rgb[k] = 0.5 * rgb[k] + 0.5 * heat[k];
                            if (keep != null && !keep[cell]) {
                                rgb[k] *= 0.25;
                            }
                        }
                    }
                    int px = ((int) Math.round(rgb[0] * 255) << 16) | ((int) Math.round(rgb[1] * 255) << 8)
                            | (int) Math.round(rgb[2] * 255);
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) {
                            out.setRGB((panel * width + x) * scale + dx, y * scale + dy, px);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Heat colour of a ∈ [0,1]: black → red → yellow → white. */
    static double[] heat(double a) {
        double r = Math.min(1, 3 * a);
        double g = Math.min(1, Math.max(0, 3 * a - 1));
        double b = Math.min(1, Math.max(0, 3 * a - 2));
        return new double[] {r, g, b};
    }

    /**
     * Writes an image as PNG, atomically (creating parent folders; a failed write leaves the old file).
     *
     * @param img image
     * @param file destination
     * @throws IOException when the file cannot be written
     */
    public static void writePng(BufferedImage img, Path file) throws IOException {
        org.dino4j.core.io.AtomicFiles.writePng(file, img);
    }
}

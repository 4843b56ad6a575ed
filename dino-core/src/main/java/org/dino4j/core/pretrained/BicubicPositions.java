package org.dino4j.core.pretrained;

/**
 * Position embeddings of an imported DINO ViT for any input size, exactly as the official
 * {@code VisionTransformer.interpolate_pos_encoding}: the stored embeddings are used unchanged when the input has
 * the stored number of patches and is square (H = W); otherwise the G×G grid of patch embeddings is resampled to
 * gh×gw = ⌊H/p⌋×⌊W/p⌋ by PyTorch's {@code F.interpolate(mode='bicubic', align_corners=False)} with scale factors
 * s = (g + 0.1)/G, which gives ⌊G·s⌋ = g output cells. The CLS embedding (row 0) is never resampled.
 *
 * <p>PyTorch's bicubic kernel (Keys' cubic convolution, A = −0.75), per axis: output cell i reads the source
 * coordinate x = (i + ½)/s − ½ (not clamped: cubic), i₀ = ⌊x⌋, t = x − i₀, and takes the four source cells
 * i₀−1 … i₀+2, clamped to [0, G−1], with weights w₀ = c₂(t+1), w₁ = c₁(t), w₂ = c₁(1−t), w₃ = c₂(2−t),
 * c₁(x) = ((A+2)x − (A+3))x² + 1, c₂(x) = ((Ax − 5A)x + 8A)x − 4A. The 2-D result is the Kronecker product of the
 * two axes' weights, a matrix {@code [gh·gw, G²]} applied to the {@code [G², D]} table. (Since the scale passed to
 * PyTorch is (g + 0.1)/G, not g/G, the sampling positions differ slightly from a plain resize to g cells;
 * dino4j's own training ViT uses bilinear weights instead, see {@code PositionInterpolation}.)
 */
public final class BicubicPositions {
    /** The cubic-convolution parameter PyTorch uses. */
    public static final double A = -0.75;

    private BicubicPositions() {
    }

    /**
     * Whether the official code leaves the stored embeddings unchanged for this input.
     *
     * @param height image height H (pixels)
     * @param width image width W (pixels)
     * @param patch patch size p
     * @param grid stored grid side G
     * @return true when ⌊H/p⌋·⌊W/p⌋ = G² and H = W
     */
    public static boolean unchanged(int height, int width, int patch, int grid) {
        return (long) (height / patch) * (width / patch) == (long) grid * grid && height == width;
    }

    /**
     * Weights of one axis.
     *
     * @param g output cells (⌊size/p⌋), &gt;= 1
     * @param grid stored cells G, &gt;= 1
     * @return {@code [g][G]} (rows sum to 1)
     */
    public static double[][] axisWeights(int g, int grid) {
        if (g < 1 || grid < 1) {
            throw new IllegalArgumentException("grid sizes must be >= 1, got " + g + " and " + grid);
        }
        // PyTorch works in float here: scale = 1/s with s = (g + 0.1)/G (float32), x = scale·(i + 0.5) − 0.5
        float scale = (float) (1.0 / ((g + 0.1) / Math.sqrt((double) grid * grid)));
        double[][] w = new double[g][grid];
        for (int i = 0; i < g; i++) {
            float x = scale * (i + 0.5f) - 0.5f;
            int i0 = (int) Math.floor(x);
            float t = x - i0;
            double[] c = {c2(t + 1.0), c1(t), c1(1.0 - t), c2(2.0 - t)};
            for (int k = 0; k < 4; k++) {
                int src = Math.min(grid - 1, Math.max(0, i0 - 1 + k));
                w[i][src] += c[k];
            }
        }
        return w;
    }

    /**
     * The 2-D matrix M = R_h ⊗ R_w.
     *
     * @param gh output rows
     * @param gw output columns
     * @param grid stored side G
     * @return {@code [gh·gw][G·G]}, M[i·gw + j][a·G + b] = R_h[i][a]·R_w[j][b]
     */
    public static double[][] matrix(int gh, int gw, int grid) {
        double[][] rh = axisWeights(gh, grid);
        double[][] rw = axisWeights(gw, grid);
        double[][] m = new double[gh * gw][grid * grid];
        for (int i = 0; i < gh; i++) {
            for (int j = 0; j < gw; j++) {
                double[] row = m[i * gw + j];
                for (int a = 0; a < grid; a++) {
                    if (rh[i][a] == 0) {
                        continue;
                    }
                    for (int b = 0; b < grid; b++) {
                        row[a * grid + b] = rh[i][a] * rw[j][b];
                    }
                }
            }
        }
        return m;
    }

    /**
     * The patch position embeddings for an input of H×W pixels.
     *
     * @param posEmbed the official {@code pos_embed} {@code [1 + G², D]} row-major (row 0 = CLS)
     * @param dim D
     * @param grid G
     * @param patch p
     * @param height H
     * @param width W
     * @return {@code [gh·gw, D]} row-major (row-major patch order), the CLS row excluded
     */
    public static float[] patchEmbeddings(float[] posEmbed, int dim, int grid, int patch, int height, int width) {
        int gh = height / patch;
        int gw = width / patch;
        int n = gh * gw;
        float[] out = new float[n * dim];
        if (unchanged(height, width, patch, grid)) {
            System.arraycopy(posEmbed, dim, out, 0, n * dim);
            return out;
        }
        double[][] m = matrix(gh, gw, grid);
        double[] acc = new double[dim];
        for (int r = 0; r < n; r++) {
            java.util.Arrays.fill(acc, 0);
            for (int s = 0; s < grid * grid; s++) {
                double w = m[r][s];
                if (w == 0) {
                    continue;
                }
                int base = (1 + s) * dim;
                for (int k = 0; k < dim; k++) {
                    acc[k] += w * posEmbed[base + k];
                }
            }
            for (int k = 0; k < dim; k++) {
                out[r * dim + k] = (float) acc[k];
            }
        }
        return out;
    }

    private static double c1(double x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    private static double c2(double x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }
}

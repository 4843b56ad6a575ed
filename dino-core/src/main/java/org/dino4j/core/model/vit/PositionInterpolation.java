package org.dino4j.core.model.vit;

/**
 * Bilinear resampling of position embeddings stored on a G×G patch grid to a crop's gh×gw grid
 * (the role of {@code interpolate_pos_encoding} in the official DINO {@code vision_transformer.py}, which uses
 * bicubic; bilinear is used here because its weights are non-negative and it reproduces linear ramps).
 *
 * <p>Sampling follows PyTorch's {@code align_corners=False}: output cell i of a g-cell axis looks at the source
 * coordinate s(i) = (i + ½)·G/g − ½, clamped to [0, G−1], and takes the weights
 * R[i][a] = max(0, 1 − |s(i) − a|) of the G source cells a. The 2-D matrix is the Kronecker product
 * M = R_h ⊗ R_w of shape {@code [gh·gw, G²]} (row-major token order), so the interpolated embeddings are the
 * matrix product pos_g = M · pos {@code [gh·gw, D]} — exact and differentiable. {@link VisionTransformer} builds
 * the same R inside the graph from the input's run-time size; this class is the plain-Java definition (used by
 * tests and documentation).
 */
public final class PositionInterpolation {
    private PositionInterpolation() {
    }

    /**
     * 1-D weights.
     *
     * @param g output cells, &gt;= 1
     * @param base source cells G, &gt;= 1
     * @return R {@code [g][G]}; every row sums to 1; the identity when g = G
     */
    public static double[][] axisWeights(int g, int base) {
        if (g < 1) {
            throw new IllegalArgumentException("g must be >= 1, got " + g);
        }
        if (base < 1) {
            throw new IllegalArgumentException("base must be >= 1, got " + base);
        }
        double[][] r = new double[g][base];
        for (int i = 0; i < g; i++) {
            double s = sourceCoordinate(i, g, base);
            for (int a = 0; a < base; a++) {
                r[i][a] = Math.max(0.0, 1.0 - Math.abs(s - a));
            }
        }
        return r;
    }

    /**
     * Source coordinate s(i) = clamp((i + ½)·G/g − ½, 0, G−1) of output cell i.
     *
     * @param i output cell
     * @param g output cells
     * @param base source cells G
     * @return s(i)
     */
    public static double sourceCoordinate(int i, int g, int base) {
        double s = (i + 0.5) * base / g - 0.5;
        return Math.min(base - 1.0, Math.max(0.0, s));
    }

    /**
     * 2-D interpolation matrix M = R_h ⊗ R_w.
     *
     * @param gh output rows
     * @param gw output columns
     * @param base stored grid side G
     * @return M {@code [gh·gw][G·G]}: M[i·gw + j][a·G + b] = R_h[i][a]·R_w[j][b]
     */
    public static double[][] matrix(int gh, int gw, int base) {
        double[][] rh = axisWeights(gh, base);
        double[][] rw = axisWeights(gw, base);
        double[][] m = new double[gh * gw][base * base];
        for (int i = 0; i < gh; i++) {
            for (int j = 0; j < gw; j++) {
                for (int a = 0; a < base; a++) {
                    for (int b = 0; b < base; b++) {
                        m[i * gw + j][a * base + b] = rh[i][a] * rw[j][b];
                    }
                }
            }
        }
        return m;
    }
}

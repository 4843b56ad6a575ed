package org.dino4j.core.loss;

/**
 * A fast {@code exp} for the softmax kernels (Tang's table-driven method, ACM TOMS 15(2), 1989):
 * {@code e^x = 2^m · 2^(j/64) · e^f} with {@code n = rint(x·64/ln2) = 64m + j} ({@code 0 ≤ j < 64}),
 * {@code f = x − n·ln2/64}, {@code |f| ≤ ln2/128}, {@code 2^(j/64)} from a 64-entry table and {@code e^f} by its
 * degree-4 Taylor polynomial (truncation error {@code (ln2/128)^5/5! ≈ 4e-14} relative). Measured relative error
 * vs {@link Math#exp}: below 1e-8 on {@code [-700, 709]} (tested). The table keeps the polynomial short (8
 * operations instead of the 16 of a degree-7 polynomial on {@code |f| ≤ ln2/2}), which is where the time goes.
 *
 * <p>Edge cases: {@code x < -700} → 0 (the kernels only call it on max-shifted arguments {@code ≤ 0}, where such
 * terms are below double precision relative to the max term 1); {@code x > 709} → +∞; NaN → NaN.
 */
final class FastExp {

    /** 64/ln 2. */
    private static final double K64 = 64 / 0.6931471805599453;
    /** ln 2 / 64. */
    private static final double LN2_64 = 0.6931471805599453 / 64;
    /** 2^(j/64), j = 0..63. */
    private static final double[] TWO_J64 = new double[64];

    static {
        for (int j = 0; j < 64; j++) {
            TWO_J64[j] = Math.pow(2, j / 64.0);
        }
    }

    private FastExp() {
    }

    /**
     * @param x the exponent
     * @return {@code e^x} with relative error below 1e-8 for {@code x ∈ [-700, 709]}
     */
    public static double exp(double x) {
        if (x < -700) {
            return 0.0;
        }
        if (x > 709) {
            return Double.POSITIVE_INFINITY;
        }
        double t = x * K64;
        double n = Math.rint(t);
        double f = (t - n) * LN2_64;
        long ni = (long) n;
        double p = 1 + f * (1 + f * (0.5 + f * (1.0 / 6 + f * (1.0 / 24))));
        return TWO_J64[(int) ni & 63] * p * Double.longBitsToDouble(((ni >> 6) + 1023) << 52);
    }
}

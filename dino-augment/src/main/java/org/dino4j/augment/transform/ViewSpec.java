package org.dino4j.augment.transform;

/**
 * The per-view part of DINO's recipe: output size, RandomResizedCrop area range and the per-view
 * blur / solarization probabilities (DINO: global view 1 blur 1.0; global view 2 blur 0.1 and solarize
 * 0.2; local views blur 0.5).
 *
 * @param size      output side in pixels (square views), &ge; 1
 * @param scaleMin  lower bound of the crop area as a fraction of the image area, in (0, 1]
 * @param scaleMax  upper bound, in [scaleMin, 1]
 * @param blurP     probability of Gaussian blur, in [0, 1]
 * @param solarizeP probability of solarization, in [0, 1]
 */
public record ViewSpec(int size, double scaleMin, double scaleMax, double blurP, double solarizeP) {
    /** Validates; a value outside its range throws {@link IllegalArgumentException} naming the field. */
    public ViewSpec {
        Checks.atLeast("size", size, 1);
        if (!(scaleMin > 0 && scaleMin <= 1)) throw new IllegalArgumentException("scaleMin must be in (0, 1], got " + scaleMin);
        if (!(scaleMax > 0 && scaleMax <= 1)) throw new IllegalArgumentException("scaleMax must be in (0, 1], got " + scaleMax);
        if (scaleMax < scaleMin) throw new IllegalArgumentException("scaleMax must be >= scaleMin (" + scaleMin + "), got " + scaleMax);
        Checks.probability("blurP", blurP);
        Checks.probability("solarizeP", solarizeP);
    }
}

package org.dino4j.augment.transform;

/**
 * Colour-jitter knobs (DINO: {@code RandomApply([ColorJitter(0.4, 0.4, 0.2, 0.1)], p=0.8)}).
 *
 * @param p          probability that jitter is applied to a view, in [0, 1] (DINO 0.8)
 * @param brightness brightness strength b &ge; 0: factor ~ U(max(0,1−b), 1+b) (DINO 0.4)
 * @param contrast   contrast strength &ge; 0, same form (DINO 0.4)
 * @param saturation saturation strength &ge; 0, RGB only (DINO 0.2)
 * @param hue        hue shift bound in [0, 0.5] turns, RGB only (DINO 0.1)
 */
public record ColorJitterSpec(double p, double brightness, double contrast, double saturation, double hue) {
    /** DINO's values: p 0.8, brightness 0.4, contrast 0.4, saturation 0.2, hue 0.1. */
    public static final ColorJitterSpec DINO = new ColorJitterSpec(0.8, 0.4, 0.4, 0.2, 0.1);

    /** Validates every knob; throws {@link IllegalArgumentException} naming the field. */
    public ColorJitterSpec {
        Checks.probability("jitter.p", p);
        Checks.nonNegativeFinite("jitter.brightness", brightness);
        Checks.nonNegativeFinite("jitter.contrast", contrast);
        Checks.nonNegativeFinite("jitter.saturation", saturation);
        if (!(hue >= 0 && hue <= 0.5)) throw new IllegalArgumentException("jitter.hue must be in [0, 0.5], got " + hue);
    }
}

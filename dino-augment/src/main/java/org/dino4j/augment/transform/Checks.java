package org.dino4j.augment.transform;

/** Argument checks shared by the augmentation records; every message names the field and the value. */
public final class Checks {
    private Checks() {
    }

    /** Requires {@code 0 <= v <= 1}. */
    public static void probability(String field, double v) {
        if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException(field + " must be in [0, 1], got " + v);
    }

    /** Requires a finite {@code v >= 0}. */
    public static void nonNegativeFinite(String field, double v) {
        if (!(v >= 0 && Double.isFinite(v))) throw new IllegalArgumentException(field + " must be finite and >= 0, got " + v);
    }

    /** Requires {@code v >= min}. */
    public static void atLeast(String field, long v, long min) {
        if (v < min) throw new IllegalArgumentException(field + " must be >= " + min + ", got " + v);
    }
}

package org.dino4j.train.config;

/** Validation helpers shared by the config records: each throws one {@link IllegalArgumentException} naming the field and the value. */
final class Checks {
    private Checks() {}

    static void positive(String field, double v) {
        if (!(v > 0) || !Double.isFinite(v)) throw new IllegalArgumentException(field + " must be > 0, got " + v);
    }

    static void positive(String field, long v) {
        if (v <= 0) throw new IllegalArgumentException(field + " must be > 0, got " + v);
    }

    static void nonNegative(String field, double v) {
        if (!(v >= 0) || !Double.isFinite(v)) throw new IllegalArgumentException(field + " must be >= 0, got " + v);
    }

    static void nonNegative(String field, long v) {
        if (v < 0) throw new IllegalArgumentException(field + " must be >= 0, got " + v);
    }

    /** {@code lo <= v <= hi}. */
    static void closed(String field, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) throw new IllegalArgumentException(field + " must be in [" + lo + ", " + hi + "], got " + v);
    }

    /** {@code lo <= v < hi}. */
    static void halfOpen(String field, double v, double lo, double hi) {
        if (!(v >= lo && v < hi)) throw new IllegalArgumentException(field + " must be in [" + lo + ", " + hi + "), got " + v);
    }

    static <T> T notNull(String field, T v) {
        if (v == null) throw new IllegalArgumentException(field + " must be set, got null");
        return v;
    }
}

package org.dino4j.augment;

/**
 * Derivation of independent seeds from (run seed, epoch, index) with the SplitMix64 finaliser, so that an
 * image's augmentation depends only on these three numbers, never on thread count or scheduling.
 */
public final class Seeds {
    private Seeds() {
    }

    /** SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mix. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** @return a well-mixed seed for (seed, epoch, index). */
    public static long derive(long seed, long epoch, long index) {
        long h = mix64(seed + 0x9e3779b97f4a7c15L);
        h = mix64(h ^ (epoch + 0x632be59bd9b4e019L));
        return mix64(h ^ (index * 0x9e3779b97f4a7c15L + 0x1b873593L));
    }

    /**
     * Shuffles {@code a} in place (Fisher–Yates from the last element down, one {@code rng.nextInt(i + 1)} per
     * element), so the order depends only on the generator's seed.
     */
    public static void shuffle(int[] a, java.util.random.RandomGenerator rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Index used to derive the shuffle seed of an epoch (no image has a negative index). */
    static final long SHUFFLE_INDEX = -1L;
}

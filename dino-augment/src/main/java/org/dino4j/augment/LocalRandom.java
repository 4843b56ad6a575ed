package org.dino4j.augment;

import java.util.Random;

/**
 * {@link java.util.Random}'s generator, bit for bit, for one thread: the same 48-bit linear congruential sequence
 * (Knuth, TAOCP vol. 2, §3.2.1) and the same derived draws ({@code nextDouble}, {@code nextInt(bound)},
 * {@code nextGaussian} by Marsaglia's polar method with {@code StrictMath}), so {@code new LocalRandom(s)} and
 * {@code new Random(s)} give identical values for every call sequence. What it leaves out is the thread safety:
 * {@code Random} updates its seed with a compare-and-set for every draw and takes a lock for every Gaussian, and the
 * synthetic generator draws a Gaussian per pixel. The loader draws each image's values with a generator of its own
 * ({@code new LocalRandom(Seeds.derive(seed, epoch, index))}), never shared between threads, so nothing is lost.
 *
 * <p>Not thread-safe: one instance per thread (or per image, as the loader does).
 */
public final class LocalRandom extends Random {
    private static final long MULTIPLIER = 0x5DEECE66DL, ADDEND = 0xBL, MASK = (1L << 48) - 1;

    // Set by setSeed, which Random's constructor calls: no initialisers here, they would run after it and reset them.
    private long state;
    private double nextNextGaussian;
    private boolean haveNextNextGaussian;

    /** The generator {@code new Random(seed)} would be. */
    public LocalRandom(long seed) {
        super(seed); // calls setSeed(seed) below
    }

    /** Restarts the sequence at {@code seed}, as {@link Random#setSeed} does. */
    @Override
    public void setSeed(long seed) {
        state = (seed ^ MULTIPLIER) & MASK;
        haveNextNextGaussian = false;
    }

    @Override
    protected int next(int bits) {
        state = (state * MULTIPLIER + ADDEND) & MASK;
        return (int) (state >>> (48 - bits));
    }

    @Override
    public double nextGaussian() {
        if (haveNextNextGaussian) {
            haveNextNextGaussian = false;
            return nextNextGaussian;
        }
        double v1, v2, s;
        do {
            v1 = 2 * nextDouble() - 1;
            v2 = 2 * nextDouble() - 1;
            s = v1 * v1 + v2 * v2;
        } while (s >= 1 || s == 0);
        double multiplier = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
        nextNextGaussian = v2 * multiplier;
        haveNextNextGaussian = true;
        return v1 * multiplier;
    }
}

package org.dino4j.train.monitor;

import java.util.Locale;
import java.util.Optional;

/**
 * The two collapse modes of DINO (Caron et al. 2021, §5.3 "Avoiding collapse", Fig. 7): a uniform teacher output
 * (entropy H(p_t) at ln K, the loss then sits at ln K too) and a single dominating prototype (the entropy of the
 * batch-mean teacher output H(p̄_t) near 0). Centering alone leads to the first, sharpening alone to the second.
 */
public final class CollapseMonitor {
    private final double lnK;
    private final double uniformFraction;
    private final double oneHotFraction;

    /**
     * @param k               number of prototypes K.
     * @param uniformFraction warn when H(p_t) ≥ this fraction of ln K (e.g. 0.98).
     * @param oneHotFraction  warn when H(p̄_t) ≤ this fraction of ln K (e.g. 0.02).
     */
    public CollapseMonitor(int k, double uniformFraction, double oneHotFraction) {
        if (k < 2) throw new IllegalArgumentException("k must be >= 2, got " + k);
        if (!(uniformFraction > 0 && uniformFraction <= 1)) throw new IllegalArgumentException("uniformFraction must be in (0, 1], got " + uniformFraction);
        if (!(oneHotFraction >= 0 && oneHotFraction < 1)) throw new IllegalArgumentException("oneHotFraction must be in [0, 1), got " + oneHotFraction);
        this.lnK = Math.log(k);
        this.uniformFraction = uniformFraction;
        this.oneHotFraction = oneHotFraction;
    }

    /** ln K. */
    public double lnK() {
        return lnK;
    }

    /**
     * A warning if the epoch's statistics look collapsed. For an epoch that ended {@code inWarmUp} (within the
     * learning-rate warm-up) a teacher near the uniform distribution is where every run starts (a random head,
     * centred), not a collapse, so only the one-prototype mode is reported then.
     *
     * @param loss                mean DINO loss (cross-entropy, nats).
     * @param teacherEntropy      mean H(p_t) over teacher rows (nats).
     * @param meanTeacherEntropy  H(p̄_t) of the mean teacher output (nats).
     * @param inWarmUp            whether the epoch ended within the learning-rate warm-up.
     */
    public Optional<String> check(double loss, double teacherEntropy, double meanTeacherEntropy, boolean inWarmUp) {
        if (!inWarmUp && (teacherEntropy >= uniformFraction * lnK || loss >= uniformFraction * lnK && teacherEntropy >= 0.5 * lnK)) {
            return Optional.of(String.format(Locale.ROOT,
                    "WARNING: possible collapse to the uniform distribution: teacher entropy %.3f, loss %.3f, ln K = %.3f "
                            + "(sharpening too weak: lower teacher.teacherTemp, or check the centering momentum)",
                    teacherEntropy, loss, lnK));
        }
        if (meanTeacherEntropy <= oneHotFraction * lnK) {
            return Optional.of(String.format(Locale.ROOT,
                    "WARNING: possible collapse to one prototype: entropy of the mean teacher output %.3f (ln K = %.3f) "
                            + "(centering too weak: check teacher.centerMomentum, raise teacher.teacherTemp)",
                    meanTeacherEntropy, lnK));
        }
        return Optional.empty();
    }
}

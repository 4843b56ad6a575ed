package org.dino4j.train.schedule;

import org.dino4j.core.optim.Schedules;

import org.dino4j.train.config.DinoConfig;

/**
 * All per-iteration schedules of a run (indexed by the global iteration {@code epoch · itersPerEpoch + i}), as in
 * main_dino.py, from dino-core's {@link Schedules}:
 * <ul>
 *   <li>{@code lr}: linear warm-up 0 → {@code optim.lr · batch / 256} over {@code optim.warmupEpochs} (a fraction is
 *       allowed: its iterations are rounded), then cosine to {@code optim.minLr};</li>
 *   <li>{@code wd}: cosine {@code optim.weightDecay} → {@code optim.weightDecayEnd} (0.04 → 0.4);</li>
 *   <li>{@code momentum}: cosine {@code teacher.momentumTeacher} → 1 (0.996 → 1);</li>
 *   <li>{@code teacherTemp}: linear warm-up per epoch {@code warmupTeacherTemp} → {@code teacherTemp}, then constant.</li>
 * </ul>
 *
 * @param lr            learning rate per iteration.
 * @param wd            weight decay per iteration.
 * @param momentum      teacher EMA momentum λ per iteration.
 * @param teacherTemp   τ_t per iteration.
 * @param itersPerEpoch iterations per epoch (every array's length is a multiple of it).
 */
public record TrainingSchedules(double[] lr, double[] wd, double[] momentum, double[] teacherTemp, int itersPerEpoch) {

    /** Checks that every array has the same whole number of epochs. */
    public TrainingSchedules {
        if (itersPerEpoch <= 0) throw new IllegalArgumentException("itersPerEpoch must be > 0, got " + itersPerEpoch);
        if (lr == null || lr.length == 0 || lr.length % itersPerEpoch != 0) {
            throw new IllegalArgumentException("lr schedule must have a positive multiple of itersPerEpoch = " + itersPerEpoch
                    + " entries, got " + (lr == null ? "null" : lr.length));
        }
        check("wd", wd, lr.length);
        check("momentum", momentum, lr.length);
        check("teacherTemp", teacherTemp, lr.length);
    }

    private static void check(String name, double[] a, long n) {
        if (a == null || a.length != n) {
            throw new IllegalArgumentException(name + " schedule must have " + n + " entries (as lr), got "
                    + (a == null ? "null" : a.length));
        }
    }

    /** The schedules of a config for {@code itersPerEpoch} iterations per epoch. */
    public static TrainingSchedules of(DinoConfig c, int itersPerEpoch) {
        int ep = c.run().epochs();
        if (itersPerEpoch <= 0) throw new IllegalArgumentException("itersPerEpoch must be > 0, got " + itersPerEpoch);
        int total = Math.multiplyExact(ep, itersPerEpoch);
        return new TrainingSchedules(
                Schedules.cosine(c.peakLr(), c.optim().minLr(), total, warmupIters(c.optim().warmupEpochs(), itersPerEpoch)),
                Schedules.cosine(c.optim().weightDecay(), c.optim().weightDecayEnd(), total, 0),
                Schedules.cosine(c.teacher().momentumTeacher(), 1.0, total, 0),
                Schedules.teacherTemperature(c.teacher().warmupTeacherTemp(), c.teacher().teacherTemp(),
                        c.teacher().warmupTeacherTempEpochs(), ep, itersPerEpoch),
                itersPerEpoch);
    }

    /**
     * Warm-up iterations of {@code warmupEpochs} epochs: {@code round(warmupEpochs · itersPerEpoch)} (a fraction of an
     * epoch is allowed, e.g. 0.1 for a run of one long epoch).
     *
     * @param warmupEpochs  {@code optim.warmupEpochs}
     * @param itersPerEpoch iterations per epoch
     * @return the learning rate's warm-up iterations
     */
    public static int warmupIters(double warmupEpochs, int itersPerEpoch) {
        return Math.toIntExact(Math.round(warmupEpochs * itersPerEpoch));
    }

    /** Number of epochs. */
    public int epochs() {
        return lr.length / itersPerEpoch;
    }

    /** Total number of iterations. */
    public int totalIters() {
        return lr.length;
    }
}

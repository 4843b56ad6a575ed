package org.dino4j.train.schedule;

import org.dino4j.train.config.DinoConfig;

/**
 * All per-iteration schedules of a run (indexed by the global iteration {@code epoch · itersPerEpoch + i}),
 * as in main_dino.py:
 * <ul>
 *   <li>{@code lr}: linear warm-up 0 → {@code optim.lr · batch / 256} over {@code optim.warmupEpochs}, then cosine to
 *       {@code optim.minLr};</li>
 *   <li>{@code wd}: cosine {@code optim.weightDecay} → {@code optim.weightDecayEnd} (0.04 → 0.4);</li>
 *   <li>{@code momentum}: cosine {@code teacher.momentumTeacher} → 1 (0.996 → 1);</li>
 *   <li>{@code teacherTemp}: linear warm-up per epoch {@code warmupTeacherTemp} → {@code teacherTemp}, then constant.</li>
 * </ul>
 *
 * @param lr            learning rate per iteration.
 * @param wd            weight decay per iteration.
 * @param momentum      teacher EMA momentum λ per iteration.
 * @param teacherTemp   τ_t per iteration.
 * @param epochs        number of epochs.
 * @param itersPerEpoch iterations per epoch (all arrays have length {@code epochs · itersPerEpoch}).
 */
public record TrainingSchedules(double[] lr, double[] wd, double[] momentum, double[] teacherTemp, int epochs,
                                int itersPerEpoch) {

    /** Checks that every array has {@code epochs · itersPerEpoch} entries. */
    public TrainingSchedules {
        if (epochs <= 0) throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
        if (itersPerEpoch <= 0) throw new IllegalArgumentException("itersPerEpoch must be > 0, got " + itersPerEpoch);
        long n = (long) epochs * itersPerEpoch;
        check("lr", lr, n);
        check("wd", wd, n);
        check("momentum", momentum, n);
        check("teacherTemp", teacherTemp, n);
    }

    private static void check(String name, double[] a, long n) {
        if (a == null || a.length != n) {
            throw new IllegalArgumentException(name + " schedule must have epochs·itersPerEpoch = " + n + " entries, got "
                    + (a == null ? "null" : a.length));
        }
    }

    /** The schedules of a config for {@code itersPerEpoch} iterations per epoch. */
    public static TrainingSchedules of(DinoConfig c, int itersPerEpoch) {
        int ep = c.run().epochs();
        return new TrainingSchedules(
                Schedules.cosine(c.peakLr(), c.optim().minLr(), ep, itersPerEpoch, c.optim().warmupEpochs(), 0),
                Schedules.cosine(c.optim().weightDecay(), c.optim().weightDecayEnd(), ep, itersPerEpoch, 0, 0),
                Schedules.cosine(c.teacher().momentumTeacher(), 1.0, ep, itersPerEpoch, 0, 0),
                Schedules.linearWarmupPerEpoch(c.teacher().warmupTeacherTemp(), c.teacher().teacherTemp(),
                        c.teacher().warmupTeacherTempEpochs(), ep, itersPerEpoch),
                ep, itersPerEpoch);
    }

    /** Total number of iterations. */
    public int totalIters() {
        return epochs * itersPerEpoch;
    }
}

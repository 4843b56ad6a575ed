package org.dino4j.train.run;

import java.io.PrintStream;
import java.util.Locale;

/** Thread counts asked for by the user, checked against the machine. */
public final class Threads {
    private Threads() {}

    /**
     * The thread count to use: {@code requested}, or the machine's core count with a notice on {@code err} when
     * more were asked for (more threads than cores only slow ND4J and the kernels down).
     *
     * @param requested the count asked for (≥ 1)
     * @param name      its option or key, for the messages (e.g. {@code --threads})
     * @param err       where the notice goes
     * @throws IllegalArgumentException when {@code requested < 1}
     */
    public static int clamp(int requested, String name, PrintStream err) {
        if (requested < 1) throw new IllegalArgumentException(name + " must be >= 1, got " + requested);
        int cores = Runtime.getRuntime().availableProcessors();
        if (requested <= cores) return requested;
        err.printf(Locale.ROOT, "dino: note: %s %d is more than the %d cores of this machine; using %d%n", name, requested, cores, cores);
        return cores;
    }
}

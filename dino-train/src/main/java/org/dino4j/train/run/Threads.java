package org.dino4j.train.run;

import java.io.PrintStream;
import java.util.Locale;

/** Thread counts asked for by the user, checked against the machine. */
public final class Threads {
    private Threads() {}

    /**
     * The thread count to use: {@code requested}; the machine's core count for 0 (= all cores), or with a notice on
     * {@code err} when more were asked for (more threads than cores only slow ND4J and the kernels down).
     *
     * @param requested the count asked for (≥ 0; 0 = all available processors)
     * @param name      its option or key, for the messages (e.g. {@code --threads})
     * @param err       where the notice goes
     * @throws IllegalArgumentException when {@code requested < 0}
     */
    public static int clamp(int requested, String name, PrintStream err) {
        if (requested < 0) throw new IllegalArgumentException(name + " must be >= 0 (0 = all cores), got " + requested);
        int cores = Runtime.getRuntime().availableProcessors();
        if (requested == 0) return cores;
        if (requested <= cores) return requested;
        err.printf(Locale.ROOT, "dino: note: %s %d is more than the %d cores of this machine; using %d%n", name, requested, cores, cores);
        return cores;
    }
}

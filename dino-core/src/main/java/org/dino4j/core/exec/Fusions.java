package org.dino4j.core.exec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@link FusedOp} regions declared while one SameDiff graph was built. A backbone adds a region after it has
 * defined the region's ops; {@link #NONE} ignores declarations (graphs that are only run by SameDiff's session).
 */
public final class Fusions {
    /** Ignores every declaration. */
    public static final Fusions NONE = new Fusions(false);

    private final boolean collect;
    private final List<FusedOp> ops = new ArrayList<>();

    private Fusions(boolean collect) {
        this.collect = collect;
    }

    /** @return an empty collector */
    public static Fusions collector() {
        return new Fusions(true);
    }

    /**
     * Declares a region of the graph being built.
     *
     * @param op the region
     */
    public void add(FusedOp op) {
        if (collect) {
            ops.add(op);
        }
    }

    /** @return the declared regions, in declaration order */
    public List<FusedOp> all() {
        return Collections.unmodifiableList(ops);
    }
}

package org.dino4j.core.exec;

import java.lang.reflect.Field;
import java.util.Set;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.SessionMemMgr;
import org.nd4j.autodiff.samediff.internal.memory.NoOpMemoryMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Memory of SameDiff's own sessions (the reference execution, and the one execution each {@link ExecutionPlan} is
 * recorded from): makes the calling thread's sessions of a graph use this project's memory manager instead of
 * SameDiff's array cache, which in ND4J 1.0.0-M2.1 can hand back arrays labelled 'f' whose memory is 'c' and give
 * silently wrong numbers (docs/nd4j-pitfalls.md).
 *
 * <p>Modes, chosen per model ({@code DinoModel.plans().setSessionMemory}): {@link Mode#RELEASE} ({@link ReleasingMemoryMgr}:
 * intermediates freed at their last use, the rest after a gradient execution) pays when tcmalloc is preloaded, which
 * keeps freed blocks mapped; {@link Mode#GC} ({@code NoOpMemoryMgr}) leaves everything to the Java GC;
 * {@link Mode#AUTO} (the default) is RELEASE with tcmalloc, else GC. The {@code dino} command's
 * {@code -Ddino4j.samediff.memory=release|gc|auto} sets it for the models it builds.
 */
public final class SessionMemory {

    /** How sessions free their arrays. */
    public enum Mode {
        /** {@link #RELEASE} when tcmalloc is preloaded ({@link ReleasingMemoryMgr#tcmallocPreloaded()}), else {@link #GC}. */
        AUTO,
        /** Freed at their last use ({@link ReleasingMemoryMgr}). */
        RELEASE,
        /** Left to the Java GC ({@code NoOpMemoryMgr}). */
        GC;

        /** @return {@link #RELEASE} or {@link #GC}: this mode, with {@link #AUTO} resolved for this process */
        public Mode resolved() {
            if (this != AUTO) {
                return this;
            }
            return ReleasingMemoryMgr.tcmallocPreloaded() ? RELEASE : GC;
        }
    }

    /** ND4J 1.0.0-M2.1's {@code InferenceSession.freedArrays}, or null where this ND4J has no such field. */
    private static final Field FREED_ARRAYS = freedArraysField();

    private SessionMemory() {
    }

    /**
     * Installs the memory manager in the calling thread's sessions of {@code g} and of its gradient function, and
     * forgets the ids of arrays released by earlier executions (see {@link #forgetFreedIds}).
     *
     * @param g    a graph about to be executed on this thread
     * @param mode how that execution frees its arrays
     */
    public static void install(SameDiff g, Mode mode) {
        Mode m = mode.resolved();
        installOne(g, m);
        SameDiff grad = g.getFunction("grad");
        if (grad != null) {
            installOne(grad, m);
        }
    }

    private static void installOne(SameDiff g, Mode mode) {
        long id = Thread.currentThread().getId();
        InferenceSession s = g.getSessions().get(id);
        if (s == null) {
            s = new InferenceSession(g);
            g.getSessions().put(id, s);
        }
        forgetFreedIds(s);
        if (mode == Mode.GC) {
            if (!(s.getMmgr() instanceof NoOpMemoryMgr)) {
                s.setMmgr(new NoOpMemoryMgr());
            }
            return;
        }
        if (s.getMmgr() instanceof ReleasingMemoryMgr r) {
            r.beginExecution();
        } else {
            s.setMmgr(new ReleasingMemoryMgr());
        }
    }

    private static Field freedArraysField() {
        try {
            Field f = InferenceSession.class.getDeclaredField("freedArrays");
            f.setAccessible(true);
            return Set.class.isAssignableFrom(f.getType()) ? f : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Empties the session's set of released array ids. ND4J 1.0.0-M2.1's {@code InferenceSession} adds the id of every
     * array it releases to a {@code LinkedHashSet<Long>} it never clears (~200 ids per training step), and every full
     * GC walks it: over a long run the GC thread took most of a core. The set only guards against releasing one array
     * twice within an execution; ids are never reused, and this project's managers release only arrays they
     * allocated, so forgetting earlier executions' ids is safe.
     */
    static void forgetFreedIds(InferenceSession s) {
        if (FREED_ARRAYS == null) {
            return;
        }
        try {
            if (FREED_ARRAYS.get(s) instanceof Set<?> ids) {
                ids.clear();
            }
        } catch (IllegalAccessException e) {
            // not reachable after setAccessible; leave the set alone
        }
    }

    /**
     * After a gradient execution whose outputs were consumed: frees what the calling thread's sessions of {@code g}
     * and of its gradient function allocated and did not release, except {@code keep} (RELEASE mode only).
     *
     * @param g the executed graph
     * @param keep arrays the caller still needs
     */
    public static void releaseExecution(SameDiff g, INDArray... keep) {
        long id = Thread.currentThread().getId();
        for (SameDiff f : new SameDiff[] {g, g.getFunction("grad")}) {
            InferenceSession s = f == null ? null : f.getSessions().get(id);
            if (s != null && s.getMmgr() instanceof ReleasingMemoryMgr r) {
                r.releaseAll(keep);
            }
        }
    }

    /**
     * @param g a graph
     * @param gradientFunction whether to look at its gradient function's session
     * @return the calling thread's session memory manager, or null if that session does not exist yet
     */
    public static SessionMemMgr manager(SameDiff g, boolean gradientFunction) {
        InferenceSession s = session(g, gradientFunction);
        return s == null ? null : s.getMmgr();
    }

    /**
     * @param g a graph
     * @param gradientFunction whether to look at its gradient function's session
     * @return how many released array ids that session holds (-1: unknown)
     */
    public static int freedIdsHeld(SameDiff g, boolean gradientFunction) {
        InferenceSession s = session(g, gradientFunction);
        if (s == null || FREED_ARRAYS == null) {
            return -1;
        }
        try {
            return ((Set<?>) FREED_ARRAYS.get(s)).size();
        } catch (IllegalAccessException e) {
            return -1;
        }
    }

    private static InferenceSession session(SameDiff g, boolean gradientFunction) {
        SameDiff f = gradientFunction ? g.getFunction("grad") : g;
        return f == null ? null : f.getSessions().get(Thread.currentThread().getId());
    }
}

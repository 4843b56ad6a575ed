package org.dino4j.core.exec;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A SameDiff session memory manager that allocates every op output fresh (like {@code NoOpMemoryMgr}) and frees
 * it as soon as the session says it is no longer needed (unlike {@code NoOpMemoryMgr}, which leaves every
 * intermediate array to the Java GC).
 *
 * <p><b>Why.</b> With {@code NoOpMemoryMgr} the off-heap memory of a training step's hundreds of intermediate
 * arrays is only returned when the GC happens to run, so the process keeps asking the OS for fresh pages: a CPU
 * profile of the reference training step (docs/performance.md) had about 40 % of all samples in
 * page faults and the kernel zeroing new pages. Freeing an array at its last use lets the C allocator hand the
 * same, already-mapped memory to the next op.
 *
 * <p><b>Why not SameDiff's default {@code ArrayCacheMemoryMgr}.</b> It reuses released arrays for later outputs
 * and was seen to hand back arrays whose 'c'/'f' order did not match their use, giving silently wrong numbers
 * (docs/nd4j-pitfalls.md). This manager never reuses an array object: each allocation is a new 'c'
 * array of the requested shape, so the order is always the one asked for.
 *
 * <p><b>What is freed.</b> Only arrays this manager allocated itself, that the session releases, and that are
 * {@link INDArray#closeable()} (not views, not workspace-attached); placeholders, variables, constants and any
 * array an op produced another way are left to the GC. The session releases an array when its dependency
 * tracker sees no remaining consumer, the rule {@code ArrayCacheMemoryMgr} relies on as well; the equivalence of
 * both managers is tested by comparing whole training runs bit for bit ({@code DinoModelTest}).
 *
 * <p>The owner calls {@link #beginExecution()} before each graph execution: arrays of earlier executions that
 * were never released (outputs handed to the caller) are forgotten then, so the manager holds no array beyond
 * the execution after the one that made it.
 *
 * <p>One instance per session (per thread); not thread-safe, as SameDiff sessions are not.
 */
public final class ReleasingMemoryMgr extends AbstractMemoryMgr {

    /**
     * @return whether tcmalloc is preloaded into this process ({@code LD_PRELOAD} names it, as {@code ./dino} and
     *         {@code dino-bench/run-quick.sh} do when it is installed): the condition under which freeing early pays
     */
    public static boolean tcmallocPreloaded() {
        return System.getenv().getOrDefault("LD_PRELOAD", "").contains("tcmalloc");
    }

    private final Set<INDArray> owned = Collections.newSetFromMap(new IdentityHashMap<>());
    private long allocated;
    private long released;

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        INDArray a = Nd4j.createUninitialized(dataType, shape);
        track(a);
        return a;
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        INDArray a = Nd4j.create(descriptor, false);
        track(a);
        return a;
    }

    private void track(INDArray a) {
        if (!a.isEmpty()) {
            owned.add(a);
            allocated++;
        }
    }

    @Override
    public void release(INDArray array) {
        if (array == null || !owned.remove(array)) {
            return;
        }
        if (array.closeable() && !array.wasClosed()) {
            array.close();
            released++;
        }
    }

    /** @return arrays allocated by this manager so far */
    public long allocatedCount() {
        return allocated;
    }

    /** @return arrays freed at release so far (the rest were handed to the caller or left to the GC) */
    public long releasedCount() {
        return released;
    }

    /**
     * Frees every array of the execution just finished that the session did not release, except {@code keep}:
     * for callers that have consumed all outputs (copied the gradients, read the loss). SameDiff's gradient
     * function releases almost nothing itself (10 of ~1,000 arrays per step of the test model), so without this
     * a training step's activations and gradients wait for the GC.
     *
     * @param keep arrays still in use by the caller (compared by identity)
     */
    public void releaseAll(INDArray... keep) {
        for (INDArray a : owned) {
            if (isKept(a, keep) || !a.closeable() || a.wasClosed()) {
                continue;
            }
            a.close();
            released++;
        }
        owned.clear();
    }

    private static boolean isKept(INDArray a, INDArray[] keep) {
        for (INDArray k : keep) {
            if (k == a) {
                return true;
            }
        }
        return false;
    }

    /**
     * Forgets the arrays of earlier executions that are still tracked: the session releases only arrays of the
     * execution in progress, so these were handed to the caller (they stay alive, freed by the GC when dropped).
     */
    public void beginExecution() {
        owned.clear();
    }

    /** Forgets the arrays still tracked (they stay alive and are freed by the GC like any other array). */
    @Override
    public void close() {
        owned.clear();
    }
}

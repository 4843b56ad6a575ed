package org.dino4j.core.exec;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Memory of an {@link ExecutionPlan}'s intermediates: arrays are views of slabs (one data type each), and an
 * array released after its last use hands its slab to a later array (best fit by size, a new slab when none
 * fits). Arrays below {@link #SMALL} elements get their own buffer. Everything is allocated while the plan is
 * built; executions allocate nothing.
 */
final class BufferPlan {
    /** Arrays smaller than this (elements) are not pooled. */
    static final long SMALL = 4096;

    private record Slab(DataBuffer buffer, DataType type, long capacity) {
    }

    private final List<Slab> free = new ArrayList<>();
    private final Map<INDArray, Slab> inUse = new IdentityHashMap<>();
    private long bytes;

    /** An array of {@code spec}'s shape, strides and layout on a free (or new) slab. */
    INDArray take(PlanRecorder.Spec spec) {
        if (spec.length() < SMALL) {
            INDArray a = own(spec);
            bytes += spec.length() * spec.type().width();
            return a;
        }
        Slab best = null;
        for (Slab s : free) {
            if (s.type() == spec.type() && s.capacity() >= spec.length()
                    && (best == null || s.capacity() < best.capacity())) {
                best = s;
            }
        }
        if (best == null) {
            best = new Slab(Nd4j.createBuffer(spec.type(), spec.length(), true), spec.type(), spec.length());
            bytes += spec.length() * spec.type().width();
        } else {
            free.remove(best);
        }
        INDArray a = Nd4j.create(best.buffer(), spec.shape(), spec.strides(), 0, spec.order(), spec.type());
        inUse.put(a, best);
        return a;
    }

    /** Gives {@code a}'s slab back (no-op for arrays that own their buffer). */
    void release(INDArray a) {
        Slab s = inUse.remove(a);
        if (s != null) {
            free.add(s);
        }
    }

    /** @return bytes allocated for intermediates */
    long bytes() {
        return bytes;
    }

    /** An array with its own buffer, of {@code spec}'s shape and layout. */
    static INDArray own(PlanRecorder.Spec spec) {
        return Nd4j.create(spec.type(), spec.shape(), spec.strides(), spec.order());
    }
}

package org.dino4j.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SessionMemMgr;
import org.nd4j.autodiff.samediff.internal.memory.NoOpMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SessionMemoryTest {

    @Test
    void autoResolvesByTcmallocAndTheOtherModesStay() {
        SessionMemory.Mode expected = ReleasingMemoryMgr.tcmallocPreloaded() ? SessionMemory.Mode.RELEASE
                : SessionMemory.Mode.GC;
        assertEquals(expected, SessionMemory.Mode.AUTO.resolved());
        assertEquals(SessionMemory.Mode.RELEASE, SessionMemory.Mode.RELEASE.resolved());
        assertEquals(SessionMemory.Mode.GC, SessionMemory.Mode.GC.resolved());
    }

    @Test
    void installPutsTheModesManagerIntoThisThreadsSessionAndKeepsIt() {
        SameDiff g = SameDiff.create();
        SDVariable x = g.placeHolder("x", DataType.FLOAT, -1, 3);
        x.mul(2.0).add(1.0).sum("y", 1);
        assertNull(SessionMemory.manager(g, false), "no session before the first install");
        INDArray in = Nd4j.createFromArray(new float[][] {{1, 2, 3}, {4, 5, 6}});

        SessionMemory.install(g, SessionMemory.Mode.RELEASE);
        SessionMemMgr released = SessionMemory.manager(g, false);
        assertTrue(released instanceof ReleasingMemoryMgr, "RELEASE: " + released);
        INDArray y = g.output(Map.of("x", in), "y").get("y");
        assertEquals(15.0, y.getDouble(0), 0.0); // Σ (2x + 1)
        assertEquals(33.0, y.getDouble(1), 0.0);
        SessionMemory.install(g, SessionMemory.Mode.RELEASE);
        assertSame(released, SessionMemory.manager(g, false), "the next execution reuses the manager");

        SessionMemory.install(g, SessionMemory.Mode.GC);
        assertTrue(SessionMemory.manager(g, false) instanceof NoOpMemoryMgr, "GC");
        assertEquals(33.0, g.output(Map.of("x", in), "y").get("y").getDouble(1), 0.0);
    }
}

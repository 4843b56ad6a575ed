package org.dino4j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.dino4j.core.exec.Execution;
import org.dino4j.core.exec.SessionMemory;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A model's {@link ModelPlans}: its settings per model and through copies, plan memory, release, profiles. */
class ModelPlansTest {

    private static INDArray globals(long seed) {
        return DinoModelTest.images(new Random(seed), DataType.FLOAT, 4, 1, 12, 12);
    }

    @Test
    void settingsArePerModelAndKeptByCopies() {
        DinoModel m = DinoModelTest.tiny(DataType.FLOAT, 1);
        assertSame(m.plans(), m.plans(), "one ModelPlans per model");
        assertEquals(Execution.FUSED, m.plans().execution(), "default");
        assertEquals(SessionMemory.Mode.AUTO, m.plans().sessionMemory(), "default");
        m.plans().setExecution(Execution.PLAN);
        m.plans().setSessionMemory(SessionMemory.Mode.GC);
        DinoModel c = m.copy();
        assertNotSame(m.plans(), c.plans());
        assertEquals(Execution.PLAN, c.plans().execution(), "copy() keeps the execution");
        assertEquals(SessionMemory.Mode.GC, c.plans().sessionMemory(), "copy() keeps the session memory");
        c.plans().setExecution(Execution.SESSION);
        c.plans().setSessionMemory(SessionMemory.Mode.RELEASE);
        assertEquals(Execution.PLAN, m.plans().execution(), "models do not share the execution");
        assertEquals(SessionMemory.Mode.GC, m.plans().sessionMemory(), "models do not share the session memory");
        assertThrows(NullPointerException.class, () -> m.plans().setExecution(null));
        assertThrows(NullPointerException.class, () -> m.plans().setSessionMemory(null));
    }

    @Test
    void releaseFreesThePlansAndTheNextCallRecordsTheSameOneAgain() {
        DinoModel m = DinoModelTest.tiny(DataType.FLOAT, 2);
        assertEquals(0, m.plans().plannedBytes(), "no plan before the first call");
        INDArray x = globals(3);
        INDArray before = m.globalLogits(x);
        long bytes = m.plans().plannedBytes();
        assertTrue(bytes > 0, "the forward recorded a plan");
        m.plans().release();
        assertEquals(0, m.plans().plannedBytes(), "released plans hold no memory");
        assertEquals(before, m.globalLogits(x), "the plan recorded again gives the same logits");
        assertEquals(bytes, m.plans().plannedBytes(), "the same plan, the same memory");
    }

    @Test
    void sessionModeHoldsNoPlanAndComputesTheSameLogits() {
        DinoModel fused = DinoModelTest.tiny(DataType.FLOAT, 4);
        DinoModel session = fused.copy();
        INDArray x = globals(5);
        INDArray a = fused.globalLogits(x);
        assertTrue(fused.plans().plannedBytes() > 0);
        session.plans().setExecution(Execution.SESSION);
        INDArray b = session.globalLogits(x);
        ModelRunnerTest.assertClose(b, a, 1e-5, "session vs fused plan logits");
        assertEquals(0, session.plans().plannedBytes(), "session mode records no plan");
        assertTrue(session.plans().profiles().isEmpty(), "no plan, no profile");
        fused.plans().setExecution(Execution.SESSION);
        assertEquals(0, fused.plans().plannedBytes(), "switching the execution drops the plans");
    }

    @Test
    void profilesTimeEveryPlanOnceTurnedOn() {
        DinoModel m = DinoModelTest.tiny(DataType.FLOAT, 6);
        INDArray x = globals(7);
        m.globalLogits(x);
        Map<String, Map<String, long[]>> off = m.plans().profiles();
        assertEquals(1, off.size(), "one plan: " + off.keySet());
        assertTrue(off.values().iterator().next().isEmpty(), "not timed before profile(true)");
        m.plans().profile(true);
        m.globalLogits(x);
        m.features(x); // a plan recorded after profile(true) is timed too
        Map<String, Map<String, long[]>> byOp = m.plans().profiles();
        Map<String, Map<String, long[]>> byShape = m.plans().profilesByShape();
        assertEquals(2, byOp.size(), "two plans: " + byOp.keySet());
        assertEquals(byOp.keySet(), byShape.keySet());
        for (String plan : byOp.keySet()) {
            Map<String, long[]> ops = byOp.get(plan);
            assertTrue(!ops.isEmpty(), plan + " is timed");
            long nanos = ops.values().stream().mapToLong(v -> v[0]).sum();
            long entries = ops.values().stream().mapToLong(v -> v[1]).sum();
            assertTrue(nanos > 0, plan + ": time measured");
            Map<String, long[]> shapes = byShape.get(plan);
            assertEquals(nanos, shapes.values().stream().mapToLong(v -> v[0]).sum(), plan + ": same time by shape");
            assertEquals(entries, shapes.values().stream().mapToLong(v -> v[1]).sum(), plan + ": same entries by shape");
            assertTrue(shapes.size() >= ops.size(), plan + ": shapes refine op labels");
        }
    }
}

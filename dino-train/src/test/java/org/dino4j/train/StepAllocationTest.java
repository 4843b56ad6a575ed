package org.dino4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After warm-up a training step allocates nothing that grows with the batch: the models' execution plans keep their
 * planned native memory, and the Java heap allocated by the step's thread is the same at batch 4 and batch 16.
 */
class StepAllocationTest {
    @TempDir
    Path tmp;

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());
    private static final int WARM_UP = 4;
    private static final int MEASURED = 4;

    @Test
    void steadyStepsAllocateNothingThatScalesWithTheBatch() throws IOException {
        long[] small = measure(4);
        long[] large = measure(16);
        // native: the plans were sized once, at the first step of each shape
        assertEquals(small[1], small[2], "planned bytes grew after warm-up at batch 4");
        assertEquals(large[1], large[2], "planned bytes grew after warm-up at batch 16");
        assertTrue(large[1] > small[1], "the plans scale with the batch: " + large[1] + " vs " + small[1]);
        // heap: per-step allocation of the step's thread does not follow the 4x batch (a few KB of bookkeeping)
        long perStepSmall = small[0] / MEASURED;
        long perStepLarge = large[0] / MEASURED;
        assertTrue(perStepLarge <= perStepSmall + 16_384,
                "heap bytes per step: " + perStepSmall + " at batch 4, " + perStepLarge + " at batch 16");
    }

    /** @return {heap bytes allocated by this thread over the measured steps, planned bytes before, planned after} */
    private long[] measure(int batch) throws IOException {
        DinoConfig cfg = ConfigLoader.load("tiny", null, Map.of("data.batchSize", "" + batch, "data.localCrops", "2",
                "optim.freezeLastLayer", "0"));
        CoreNetwork student = CoreNetwork.create(cfg.model(), 1, 7);
        CoreNetwork teacher = student.copy();
        RandomCrops data = new RandomCrops(5, batch, 2, WARM_UP + MEASURED);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        try (DinoTrainer tr = new DinoTrainer(cfg, student, teacher, data, tmp.resolve("b" + batch), QUIET, false)) {
            Iterator<CropBatch> it = data.epoch(0, 0);
            for (int i = 0; i < WARM_UP; i++) {
                tr.step(it.next(), 1, i);
            }
            long plannedBefore = student.model().plannedBytes() + teacher.model().plannedBytes();
            long heap = 0;
            for (int i = 0; i < MEASURED; i++) {
                CropBatch b = it.next(); // the test's own data, outside the measurement
                long before = threads.getThreadAllocatedBytes(id);
                tr.step(b, 1, WARM_UP + i);
                heap += threads.getThreadAllocatedBytes(id) - before;
            }
            long plannedAfter = student.model().plannedBytes() + teacher.model().plannedBytes();
            return new long[]{heap, plannedBefore, plannedAfter};
        }
    }
}

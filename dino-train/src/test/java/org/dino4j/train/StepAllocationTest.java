package org.dino4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After warm-up a training step allocates no native memory: the models' execution plans keep the arrays they
 * planned at the first step of each shape. (The Java heap is not checked here: in a test this short it still
 * includes the Vector API's per-operation fallback of kernels C2 has not compiled yet.)
 */
class StepAllocationTest {
    @TempDir
    Path tmp;

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());
    private static final int WARM_UP = 6;
    private static final int MEASURED = 4;

    @Test
    void stepsAfterWarmUpAllocateNoNativeMemory() throws IOException {
        long[] small = measure(4);
        long[] large = measure(16);
        // native: the plans were sized once, at the first step of each shape
        assertEquals(small[1], small[2], "planned bytes grew after warm-up at batch 4");
        assertEquals(large[1], large[2], "planned bytes grew after warm-up at batch 16");
        assertTrue(large[1] > small[1], "the plans scale with the batch: " + large[1] + " vs " + small[1]);
    }

    /** @return {0, planned bytes after warm-up, planned bytes after the measured steps} */
    private long[] measure(int batch) throws IOException {
        DinoConfig cfg = ConfigLoader.load("tiny", null, Map.of("data.batchSize", "" + batch, "data.crops.numLocal", "2",
                "optim.freezeLastLayer", "0"));
        CoreNetwork student = CoreNetwork.create(cfg.model(), 1, 7);
        CoreNetwork teacher = student.copy();
        RandomCrops data = new RandomCrops(5, batch, 2, WARM_UP + MEASURED);
        try (DinoTrainer tr = new DinoTrainer(cfg, student, teacher, data,
                new DinoTrainer.Output(tmp.resolve("b" + batch), QUIET, false))) {
            Iterator<CropBatch> it = data.epoch(0, 0);
            for (int i = 0; i < WARM_UP; i++) {
                tr.step(it.next(), 1, i);
            }
            long plannedBefore = student.model().plans().plannedBytes() + teacher.model().plans().plannedBytes();
            for (int i = 0; i < MEASURED; i++) {
                tr.step(it.next(), 1, WARM_UP + i);
            }
            long plannedAfter = student.model().plans().plannedBytes() + teacher.model().plans().plannedBytes();
            return new long[]{0, plannedBefore, plannedAfter};
        }
    }
}

package org.dino4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.dino4j.augment.MultiCropBatch;
import org.junit.jupiter.api.Test;

/** One operation of each augmentation benchmark yields a full reference-config batch. */
class AugmentBenchmarkTest {

    @Test
    void transformAndLoaderProduceReferenceBatches() {
        AugmentBenchmark bench = new AugmentBenchmark();
        AugmentBenchmark.Data d = new AugmentBenchmark.Data();
        d.preset = 28;
        d.setUp();
        int b = AugmentBenchmark.BATCH;
        MultiCropBatch t = bench.transform(d, new AugmentBenchmark.Banner());
        assertArrayEquals(new long[]{2L * b, 1, 28, 28}, t.globals().shape());
        assertArrayEquals(new long[]{6L * b, 1, 12, 12}, t.locals().shape());

        AugmentBenchmark.Loader l = new AugmentBenchmark.Loader();
        l.workers = 2;
        l.setUp(d);
        try {
            MultiCropBatch first = bench.loader(l);
            assertEquals(b, first.batchSize());
            assertArrayEquals(new long[]{6L * b, 1, 12, 12}, first.locals().shape());
        } finally {
            l.tearDown();
        }
    }
}

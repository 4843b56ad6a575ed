package org.dino4j.augment;

import org.dino4j.augment.data.ImageDataset;
import org.dino4j.augment.data.SyntheticDataset;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class MultiCropLoaderTest {

    private static List<MultiCropBatch> run(ImageDataset ds, int workers, int epoch) {
        MultiCropTransform t = MultiCropTransform.forDataset(MultiCropConfig.preset28().withNumLocal(2), ds);
        List<MultiCropBatch> out = new ArrayList<>();
        try (MultiCropLoader l = new MultiCropLoader(ds, t, LoaderConfig.builder().batchSize(8).seed(77).workers(workers).prefetch(3).build())) {
            for (Iterator<MultiCropBatch> it = l.epoch(epoch); it.hasNext(); ) out.add(it.next());
        }
        return out;
    }

    @Test
    void sameBatchesWhateverTheNumberOfThreads() {
        SyntheticDataset ds = SyntheticDataset.of28(70, 3);
        List<MultiCropBatch> a = run(ds, 0, 1), b = run(ds, 1, 1), c = run(ds, 3, 1);
        assertEquals(70 / 8, a.size());
        for (List<MultiCropBatch> other : List.of(b, c)) {
            assertEquals(a.size(), other.size());
            for (int k = 0; k < a.size(); k++) {
                assertArrayEquals(a.get(k).indices(), other.get(k).indices());
                assertArrayEquals(a.get(k).labels(), other.get(k).labels());
                assertEquals(a.get(k).globals(), other.get(k).globals());
                assertEquals(a.get(k).locals(), other.get(k).locals());
            }
        }
        // epoch visits distinct images; another epoch has another order
        int[] seen = new int[70];
        for (MultiCropBatch m : a) for (int i : m.indices()) seen[i]++;
        assertEquals(64, Arrays.stream(seen).sum());
        assertTrue(Arrays.stream(seen).allMatch(x -> x <= 1));
        List<MultiCropBatch> e2 = run(ds, 2, 2);
        assertFalse(Arrays.equals(a.get(0).indices(), e2.get(0).indices()));
    }

    @Test
    void orderIsAPermutationAndBatchCountsFollowDropLast() {
        SyntheticDataset ds = SyntheticDataset.of28(50, 1);
        MultiCropTransform t = MultiCropTransform.forDataset(MultiCropConfig.preset28(), ds);
        try (MultiCropLoader l = new MultiCropLoader(ds, t, LoaderConfig.builder().batchSize(16).seed(5).workers(0).prefetch(1).build());
             MultiCropLoader m = new MultiCropLoader(ds, t, LoaderConfig.builder().batchSize(16).seed(5).workers(1).prefetch(2).shuffle(false).dropLast(false).build())) {
            int[] o = l.order(0).clone();
            Arrays.sort(o);
            for (int i = 0; i < 50; i++) assertEquals(i, o[i]);
            assertEquals(3, l.batchesPerEpoch());
            assertEquals(4, m.batchesPerEpoch());
            int total = 0;
            for (Iterator<MultiCropBatch> it = m.epoch(0); it.hasNext(); ) total += it.next().batchSize();
            assertEquals(50, total);
        }
    }

    @Test
    void startingInsideAnEpochGivesTheSameBatchesWithoutBuildingTheOnesBefore() {
        SyntheticDataset ds = SyntheticDataset.of28(70, 3);
        List<MultiCropBatch> all = run(ds, 0, 2);
        for (int workers : new int[]{0, 2}) {
            java.util.concurrent.atomic.AtomicInteger images = new java.util.concurrent.atomic.AtomicInteger();
            ImageDataset counted = new ImageDataset() {
                public int size() { return ds.size(); }
                public int channels() { return ds.channels(); }
                public int height() { return ds.height(); }
                public int width() { return ds.width(); }
                public int numClasses() { return ds.numClasses(); }
                public int label(int i) { return ds.label(i); }
                public void imageInto(int i, float[] dst) { images.incrementAndGet(); ds.imageInto(i, dst); }
            };
            MultiCropTransform t = MultiCropTransform.forDataset(MultiCropConfig.preset28().withNumLocal(2), counted);
            try (MultiCropLoader l = new MultiCropLoader(counted, t, LoaderConfig.builder().batchSize(8).seed(77).workers(workers).prefetch(3).build())) {
                List<MultiCropBatch> rest = new ArrayList<>();
                for (Iterator<MultiCropBatch> it = l.epoch(2, 5); it.hasNext(); ) rest.add(it.next());
                assertEquals(all.size() - 5, rest.size());
                for (int k = 0; k < rest.size(); k++) {
                    assertArrayEquals(all.get(k + 5).indices(), rest.get(k).indices());
                    assertEquals(all.get(k + 5).globals(), rest.get(k).globals());
                    assertEquals(all.get(k + 5).locals(), rest.get(k).locals());
                }
                assertEquals(8 * rest.size(), images.get(), "only the batches from 5 on are built");
                assertThrows(IllegalArgumentException.class, () -> l.epoch(0, all.size() + 1));
            }
        }
    }

    @Test
    void workerExceptionReachesTheConsumer() {
        SyntheticDataset base = SyntheticDataset.of28(40, 1);
        ImageDataset broken = new ImageDataset() {
            public int size() { return 40; }
            public int channels() { return 1; }
            public int height() { return 28; }
            public int width() { return 28; }
            public int numClasses() { return 10; }
            public int label(int i) { return base.label(i); }
            public void imageInto(int i, float[] dst) {
                if (i == 13) throw new IllegalStateException("image 13 is broken");
                base.imageInto(i, dst);
            }
        };
        MultiCropTransform t = MultiCropTransform.forDataset(MultiCropConfig.preset28(), broken);
        try (MultiCropLoader l = new MultiCropLoader(broken, t, LoaderConfig.builder().batchSize(10).seed(1).prefetch(2).shuffle(false).build())) {
            Iterator<MultiCropBatch> it = l.epoch(0);
            assertNotNull(it.next()); // batch 0: images 0..9
            IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
            assertEquals("image 13 is broken", e.getCause().getMessage());
            assertTrue(e.getMessage().contains("batch 1"), e.getMessage());
        }
    }

    @Test
    void closeStopsTheWorkers() throws InterruptedException {
        SyntheticDataset ds = SyntheticDataset.of28(200, 1);
        MultiCropTransform t = MultiCropTransform.forDataset(MultiCropConfig.preset28(), ds);
        MultiCropLoader l = new MultiCropLoader(ds, t, LoaderConfig.builder().batchSize(10).seed(1).build());
        Iterator<MultiCropBatch> it = l.epoch(0);
        it.next();
        l.close();
        assertThrows(IllegalStateException.class, it::next);
        long deadline = System.currentTimeMillis() + 5000;
        while (alive() > 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertEquals(0, alive());
    }

    private static long alive() {
        return Thread.getAllStackTraces().keySet().stream().filter(th -> th.getName().startsWith("dino-augment-") && th.isAlive()).count();
    }

    @Test
    void badLoaderSettingsAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> LoaderConfig.builder().batchSize(0).seed(1).workers(1).prefetch(1).build());
        assertTrue(e.getMessage().contains("batchSize"));
        e = assertThrows(IllegalArgumentException.class, () -> LoaderConfig.builder().batchSize(4).seed(1).workers(-1).prefetch(1).build());
        assertTrue(e.getMessage().contains("workers"));
        SyntheticDataset ds = SyntheticDataset.of28(5, 1);
        MultiCropTransform t = MultiCropTransform.forDataset(MultiCropConfig.preset28(), ds);
        e = assertThrows(IllegalArgumentException.class, () -> new MultiCropLoader(ds, t, LoaderConfig.builder().batchSize(8).seed(1).workers(0).prefetch(1).build()));
        assertTrue(e.getMessage().contains("batchSize"));
    }
}

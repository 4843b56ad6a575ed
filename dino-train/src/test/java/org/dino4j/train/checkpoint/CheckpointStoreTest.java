package org.dino4j.train.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class CheckpointStoreTest {
    @TempDir
    Path tmp;

    private static float[] rand(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    private static Checkpoint ckpt(long it, long seed) {
        return Checkpoint.builder().epoch((int) (it / 10)).iteration(it).student(rand(100_003, seed))
                .teacher(rand(100_003, seed + 1)).adamM(rand(100_003, seed + 2)).adamV(rand(100_003, seed + 3))
                .adamSteps(new long[]{it, it - 1}).center(rand(17, seed + 4)).configJson("{\"x\":1}")
                .versions(Map.of("dino4j", "test")).rngState(Map.of("seed", 42L)).epochSums(Map.of("loss", 1.5 + it)).build();
    }

    @Test
    void roundTripIsBitExact() throws IOException {
        CheckpointStore s = new CheckpointStore(tmp.resolve("ck"), 2);
        Checkpoint c = ckpt(30, 1);
        s.save(c);
        Checkpoint r = s.loadLatest().orElseThrow();
        assertEquals(3, r.epoch());
        assertEquals(30, r.iteration());
        assertArrayEquals(c.student(), r.student());
        assertArrayEquals(c.teacher(), r.teacher());
        assertArrayEquals(c.adamM(), r.adamM());
        assertArrayEquals(c.adamV(), r.adamV());
        assertArrayEquals(c.adamSteps(), r.adamSteps());
        assertArrayEquals(c.center(), r.center());
        assertEquals(c.configJson(), r.configJson());
        assertEquals("test", r.versions().get("dino4j"));
        assertEquals(42L, r.rngState().get("seed"));
        assertEquals(31.5, r.epochSums().get("loss"));
    }

    @Test
    void aCrashMidWriteLeavesThePreviousCheckpointAsLatest() throws IOException {
        CheckpointStore s = new CheckpointStore(tmp.resolve("ck"), 2);
        Checkpoint good = ckpt(10, 1);
        Path goodFile = s.save(good);
        RuntimeException boom = assertThrows(RuntimeException.class,
                () -> s.save(ckpt(20, 5), () -> { throw new RuntimeException("simulated crash"); }));
        assertEquals("simulated crash", boom.getMessage());
        assertEquals(goodFile, s.latestFile().orElseThrow());
        assertArrayEquals(good.student(), s.loadLatest().orElseThrow().student());
        try (var files = Files.list(tmp.resolve("ck"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(AtomicFiles.TMP_PREFIX)),
                    "the temporary file of the failed write is gone");
        }
        assertFalse(Files.exists(tmp.resolve("ck").resolve("ckpt-000000020.zip")));
    }

    @Test
    void keepsOnlyTheMostRecentAndDetectsCorruption() throws IOException {
        CheckpointStore s = new CheckpointStore(tmp.resolve("ck"), 2);
        s.save(ckpt(10, 1));
        s.save(ckpt(20, 2));
        Path third = s.save(ckpt(30, 3));
        assertEquals(2, s.list().size());
        assertEquals(third, s.list().get(1));
        // flip bytes in the middle of an array entry: the CRC check must catch it
        try (RandomAccessFile f = new RandomAccessFile(third.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0xFF);
        }
        IOException e = assertThrows(IOException.class, () -> CheckpointStore.load(third));
        assertTrue(e.getMessage().contains(third.getFileName().toString()), e.getMessage());
    }

    @Test
    void atomicWriteFailureKeepsTheOldFile() throws IOException {
        Path f = tmp.resolve("a.txt");
        AtomicFiles.writeString(f, "old");
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("partial new content".getBytes());
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(f));
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count());
        }
    }
}

package org.dino4j.train.cli;

import org.dino4j.train.checkpoint.CheckpointStore;
import org.dino4j.train.monitor.MetricsLog;
import org.dino4j.train.run.RunLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.dino4j.train.cli.DinoCommandTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Resuming a run through the command line: a refused resume changes nothing in the run directory and says in one
 * line which setting, its two values and how to start a new run; the training images are checked; an unreadable
 * latest checkpoint names the intact one; a run directory is locked while a process writes it.
 */
class ResumeSafetyTest {
    @TempDir
    Path tmp;

    static final String[] TINY = {"train", "--preset", "tiny", "--no-eval", "--set", "run.knnEveryEpochs=0"};

    /** Every file of a directory tree with its bytes (to show that nothing changed), but the lock file. */
    static Map<String, String> snapshot(Path dir) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(f -> Files.isRegularFile(f) && !f.getFileName().toString().equals(RunLock.FILE)).toList()) {
                m.put(dir.relativize(p).toString(), java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return m;
    }

    static void assertOneErrorLine(DinoCommandTest.Result r, String... parts) {
        assertEquals(2, r.code(), r.err());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line:\n" + r.err());
        assertTrue(lines.get(0).startsWith("dino: error: "), r.err());
        for (String p : parts) assertTrue(lines.get(0).contains(p), "\"" + p + "\" in: " + lines.get(0));
    }

    static String[] args(String[] a, String... b) {
        return DinoCommandTest.concat(a, b);
    }

    @Test
    void aRefusedResumeChangesNothingAndPlainResumeStillWorks() throws Exception {
        Path run = tmp.resolve("run");
        DinoCommandTest.Result r = run(args(TINY, "--epochs", "2", "--out", run.toString(), "--stop-after", "12"));
        assertEquals(0, r.code(), r.err());
        Map<String, String> before = snapshot(run);

        r = run("train", "--out", run.toString(), "--resume", "--no-eval", "--set", "model.small-resnet.widths=[8,16]");
        assertOneErrorLine(r, "model.small-resnet.widths", "[4,8]", "[8,16]", "start a new run with --out NEW_DIR");
        assertFalse(r.err().contains("ModelConfig["), r.err());
        assertEquals(before, snapshot(run), "a refused resume leaves the run directory as it was");

        r = run("train", "--out", run.toString(), "--resume", "--no-eval", "--epochs", "1");
        assertOneErrorLine(r, "run.epochs", "has 2", "asked for 1");
        r = run("train", "--out", run.toString(), "--resume", "--no-eval", "--batch-size", "4");
        assertOneErrorLine(r, "data.batchSize", "has 8", "asked for 4");
        r = run("train", "--out", run.toString(), "--resume", "--no-eval", "--set", "data.syntheticSize=128");
        assertOneErrorLine(r, "data.syntheticSize 64 -> 128", "64 images", "128 images", "fingerprint");
        assertEquals(before, snapshot(run));

        // what does not change a step is accepted: more epochs, a logging cadence
        r = run("train", "--out", run.toString(), "--resume", "--no-eval", "--epochs", "3", "--set", "run.logEveryIters=4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("resuming"), r.err());
        assertEquals(24, new CheckpointStore(run.resolve("checkpoints"), 1).loadLatest().orElseThrow().iteration());
        String yaml = Files.readString(run.resolve("config.yaml"));
        assertTrue(yaml.contains("epochs: 3") && yaml.contains("logEveryIters: 4"), yaml);
        r = run("train", "--out", run.toString(), "--resume", "--no-eval");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void aResumeOnOtherImagesIsRefusedBeforeAnyStep() throws Exception {
        Path data = tmp.resolve("data"), run = tmp.resolve("run");
        TestImages.folder(data, List.of("a", "b", "c"), 8, 1);
        String[] common = args(TINY, "--data", "images:" + data, "--set", "data.heldOut=6");
        DinoCommandTest.Result r = run(args(common, "--epochs", "2", "--out", run.toString(), "--stop-after", "1"));
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(run.resolve("data.json")).contains("\"images\" : 18"), "18 training images recorded");
        Map<String, String> before = snapshot(run);

        // fewer held-out images from one folder: more training images
        r = run("train", "--out", run.toString(), "--resume", "--no-eval", "--set", "data.heldOut=3");
        assertOneErrorLine(r, "data.heldOut 6 -> 3 changes the training images", "18 images", "21 images");
        Files.copy(data.resolve("a/img0.png"), data.resolve("a/img9.png"));
        r = run("train", "--out", run.toString(), "--resume", "--no-eval");
        assertOneErrorLine(r, "the training images changed", "18 images", "19 images", "NEW_DIR");
        assertEquals(before, snapshot(run));
        Files.delete(data.resolve("a/img9.png"));

        // the same images in another folder are the same data
        Path moved = tmp.resolve("moved");
        Files.move(data, moved);
        r = run("train", "--out", run.toString(), "--resume", "--no-eval", "--data", "images:" + moved);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("resuming"), r.err());
        List<Long> iters = MetricsLog.read(run.resolve("metrics.jsonl")).stream().filter(n -> n.get("type").asText().equals("iter"))
                .map(n -> n.get("iter").asLong()).toList();
        assertEquals(List.of(0L, 1L, 2L, 3L), iters, "every step position in range, none twice");
    }

    @Test
    void anUnreadableLatestCheckpointNamesTheIntactOneAndResumeFromContinuesThere() throws Exception {
        Path run = tmp.resolve("run");
        DinoCommandTest.Result r = run(args(TINY, "--epochs", "2", "--set", "run.keepCheckpoints=2", "--out", run.toString()));
        assertEquals(0, r.code(), r.err());
        List<Double> uninterrupted = losses(run);
        Path last = run.resolve("checkpoints/ckpt-000000016.zip"), previous = run.resolve("checkpoints/ckpt-000000008.zip");
        byte[] b = Files.readAllBytes(last);
        Files.write(last, java.util.Arrays.copyOf(b, b.length / 2));

        r = run("train", "--out", run.toString(), "--resume", "--no-eval");
        assertOneErrorLine(r, "ckpt-000000016.zip is incomplete or corrupt", "ckpt-000000008.zip is intact", "--resume-from " + previous);
        r = run("eval", "knn", "--checkpoint", run.toString());
        assertOneErrorLine(r, "ckpt-000000016.zip is incomplete or corrupt", "--checkpoint " + previous);

        Path elsewhere = Files.copy(previous, tmp.resolve("ckpt-000000008.zip"));
        r = run("train", "--out", run.toString(), "--resume-from", elsewhere.toString(), "--no-eval");
        assertOneErrorLine(r, "is not a checkpoint of " + run);
        r = run("train", "--out", run.toString(), "--resume-from", previous.toString(), "--no-eval");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/ckpt-000000016.zip.superseded")), "the broken one moved aside");
        assertEquals(16, CheckpointStore.load(last).iteration());
        assertEquals(uninterrupted, losses(run), "the second epoch trained again gives the same losses");
    }

    @Test
    void aRunDirectoryIsLockedWhileAProcessWritesIt() throws Exception {
        Path run = tmp.resolve("run");
        DinoCommandTest.Result r = run(args(TINY, "--out", run.toString(), "--stop-after", "2"));
        assertEquals(0, r.code(), r.err());
        Map<String, String> before = snapshot(run);

        Process holder = ChildJvm.start(Map.of(), null, ChildJvm.HoldRunLock.class, List.of(run.toString()));
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(holder.getInputStream()));
            assertEquals("locked", in.readLine(), "the other process holds the lock");
            r = run("train", "--out", run.toString(), "--resume", "--no-eval");
            assertOneErrorLine(r, "is in use by pid " + holder.pid() + " (test holder)");
            assertEquals(before, snapshot(run));
        } finally {
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        try (RunLock lock = RunLock.acquire(run, "this test")) {
            r = run("train", "--out", run.toString(), "--resume", "--no-eval");
            assertOneErrorLine(r, "is in use by this process");
        }
        r = run("train", "--out", run.toString(), "--resume", "--no-eval");
        assertEquals(0, r.code(), r.err());
    }

    static List<Double> losses(Path run) throws Exception {
        return MetricsLog.read(run.resolve("metrics.jsonl")).stream().filter(n -> n.get("type").asText().equals("iter"))
                .map(n -> n.get("loss").asDouble()).toList();
    }
}

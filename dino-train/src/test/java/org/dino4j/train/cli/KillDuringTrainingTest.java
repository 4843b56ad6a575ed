package org.dino4j.train.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.dino4j.train.checkpoint.CheckpointStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safe resume after a real SIGKILL: {@code dino train} runs in a child JVM that checkpoints every iteration, and
 * is killed with {@code kill -9} ({@link Process#destroyForcibly()}) at staggered moments while it writes
 * checkpoints. After every kill, each checkpoint file present must load, and {@code --resume} must continue the
 * run; at the end the run completes. (The in-process test {@code CheckpointStoreTest} injects a failure in the
 * middle of a write; this one leaves the timing to the operating system.)
 */
class KillDuringTrainingTest {

    @TempDir
    Path tmp;

    @Test
    void killDashNineAtAnyMomentNeverLeavesABrokenCheckpointAndTheRunResumes() throws Exception {
        Path out = tmp.resolve("run");
        List<String> train = List.of("train", "--preset", "tiny", "--epochs", "4", "--out", out.toString(),
                "--set", "run.checkpointEveryIters=1", "--set", "run.keepCheckpoints=3",
                "--set", "run.knnEveryEpochs=0", "--no-eval");
        // a resumed run takes its saved config; only the run directory is named
        List<String> resume = List.of("train", "--out", out.toString(), "--resume", "--no-eval");
        int kills = 0;
        // staggered delays after the first checkpoint appears, so the kills land at different points of the
        // write/rename cycle (one checkpoint per iteration, a few ms each)
        long[] delaysMs = {0, 41, 7};
        for (long delay : delaysMs) {
            Process p = start(Files.exists(out) ? resume : train);
            boolean sawNew = waitForNewCheckpoint(out.resolve("checkpoints"), p, 240);
            if (!sawNew) {
                String log = new String(p.getInputStream().readAllBytes());
                assertEquals(0, p.exitValue(), "the training process ended on its own with an error:\n" + log);
                break; // the run finished before we could kill it
            }
            Thread.sleep(delay);
            if (p.isAlive()) {
                p.destroyForcibly();
                kills++;
            }
            p.waitFor(30, TimeUnit.SECONDS);
            assertEveryCheckpointLoads(out.resolve("checkpoints"));
        }
        assertTrue(kills >= 3, "killed the training process " + kills + " times");
        // finish the run
        Process p = start(resume);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the resumed run finishes");
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("resuming"), log);
        assertEveryCheckpointLoads(out.resolve("checkpoints"));
    }

    private static Process start(List<String> dinoArgs) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-Xmx1g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(DinoCommand.class.getName());
        cmd.addAll(dinoArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb.start();
    }

    /** Waits until a checkpoint file newer than the ones present at the call appears (or the process ends). */
    private static boolean waitForNewCheckpoint(Path dir, Process p, int seconds) throws Exception {
        List<Path> before = checkpointFiles(dir);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            List<Path> now = checkpointFiles(dir);
            if (now.stream().anyMatch(f -> !before.contains(f))) {
                return true;
            }
            if (!p.isAlive()) {
                return false;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no new checkpoint within " + seconds + " s");
    }

    private static List<Path> checkpointFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().matches("ckpt-\\d{9}\\.zip")).sorted().toList();
        }
    }

    private static void assertEveryCheckpointLoads(Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 3);
        List<Path> files = store.list();
        assertTrue(!files.isEmpty(), "at least one checkpoint in " + dir);
        for (Path f : files) {
            CheckpointStore.load(f); // throws on a truncated or corrupt file
        }
        assertTrue(store.loadLatest().isPresent(), "a latest checkpoint");
    }
}

package org.dino4j.train.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.dino4j.train.cli.DinoCommandTest.run;
import static org.dino4j.train.cli.ResumeSafetyTest.TINY;
import static org.dino4j.train.cli.ResumeSafetyTest.args;
import static org.dino4j.train.cli.ResumeSafetyTest.assertOneErrorLine;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Bad input to every command gives one {@code dino: error:} line naming the input and what was expected (exit 2),
 * before any work; outputs are never left half-written; the help texts say what the commands do.
 */
class CliErrorsTest {
    @TempDir
    static Path shared;
    /** One finished tiny run (64 training images) the evaluation commands read. */
    static Path run;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainOnce() {
        run = shared.resolve("run");
        DinoCommandTest.Result r = run(args(TINY, "--out", run.toString()));
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void negativeAndZeroCountsAreNamedInEveryCommand() {
        assertOneErrorLine(run("eval", "knn", "--checkpoint", run.toString(), "--eval-size", "-5"), "--eval-size must be >= 1, got -5");
        assertOneErrorLine(run("eval", "knn", "--checkpoint", run.toString(), "--k", "0"), "--k values must be >= 1, got 0");
        assertOneErrorLine(run("eval", "knn", "--checkpoint", run.toString(), "--k", "65"), "--k 65 is larger than the k-NN memory of 64");
        assertOneErrorLine(run("eval", "knn", "--checkpoint", run.toString(), "--temperature", "0"), "--temperature must be > 0");
        assertOneErrorLine(run("eval", "linear", "--checkpoint", run.toString(), "--eval-size", "0"), "--eval-size must be >= 1, got 0");
        assertOneErrorLine(run("eval", "embed", "--checkpoint", run.toString(), "--threads", "0"), "--threads must be >= 1, got 0");
        assertOneErrorLine(run("eval", "tsne", "--checkpoint", run.toString(), "--points", "-1"), "--points must be >= 4, got -1");
        assertOneErrorLine(run("attention", "--checkpoint", run.toString(), "--scale", "100000"), "--scale must be in [1, 64], got 100000");
        assertOneErrorLine(run("attention", "--checkpoint", run.toString(), "--images", "-1"), "backbone");
        assertOneErrorLine(run("train", "--preset", "tiny", "--epochs", "0", "--out", tmp.resolve("x").toString()), "run.epochs must be > 0, got 0");
        assertOneErrorLine(run("train", "--preset", "tiny", "--batch-size", "-2", "--out", tmp.resolve("x").toString()), "data.batchSize must be > 0");
        assertOneErrorLine(run("train", "--preset", "tiny", "--tsne-points", "2", "--out", tmp.resolve("x").toString()), "--tsne-points must be 0");
        assertOneErrorLine(run("ablate", "--preset", "tiny", "--eval-size", "0", "--out", tmp.resolve("x").toString()), "--eval-size must be >= 1");
        assertOneErrorLine(run("train", "--preset", "tiny", "--eval-size", "abc", "--out", tmp.resolve("x").toString()), "'abc' is not an int",
                "dino train --help");
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void anEmptyQuerySetFailsBeforeTrainingNamingTheSettingOrFile() throws Exception {
        Path out = tmp.resolve("run");
        DinoCommandTest.Result r = run("train", "--preset", "tiny", "--set", "data.heldOut=0", "--out", out.toString());
        assertOneErrorLine(r, "no held-out images", "data.heldOut is 0", "set data.heldOut >= 1");
        assertFalse(Files.exists(out), "no epoch was trained");
        // an IDX test file without images
        Path idx = tmp.resolve("idx");
        writeIdx(idx, "train", 64);
        writeIdx(idx, "t10k", 0);
        r = run("train", "--preset", "tiny", "--data", "idx:" + idx, "--out", out.toString());
        assertOneErrorLine(r, "no held-out images", "t10k test files in " + idx);
        assertFalse(Files.exists(out));
        // without any evaluation the held-out set is not needed
        r = run(args(TINY, "--set", "data.heldOut=0", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
    }

    /** An IDX images + labels pair of n 16×16 images. */
    static void writeIdx(Path dir, String prefix, int n) throws java.io.IOException {
        Files.createDirectories(dir);
        java.nio.ByteBuffer img = java.nio.ByteBuffer.allocate(16 + n * 256);
        img.putInt(0x00000803).putInt(n).putInt(16).putInt(16);
        for (int i = 0; i < n; i++) for (int k = 0; k < 256; k++) img.put((byte) ((i * 7 + k) % 256));
        java.nio.ByteBuffer lab = java.nio.ByteBuffer.allocate(8 + n);
        lab.putInt(0x00000801).putInt(n);
        for (int i = 0; i < n; i++) lab.put((byte) (i % 10));
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), img.array());
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), lab.array());
    }

    @Test
    void fileSystemErrorsAreTranslated() throws Exception {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        assertOneErrorLine(run(args(TINY, "--out", file.toString())), "--out " + file + " exists and is a file");
        assertOneErrorLine(run(args(TINY, "--out", file.resolve("sub").toString())), file.toString(), "a directory was expected");
        assertOneErrorLine(run("eval", "knn", "--checkpoint", run.toString(), "--out", file.toString()), "exists and is a file");
        assertOneErrorLine(run("eval", "knn", "--checkpoint", tmp.resolve("nowhere").toString()), "nowhere does not exist");
        assertOneErrorLine(run("train", "--config", tmp.resolve("none.yaml").toString(), "--out", tmp.resolve("x").toString()),
                "none.yaml does not exist");
        assertEquals("runs/x: permission denied",
                DinoCommand.userError(new java.nio.file.AccessDeniedException("runs/x")));
        assertEquals("/data/y: no space left on device",
                DinoCommand.userError(new java.nio.file.FileSystemException("/data/y", null, "No space left on device")));
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) { // root may write anywhere
            Path locked = tmp.resolve("locked");
            Files.createDirectories(locked);
            locked.toFile().setWritable(false, false);
            assertOneErrorLine(run(args(TINY, "--out", locked.resolve("run").toString())), "is not writable (permission denied)");
            locked.toFile().setWritable(true, false);
        }
    }

    @Test
    void aFullDiskDuringTsneLeavesThePreviousPictureAndSaysWhy() throws Exception {
        Path out = tmp.resolve("eval");
        DinoCommandTest.Result r = run("eval", "tsne", "--checkpoint", run.toString(), "--out", out.toString(), "--points", "24");
        assertEquals(0, r.code(), r.err());
        byte[] good = Files.readAllBytes(out.resolve("tsne.png"));
        // a child JVM whose files may not grow past 8 KB (RLIMIT_FSIZE; the JVM ignores SIGXFSZ): the PNG write fails
        r = ChildJvm.dino(Map.of(), "ulimit -f 8", List.of("eval", "tsne", "--checkpoint", run.toString(), "--out", out.toString(),
                "--points", "30"));
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("dino: error: cannot write " + out.resolve("tsne.png") + ": File too large"), r.out());
        assertFalse(r.out().contains("Exception"), r.out());
        assertArrayEquals(good, Files.readAllBytes(out.resolve("tsne.png")), "the previous picture is intact");
        try (var s = Files.list(out)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "no temporary left");
        }
    }

    @Test
    void unclearCasesAreClear() throws Exception {
        // the default k list is clipped to the memory (64 images) with a notice; the summary names the k used
        DinoCommandTest.Result r = run("eval", "knn", "--checkpoint", run.toString(), "--eval-size", "50");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("note: the k-NN memory holds 50 images: k = [10, 20]"), r.err());
        // more threads than cores: clamped with a notice
        int cores = Runtime.getRuntime().availableProcessors();
        r = run("train", "--preset", "tiny", "--threads", "1000", "--out", tmp.resolve("t").toString(), "--dry-run");
        assertEquals(0, r.code(), r.err());
        r = run(args(TINY, "--threads", "1000", "--out", tmp.resolve("t").toString(), "--stop-after", "1"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("run.threads 1000 is more than the " + cores + " cores of this machine; using " + cores), r.err());
        // integers are never rounded
        Path cfg = tmp.resolve("c.yaml");
        Files.writeString(cfg, "data:\n  batchSize: 8.7\n");
        assertOneErrorLine(run("train", "--config", cfg.toString(), "--out", tmp.resolve("x").toString()), "data.batchSize must be an integer, got 8.7");
        assertOneErrorLine(run("train", "--preset", "tiny", "--set", "data.batchSize=8.7", "--out", tmp.resolve("x").toString()),
                "data.batchSize must be an integer, got 8.7");
        // a config file without an extension is YAML unless it starts with '{'
        Path noExt = tmp.resolve("mycfg");
        Files.writeString(noExt, "preset: tiny\nrun:\n  epochs: 3\n");
        r = run("train", "--config", noExt.toString(), "--out", tmp.resolve("x").toString(), "--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epochs: 3"), r.out());
        Files.writeString(noExt, "{\"preset\": \"tiny\", \"run\": {\"epochs\": 4}}");
        r = run("train", "--config", noExt.toString(), "--out", tmp.resolve("x").toString(), "--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epochs: 4"), r.out());
        // crop sizes are named as the config keys
        assertOneErrorLine(run("train", "--preset", "tiny", "--set", "model.small-resnet.widths=[4,8,16,32]", "--out", tmp.resolve("x").toString()),
                "data.crops.local.size must be >= 16", "got 8");
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void theFinalSummaryNamesTheKItUsed() {
        Path out = tmp.resolve("small");
        DinoCommandTest.Result r = run("train", "--preset", "tiny", "--out", out.toString(), "--eval-size", "15", "--tsne-points", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("weighted k-NN (k=10, T=0.07), 15 memory"), r.out());
        assertFalse(r.out().contains("k=20"), r.out());
    }

    @Test
    void helpTextsSayWhatTheCommandsDo() {
        DinoCommandTest.Result r = run("--help");
        List<String> lines = r.out().lines().toList();
        int at = 0;
        while (!lines.get(at).trim().startsWith("ablate ")) at++;
        StringBuilder ablate = new StringBuilder(lines.get(at).trim());
        while (at + 1 < lines.size() && lines.get(at + 1).startsWith("     ")) ablate.append(' ').append(lines.get(++at).trim());
        assertTrue(ablate.toString().endsWith("."), "a whole sentence: " + ablate);
        r = run("eval", "tsne", "--help");
        assertFalse(r.out().contains("--eval-size"), "t-SNE draws held-out points only:\n" + r.out());
        r = run("eval", "knn", "--help");
        assertTrue(r.out().replaceAll("\\s+", " ").contains("also for a .zip in RUN_DIR/checkpoints"), r.out());
        r = run("train", "--help");
        assertTrue(r.out().replaceAll("\\s+", " ").contains("starts with '{', else YAML"), r.out());
        // the default --out of an evaluation of a checkpoint file is the run's eval/ folder
        Path zip = run.resolve("checkpoints/ckpt-000000008.zip");
        r = run("eval", "knn", "--checkpoint", zip.toString(), "--k", "5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("wrote " + run.resolve("eval/knn.json")), r.err());
        // the teacher-backbone.sd that dino train writes is named as what it is
        assertOneErrorLine(run("attention", "--model", run.resolve("teacher-backbone.sd").toString(), "--data", "synthetic"),
                "SameDiff backbone export", "--checkpoint RUN_DIR");
    }
}

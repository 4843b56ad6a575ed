package org.dino4j.train.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.dino4j.train.checkpoint.CheckpointStore;
import org.dino4j.train.monitor.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The {@code dino} command line, end to end on the tiny preset (a real DinoModel, synthetic data). */
public class DinoCommandTest {
    @TempDir
    Path tmp;

    /** Exit code, stdout and stderr of one command. */
    public record Result(int code, String out, String err) {}

    /** Runs one {@code dino} command in this JVM, capturing its output. */
    public static synchronized Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            var cl = DinoCommand.commandLine();
            cl.setOut(new java.io.PrintWriter(System.out, true));
            cl.setErr(new java.io.PrintWriter(System.err, true));
            int code = cl.execute(args);
            return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void usageErrorsAndConfigErrorsFailBeforeAnyWork() {
        Result r = run("train");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--out"), r.err());

        Path out = tmp.resolve("bad");
        r = run("train", "--preset", "tiny", "--set", "teacher.teacherTemp=-0.5", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("teacher.teacherTemp must be > 0, got -0.5"), r.err());
        assertFalse(Files.exists(out), "nothing was created");

        r = run("train", "--preset", "tiny", "--set", "optim.lrr=1", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("optim.lrr"), r.err());

        r = run("train", "--preset", "tiny", "--data", "idx:" + tmp.resolve("nowhere"), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("nowhere"), r.err());
        assertFalse(Files.exists(out), "nothing was created");

        r = run("train", "--preset", "nope", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("\"nope\""), r.err());

        // dino spark lives in dino-spark's job jar: reached here only when the ./dino launcher was bypassed
        r = run("spark", "embed", "--images", "x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("dino: error: 'dino spark' runs dino-spark's job jar"), r.err());
        assertTrue(run("--help").out().contains("spark"), "dino --help lists spark");

        r = run("train", "--preset", "tiny", "--out", out.toString(), "--dry-run", "--epochs", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epochs: 3"), r.out());
    }

    /**
     * The {@code -Ddino4j.*} overrides are read by {@code DinoCommand.main} (a child JVM, started as {@code ./dino}
     * starts it): they reach the kernels and the models, and a bad value is one error line with exit code 2.
     */
    @Test
    void jvmPropertyOverridesReachTheKernelsAndTheModelsAndBadValuesAreOneError() throws Exception {
        Result r = ChildJvm.dino(java.util.Map.of("JAVA_TOOL_OPTIONS", "-Ddino4j.simd=on"), null, List.of("--version"));
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().lines().anyMatch(
                l -> l.equals("dino: error: system property dino4j.simd must be auto or off, got 'on'")), r.out());
        r = ChildJvm.dino(java.util.Map.of("JAVA_TOOL_OPTIONS", "-Ddino4j.samediff.memory=none"), null,
                List.of("train", "--preset", "tiny", "--out", tmp.resolve("never").toString()));
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("dino: error: system property dino4j.samediff.memory must be auto, release or gc, "
                + "got 'none'"), r.out());
        assertFalse(Files.exists(tmp.resolve("never")), "nothing was created");

        Path out = tmp.resolve("overridden");
        r = ChildJvm.dino(java.util.Map.of("JAVA_TOOL_OPTIONS", "--add-modules=jdk.incubator.vector -Ddino4j.simd=off "
                        + "-Ddino4j.samediff.memory=gc"), null,
                List.of("train", "--preset", "tiny", "--no-eval", "--set", "run.knnEveryEpochs=0", "--stop-after", "2",
                        "--out", out.toString()));
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("SIMD kernels off, SameDiff memory gc"), r.out());
    }

    @Test
    void anExistingRunDirectoryIsNeverOverwritten() throws Exception {
        Path out = tmp.resolve("taken");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "mine");
        Result r = run("train", "--preset", "tiny", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--resume"), r.err());
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        try (var s = Files.list(out)) {
            assertEquals(1, s.count());
        }
        r = run("train", "--out", tmp.resolve("fresh").toString(), "--resume");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no config.yaml"), r.err());
    }

    @Test
    void trainsEvaluatesAndReportsThenEvalAndReportCommandsWork() throws Exception {
        Path out = tmp.resolve("run");
        Result r = run("train", "--preset", "tiny", "--out", out.toString(), "--tsne-points", "24");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("DINO (teacher)") && r.out().contains("raw pixels") && r.out().contains("random-init"), r.out());
        assertTrue(r.out().contains("report:"), r.out());
        assertFalse(r.out().contains("uses all"), "memory = all 64 training images: no hint\n" + r.out());
        for (String f : List.of("config.yaml", "metrics.jsonl", "teacher-backbone.sd", "knn.json", "baselines.json",
                "tsne.png", "tsne.csv", "report.html")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("DINO vs baselines"), "baselines table in the report");
        List<JsonNode> m = MetricsLog.read(out.resolve("metrics.jsonl"));
        assertEquals(8 + 1, m.size(), "8 iterations (64 images / batch 8) + 1 epoch line");
        assertTrue(m.get(8).has("knn_top1"), "online k-NN every epoch");
        assertEquals(8, new CheckpointStore(out.resolve("checkpoints"), 1).loadLatest().orElseThrow().iteration());

        r = run("eval", "knn", "--checkpoint", out.toString(), "--k", "5,10");
        assertEquals(0, r.code(), r.err());
        JsonNode knn = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals(2, knn.get("results").size());
        assertTrue(Files.isRegularFile(out.resolve("eval/knn.json")));

        r = run("eval", "embed", "--checkpoint", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("eval/test_embeddings.npy")));

        Files.delete(out.resolve("report.html"));
        r = run("report", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("report.html")));

        // resuming a finished run only re-evaluates it; a memory smaller than the training set says so
        r = run("train", "--out", out.toString(), "--resume", "--eval-size", "32", "--tsne-points", "24");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("32 memory / "), r.out());
        assertTrue(r.out().contains("memory = 32 of the 64 training images, spread evenly; --eval-size 64 uses all"), r.out());
        assertEquals(32, new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("baselines.json").toFile()).get("memory").asInt());
        assertEquals(8, MetricsLog.read(out.resolve("metrics.jsonl")).size() - 1, "no step trained again");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "threads={0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
    void aStoppedAndResumedRunReproducesTheUninterruptedLossesWithTheRealModel(int threads) throws Exception {
        Path a = tmp.resolve("a" + threads), b = tmp.resolve("b" + threads);
        String[] common = {"train", "--preset", "tiny", "--epochs", "2", "--set", "run.knnEveryEpochs=0", "--no-eval",
                "--threads", String.valueOf(threads)};
        Result r = run(concat(common, "--out", a.toString()));
        assertEquals(0, r.code(), r.err());
        r = run(concat(common, "--out", b.toString(), "--stop-after", "5"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("stopped at iteration 5 of 16"), r.out());
        r = run("train", "--out", b.toString(), "--resume", "--no-eval");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("resuming"), r.err());
        List<Double> la = iterLosses(a), lb = iterLosses(b);
        assertEquals(16, la.size());
        assertEquals(la, lb, "per-iteration losses of the resumed run");
        assertArrayEquals(CheckpointStore.load(new CheckpointStore(a.resolve("checkpoints"), 1).latestFile().orElseThrow()).teacher(),
                CheckpointStore.load(new CheckpointStore(b.resolve("checkpoints"), 1).latestFile().orElseThrow()).teacher(),
                "final teacher weights");
    }

    private static List<Double> iterLosses(Path run) throws Exception {
        return MetricsLog.read(run.resolve("metrics.jsonl")).stream().filter(n -> n.get("type").asText().equals("iter"))
                .map(n -> n.get("loss").asDouble()).toList();
    }

    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}

package org.dino4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.dino4j.core.DinoRuntime;
import org.dino4j.train.CoreNetwork;
import org.dino4j.train.CropBatch;
import org.dino4j.train.DinoTrainer;
import org.dino4j.train.config.DataConfig;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.run.RuntimeOverrides;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The side-by-side step benchmark: in one run, dino4j's training step ({@link DinoTrainer#step} plus whatever the
 * trainer does after every step) and PyTorch's (the official {@code main_dino.py} step, {@code python/dino_step.py})
 * on the same network, the same fixed batch of crops and the same number of threads, with their ratio.
 *
 * <p>Per (network, threads): dino4j first (median of {@code --steps} steps after {@code --warmup}), then PyTorch with
 * GroupNorm (the same network) and BatchNorm (the speed PyTorch reaches with its favourite normalisation), each in
 * a fresh process fed the very crops dino4j used. The ratio printed is dino4j / PyTorch-GroupNorm: below 1 means
 * dino4j's step is faster.
 *
 * <pre>
 *   dino-bench/side-by-side.sh                       # peer and proto, 1 and 2 threads
 *   dino-bench/side-by-side.sh --nets peer --threads 2 --steps 20
 * </pre>
 *
 * Options: {@code --nets peer,proto}, {@code --threads 1,2}, {@code --steps 10}, {@code --warmup 3},
 * {@code --rounds 2}, {@code --python /usr/bin/python3}, {@code --script dino-bench/python/dino_step.py},
 * {@code --json FILE} (all results as one JSON array); for the whole loop ({@link WholeLoop}, at the largest thread
 * count) {@code --loop-steps 20} steps per round and side, {@code --loop-rounds} rounds (default: {@code --rounds};
 * a round's loop/step ratio moves by ±0.1 on a 2-vCPU machine, so a median of 9 rounds is steadier than of
 * 3), or {@code --no-loop}.
 */
public final class SideBySide {

    /** {@code -Dprofile=true}: print the per-op times of dino4j's execution plans. */
    private static final boolean PROFILE = Boolean.getBoolean("profile");

    private SideBySide() {
    }

    /** One measured configuration: dino4j's median step, PyTorch's (median of the rounds' medians), dino4j's phases. */
    record Row(String net, int threads, double dino4jS, double dino4jMinS, Double torchGnS, Double torchBnS, String phases) {
    }

    /**
     * Runs the benchmark (see the class comment for the options).
     *
     * @param args options
     * @throws Exception when a run fails
     */
    public static void main(String[] args) throws Exception {
        RuntimeOverrides.applyProcessWide();
        List<String> nets = List.of("peer", "proto");
        List<Integer> threads = List.of(1, 2);
        int steps = 10;
        int warmup = 3;
        int rounds = 2;
        String python = "/usr/bin/python3";
        Path script = Path.of("dino-bench/python/dino_step.py");
        Path json = null;
        boolean loop = true;
        int loopSteps = 20;
        Integer loopRounds = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--no-loop")) {
                loop = false;
                continue;
            }
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--nets" -> nets = Arrays.asList(require(args[i], v).split(","));
                case "--threads" -> threads = Arrays.stream(require(args[i], v).split(",")).map(Integer::valueOf).toList();
                case "--steps" -> steps = Integer.parseInt(require(args[i], v));
                case "--warmup" -> warmup = Integer.parseInt(require(args[i], v));
                case "--rounds" -> rounds = Integer.parseInt(require(args[i], v));
                case "--python" -> python = require(args[i], v);
                case "--script" -> script = Path.of(require(args[i], v));
                case "--json" -> json = Path.of(require(args[i], v));
                case "--loop-steps" -> loopSteps = Integer.parseInt(require(args[i], v));
                case "--loop-rounds" -> loopRounds = Integer.parseInt(require(args[i], v));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--nets, --threads, --steps,"
                        + " --warmup, --rounds, --python, --script, --json, --loop-steps, --loop-rounds, --no-loop)");
            }
            i++;
        }
        for (String n : nets) {
            StepNetworks.model(n); // validates the name before anything runs
        }
        String torch = torchStatus(python, script);
        List<Row> rows = new ArrayList<>();
        for (String net : nets) {
            for (int t : threads) {
                rows.add(measure(net, t, steps, warmup, rounds, python, script, torch));
            }
        }
        List<WholeLoop.Result> loops = new ArrayList<>();
        if (loop) {
            int t = threads.stream().mapToInt(Integer::intValue).max().orElse(1);
            for (String net : nets) {
                BenchEnv.setUp("SideBySide loop net=" + net, t);
                loops.add(WholeLoop.measure(net, t, loopSteps, loopRounds == null ? rounds : loopRounds, warmup,
                        torch == null ? python : null, script));
            }
        }
        System.out.println();
        System.out.println(table(rows, steps, warmup, rounds));
        if (!loops.isEmpty()) {
            System.out.println(loopTable(rows, loops));
        }
        if (torch != null) {
            System.out.println("PyTorch: " + torch);
        }
        if (json != null) {
            Files.writeString(json, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(
                    java.util.Map.of("steps", rows, "loops", loops)));
        }
    }

    private static String require(String opt, String v) {
        if (v == null) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return v;
    }

    /** Null when the PyTorch half can run, else the one line explaining why not and how to install it. */
    static String torchStatus(String python, Path script) {
        if (!Files.isRegularFile(script)) {
            return "PyTorch half skipped: " + script + " not found (run from the repository root)";
        }
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch, numpy; print(torch.__version__)")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "PyTorch half skipped: " + python + " cannot import torch and numpy (install them with: apt-get install "
                        + "python3-torch libopenblas0-openmp)";
            }
            return null;
        } catch (IOException e) {
            return "PyTorch half skipped: " + python + " not found (apt-get install python3-torch libopenblas0-openmp)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "PyTorch half skipped: interrupted";
        }
    }

    private static Row measure(String net, int threads, int steps, int warmup, int rounds, String python, Path script,
                               String torchMissing) throws Exception {
        BenchEnv.setUp("SideBySide net=" + net, threads);
        DinoConfig cfg = StepNetworks.config(net, threads);
        DataConfig d = cfg.data();
        CoreNetwork student = CoreNetwork.create(cfg.model(), d.channels(), cfg.run().seed());
        CoreNetwork teacher = student.copy();
        CropBatch batch = TrainStepBenchmark.referenceBatch(d);
        Path runDir = Files.createTempDirectory("dino4j-side-by-side");
        Path crops = Files.createTempFile("dino4j-crops", ".npz");
        writeNpz(crops, batch);
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        double[] times = new double[steps * rounds];
        double[] gn = new double[rounds];
        double[] bn = new double[rounds];
        String phases;
        try (DinoTrainer trainer = DinoRuntime.quietly(() -> {
            try {
                return new DinoTrainer(cfg, student, teacher,
                        new TrainStepBenchmark.OneBatch(batch, d.batchSize(), d.crops().numLocal()),
                        new DinoTrainer.Output(runDir, nowhere, false));
            } catch (IOException e) {
                throw new IllegalStateException("cannot create the trainer in " + runDir, e);
            }
        })) {
            int it = 0;
            for (int round = 0; round < rounds; round++) {
                // rounds interleave the two frameworks, so a slower minute of a shared machine hits both
                for (int i = 0; i < (round == 0 ? warmup : 0) + steps; i++) {
                    boolean measured = round > 0 || i >= warmup;
                    if (round == 0 && i == warmup) {
                        trainer.timer().reset();
                        if (PROFILE) {
                            student.model().plans().profile(true);
                            teacher.model().plans().profile(true);
                        }
                    }
                    long t0 = System.nanoTime();
                    trainer.timer().start();
                    int at = TrainStepBenchmark.ITERS + it++ % TrainStepBenchmark.ITERS;
                    DinoRuntime.quietly(() -> trainer.step(batch, 1, at));
                    if (cfg.run().gcEveryIters() > 0 && it % cfg.run().gcEveryIters() == 0) {
                        System.gc(); // what the trainer's loop does after a step (run.gcEveryIters)
                    }
                    if (measured) {
                        times[round * steps + i - (round == 0 ? warmup : 0)] = (System.nanoTime() - t0) / 1e9;
                    }
                }
                if (torchMissing == null) {
                    gn[round] = stepSeconds(runTorch(python, script, net, "gn", threads, steps, warmup, crops));
                    bn[round] = stepSeconds(runTorch(python, script, net, "bn", threads, steps, warmup, crops));
                }
            }
            phases = trainer.timer().summary();
            if (PROFILE) {
                printProfiles(student, teacher, steps * rounds);
            }
        } finally {
            deleteTree(runDir);
            Files.deleteIfExists(crops);
        }
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        double median = median(sorted);
        System.out.printf(Locale.ROOT, "dino4j  %-5s threads %d: %.3f s per step (min %.3f), %s%n", net, threads, median,
                sorted[0], phases);
        Double gnS = torchMissing == null ? median(sortedCopy(gn)) : null;
        Double bnS = torchMissing == null ? median(sortedCopy(bn)) : null;
        if (gnS != null) {
            System.out.printf(Locale.ROOT, "pytorch %-5s threads %d: GroupNorm %s s, BatchNorm %s s per step (median per round)%n",
                    net, threads, Arrays.toString(gn), Arrays.toString(bn));
        }
        return new Row(net, threads, median, sorted[0], gnS, bnS, phases);
    }

    static double[] sortedCopy(double[] a) {
        double[] c = a.clone();
        Arrays.sort(c);
        return c;
    }

    private static void printProfiles(CoreNetwork student, CoreNetwork teacher, int steps) {
        for (CoreNetwork n : new CoreNetwork[] {student, teacher}) {
            (Boolean.getBoolean("profile.shapes") ? n.model().plans().profilesByShape() : n.model().plans().profiles()).forEach((k, prof) -> {
                System.out.println("PLAN " + k);
                long total = prof.values().stream().mapToLong(v -> v[0]).sum();
                System.out.printf(Locale.ROOT, "  total %.1f ms per step%n", total / 1e6 / steps);
                prof.forEach((op, v) -> System.out.printf(Locale.ROOT, "  %-44s %8.1f ms %5d ops%n", op, v[0] / 1e6 / steps, v[1]));
            });
        }
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double stepSeconds(String json) throws IOException {
        JsonNode n = new ObjectMapper().readTree(json);
        if (!n.has("step_s")) {
            throw new IOException("PyTorch printed no step_s: " + json);
        }
        return n.get("step_s").asDouble();
    }

    /** Writes the batch's crops as a NumPy {@code .npz} (arrays {@code globals}, {@code locals}). */
    static void writeNpz(Path file, CropBatch b) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            z.putNextEntry(new ZipEntry("globals.npy"));
            z.write(Nd4j.toNpyByteArray(b.globals().dup('c')));
            z.closeEntry();
            z.putNextEntry(new ZipEntry("locals.npy"));
            INDArray locals = b.locals() == null ? Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 0) : b.locals();
            z.write(Nd4j.toNpyByteArray(locals.dup('c')));
            z.closeEntry();
        }
    }

    private static String runTorch(String python, Path script, String net, String norm, int threads, int steps,
                                   int warmup, Path crops) throws IOException, InterruptedException {
        List<String> cmd = List.of(python, script.toString(), "--mode", "step", "--net", net, "--norm", norm,
                "--threads", String.valueOf(threads), "--steps", String.valueOf(steps), "--warmup", String.valueOf(warmup),
                "--crops", crops.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IOException("PyTorch run failed (" + String.join(" ", cmd) + "): " + out);
        }
        String[] lines = out.split("\n");
        return lines[lines.length - 1];
    }

    static String table(List<Row> rows, int steps, int warmup, int rounds) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d interleaved rounds of %d steps (after %d warm-up steps): dino4j the median "
                + "step, PyTorch the median of its rounds' medians; B 256, 2 x 28^2 + 6 x 12^2 crops, head 512-512-128, "
                + "K 4096 (%s, load %s)%n", rounds, steps, warmup, BenchEnv.cpuModel(), BenchEnv.loadAverage()));
        sb.append("| network | threads | dino4j (GroupNorm) | PyTorch GroupNorm | PyTorch BatchNorm | dino4j / PyTorch-GN |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.3f s (%.0f img/s) | %s | %s | %s |%n", r.net(), r.threads(),
                    r.dino4jS(), 256 / r.dino4jS(), secs(r.torchGnS()), secs(r.torchBnS()),
                    r.torchGnS() == null ? "—" : String.format(Locale.ROOT, "**%.2f**", r.dino4jS() / r.torchGnS())));
        }
        return sb.toString();
    }

    static String loopTable(List<Row> rows, List<WholeLoop.Result> loops) {
        StringBuilder sb = new StringBuilder();
        WholeLoop.Result first = loops.get(0);
        sb.append(String.format(Locale.ROOT, "Whole loop: %d rounds, each %d steps of `DinoTrainer.train` on the synthetic data "
                + "(augmentation in the loader's threads) then %d steps of `DinoTrainer.step` alone on a fixed batch, in the same "
                + "trainer; PyTorch's loop over the same crops (held in memory)%n", first.rounds(), first.steps(), first.steps()));
        sb.append("| network | threads | dino4j step alone (same rounds) | dino4j loop | loop / step (median of rounds) | "
                + "PyTorch loop | dino4j loop / PyTorch loop |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        for (WholeLoop.Result l : loops) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.0f img/s | %.0f img/s | **%.2f** | %s | %s |%n", l.net(), l.threads(),
                    l.stepOnlyImagesPerS(), l.dino4jImagesPerS(), l.loopOverStep(),
                    l.pytorchImagesPerS() == null ? "—" : String.format(Locale.ROOT, "%.0f img/s", l.pytorchImagesPerS()),
                    l.pytorchImagesPerS() == null ? "—" : String.format(Locale.ROOT, "%.2f", l.dino4jImagesPerS() / l.pytorchImagesPerS())));
        }
        return sb.toString();
    }

    private static String secs(Double s) {
        return s == null ? "—" : String.format(Locale.ROOT, "%.3f s (%.0f img/s)", s, 256 / s);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

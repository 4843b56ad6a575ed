package org.dino4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.dino4j.core.DinoRuntime;
import org.dino4j.train.CoreNetwork;
import org.dino4j.train.CropBatch;
import org.dino4j.train.CropBatches;
import org.dino4j.train.DinoTrainer;
import org.dino4j.train.config.DataConfig;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.run.TrainData;

/**
 * The whole training loop side by side: dino4j's {@link DinoTrainer#train} (augmentation in the loader's background
 * threads, the step, metrics) on the synthetic data against PyTorch's loop over the very crops dino4j's loader made
 * (written to {@code .npz} files first, all in memory before PyTorch's clock starts: PyTorch pays no augmentation).
 */
final class WholeLoop {

    /**
     * One measured loop: images/s of dino4j's loop, of its step alone on a fixed batch in the same rounds, the
     * median of the rounds' loop/step ratios, and PyTorch's loop (null when PyTorch is missing).
     */
    record Result(String net, int threads, int workers, int steps, int rounds, double dino4jImagesPerS,
                  double stepOnlyImagesPerS, double loopOverStep, Double pytorchImagesPerS) {
    }

    private WholeLoop() {
    }

    /**
     * Rounds alternate, in one trainer, {@code steps} steps of {@link DinoTrainer#train} (the loader's workers
     * augmenting the next batches meanwhile) with {@code steps} calls of {@link DinoTrainer#step} on one fixed batch
     * (the workers idle), so that a slower minute of a shared machine hits both sides of the ratio. The loop's time
     * leaves out the checkpoint that {@code train} writes when it stops inside an epoch (a cost per stop, measured
     * separately) but keeps the restart of the loader's pipeline at the start of each round (the loader starts
     * where the trainer resumes, without building the batches before).
     *
     * @param net the network ({@link StepNetworks#model})
     * @param threads step threads
     * @param steps measured steps per round and side, after {@code warmup}
     * @param rounds rounds
     * @param python PyTorch's interpreter, null to skip PyTorch
     * @param script {@code python/dino_step.py}
     */
    static Result measure(String net, int threads, int steps, int rounds, int warmup, String python, Path script)
            throws Exception {
        DinoConfig base = StepNetworks.config(net, threads);
        DataConfig d = base.data();
        DinoConfig cfg = base;
        CoreNetwork student = CoreNetwork.create(cfg.model(), d.channels(), cfg.run().seed());
        CoreNetwork teacher = student.copy();
        CropBatch fixed = TrainStepBenchmark.referenceBatch(d);
        Path runDir = Files.createTempDirectory("dino4j-loop");
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        double[] loopS = new double[rounds];
        double[] stepS = new double[rounds];
        double[] ratio = new double[rounds];
        double checkpointS;
        TrainData data = TrainData.open(d);
        try (CropBatches batches = data.loader(d, cfg.run().seed(), StepNetworks.model(net).minInputSize());
             DinoTrainer trainer = DinoRuntime.quietly(() -> {
                 try {
                     return new DinoTrainer(cfg, student, teacher, batches, new DinoTrainer.Output(runDir, nowhere, false));
                 } catch (IOException e) {
                     throw new IllegalStateException("cannot create the trainer in " + runDir, e);
                 }
             })) {
            if (warmup + rounds * steps > trainer.schedules().totalIters()) {
                throw new IllegalArgumentException("warmup + rounds·steps must be <= " + trainer.schedules().totalIters());
            }
            DinoRuntime.quietly(() -> {
                try {
                    trainer.train(warmup);
                    for (int i = 0; i < 3; i++) {
                        trainer.step(fixed, 0, i); // the fixed batch's shapes are the loader's: plans already made
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            });
            double[] cp = new double[3];
            for (int i = 0; i < cp.length; i++) {
                long c0 = System.nanoTime();
                trainer.saveCheckpoint();
                cp[i] = (System.nanoTime() - c0) / 1e9;
            }
            Arrays.sort(cp);
            checkpointS = cp[1];
            long done = warmup;
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                trainer.train(done + steps);
                done += steps;
                loopS[r] = ((System.nanoTime() - t0) / 1e9 - checkpointS) / steps;
                Thread.sleep(1000); // the workers finish the batches they had prefetched: the step alone runs alone
                long t1 = System.nanoTime();
                for (int i = 0; i < steps; i++) {
                    trainer.step(fixed, 0, (int) done - 1);
                }
                stepS[r] = (System.nanoTime() - t1) / 1e9 / steps;
                ratio[r] = stepS[r] / loopS[r];
            }
        } finally {
            fixed.release();
            deleteTree(runDir);
        }
        double loopIps = d.batchSize() / SideBySide.median(SideBySide.sortedCopy(loopS));
        double stepIps = d.batchSize() / SideBySide.median(SideBySide.sortedCopy(stepS));
        double loopOverStep = SideBySide.median(SideBySide.sortedCopy(ratio));
        System.out.printf(Locale.ROOT, "dino4j  %-5s threads %d loop (loader workers %d): %.0f images/s; step alone in the "
                        + "same rounds %.0f images/s; loop/step per round %s (median %.2f); checkpoint at a stop %.0f ms%n",
                net, threads, d.workers(), loopIps, stepIps, Arrays.toString(round2(ratio)), loopOverStep, checkpointS * 1e3);
        Double torch = null;
        if (python != null) {
            Path dir = Files.createTempDirectory("dino4j-loop-crops");
            try {
                writeCrops(d, cfg.run().seed(), StepNetworks.model(net).minInputSize(), warmup + rounds * steps, dir);
                torch = runTorch(python, script, net, threads, warmup, dir);
            } finally {
                deleteTree(dir);
            }
            System.out.printf(Locale.ROOT, "pytorch %-5s threads %d loop over the same crops: %.0f images/s%n", net, threads,
                    torch);
        }
        return new Result(net, threads, d.workers(), steps, rounds, loopIps, stepIps, loopOverStep, torch);
    }

    private static double[] round2(double[] v) {
        double[] c = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            c[i] = Math.round(v[i] * 100) / 100.0;
        }
        return c;
    }

    /** The first {@code n} batches of the run (epoch 0, then 1, …), exactly as the trainer receives them, as {@code batch-NNNN.npz}. */
    private static void writeCrops(DataConfig d, long seed, int minInputSize, int n, Path dir) throws IOException {
        try (CropBatches batches = TrainData.open(d).loader(d, seed, minInputSize)) {
            int epoch = 0;
            Iterator<CropBatch> it = batches.epoch(epoch, 0);
            for (int i = 0; i < n; i++) {
                if (!it.hasNext()) {
                    it = batches.epoch(++epoch, 0);
                }
                CropBatch b = it.next();
                SideBySide.writeNpz(dir.resolve(String.format(Locale.ROOT, "batch-%04d.npz", i)), b);
                b.release();
            }
        }
    }

    private static double runTorch(String python, Path script, String net, int threads, int warmup, Path dir)
            throws IOException, InterruptedException {
        List<String> cmd = List.of(python, script.toString(), "--mode", "loop", "--net", net, "--norm", "gn", "--threads",
                String.valueOf(threads), "--warmup", String.valueOf(warmup), "--crops-dir", dir.toString());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IOException("PyTorch loop failed (" + String.join(" ", cmd) + "): " + out);
        }
        String[] lines = out.split("\n");
        JsonNode j = new ObjectMapper().readTree(lines[lines.length - 1]);
        return j.get("images_per_s").asDouble();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

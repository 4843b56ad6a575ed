package org.dino4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** One measured loop: images/s of dino4j's loop and PyTorch's loop (null when PyTorch is missing). */
    record Result(String net, int threads, int workers, int steps, double dino4jImagesPerS, Double pytorchImagesPerS) {
    }

    private WholeLoop() {
    }

    /**
     * @param net the network ({@link StepNetworks#model})
     * @param threads step threads
     * @param steps measured steps after {@code warmup}
     * @param python PyTorch's interpreter, null to skip PyTorch
     * @param script {@code python/dino_step.py}
     */
    static Result measure(String net, int threads, int steps, int warmup, String python, Path script) throws Exception {
        DinoConfig base = StepNetworks.config(net, threads);
        DataConfig d = base.data();
        DinoConfig cfg = base;
        CoreNetwork student = CoreNetwork.create(cfg.model(), d.channels(), cfg.run().seed());
        CoreNetwork teacher = student.copy();
        Path runDir = Files.createTempDirectory("dino4j-loop");
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        double imagesPerS;
        TrainData data = TrainData.open(d);
        try (CropBatches batches = data.loader(d, cfg.run().seed(), StepNetworks.model(net).minInputSize());
             DinoTrainer trainer = DinoRuntime.quietly(() -> {
                 try {
                     return new DinoTrainer(cfg, student, teacher, batches, new DinoTrainer.Output(runDir, nowhere, false));
                 } catch (IOException e) {
                     throw new IllegalStateException("cannot create the trainer in " + runDir, e);
                 }
             })) {
            if (warmup + steps > trainer.schedules().totalIters()) {
                throw new IllegalArgumentException("steps + warmup must be <= " + trainer.schedules().totalIters());
            }
            DinoRuntime.quietly(() -> {
                try {
                    trainer.train(warmup);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            });
            long t0 = System.nanoTime();
            trainer.train(warmup + steps);
            imagesPerS = (double) steps * d.batchSize() / ((System.nanoTime() - t0) / 1e9);
        } finally {
            deleteTree(runDir);
        }
        System.out.printf(Locale.ROOT, "dino4j  %-5s threads %d loop (loader workers %d): %.0f images/s%n", net, threads,
                d.workers(), imagesPerS);
        Double torch = null;
        if (python != null) {
            Path dir = Files.createTempDirectory("dino4j-loop-crops");
            try {
                writeCrops(d, cfg.run().seed(), StepNetworks.model(net).minInputSize(), warmup + steps, dir);
                torch = runTorch(python, script, net, threads, warmup, dir);
            } finally {
                deleteTree(dir);
            }
            System.out.printf(Locale.ROOT, "pytorch %-5s threads %d loop over the same crops: %.0f images/s%n", net, threads,
                    torch);
        }
        return new Result(net, threads, d.workers(), steps, imagesPerS, torch);
    }

    /** The first {@code n} batches of epoch 0, exactly as the trainer receives them, as {@code batch-NNNN.npz}. */
    private static void writeCrops(DataConfig d, long seed, int minInputSize, int n, Path dir) throws IOException {
        try (CropBatches batches = TrainData.open(d).loader(d, seed, minInputSize)) {
            Iterator<CropBatch> it = batches.epoch(0, 0);
            for (int i = 0; i < n; i++) {
                SideBySide.writeNpz(dir.resolve(String.format(Locale.ROOT, "batch-%04d.npz", i)), it.next());
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

package org.dino4j.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.dino4j.augment.MultiCropBatch;
import org.dino4j.augment.MultiCropConfig;
import org.dino4j.augment.MultiCropTransform;
import org.dino4j.augment.data.SyntheticDataset;
import org.dino4j.core.DinoRuntime;
import org.dino4j.train.CoreNetwork;
import org.dino4j.train.CropBatch;
import org.dino4j.train.CropBatches;
import org.dino4j.train.DinoTrainer;
import org.dino4j.train.config.DataConfig;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.config.ModelConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One full DINO training step (Caron et al. 2021, Alg. 1) of the reference config ({@link #referenceConfig}:
 * small GroupNorm ResNet 32-64-128, head 512/128/K 4096, batch 256, 2 × 28² + 6 × 12² crops) through
 * {@link DinoTrainer#step}: teacher forward, student forward + backward with the DINO loss, clipping, AdamW, EMA,
 * center. The batch is built once (augmentation is measured by {@link AugmentBenchmark}); the step is taken in
 * epoch 1 so the last layer is not frozen (full AdamW work). After every measurement iteration the trainer's
 * per-phase times are printed ({@code # PHASES ...}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g", "-Dorg.bytedeco.javacpp.maxbytes=6G",
        "-Dorg.bytedeco.javacpp.maxphysicalbytes=10G"})
@State(Scope.Benchmark)
public class TrainStepBenchmark {

    /** Iterations per epoch of the schedules; the steps cycle through the iterations of epoch 1. */
    static final int ITERS = 10;

    /** ND4J (OpenMP/BLAS) and kernel threads (the reference config uses 1). */
    @Param({"1"})
    public int threads;

    /** The network, see {@link StepNetworks#model}: {@code peer}, {@code proto} or {@code small28}. */
    @Param({"small28"})
    public String model;

    private DinoTrainer trainer;
    private CropBatch batch;
    private Path runDir;
    private long iteration;

    /** Builds student, teacher, trainer and one augmented batch; prints the environment. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        BenchEnv.setUp("TrainStepBenchmark reference config", threads);
        DinoConfig cfg = referenceConfig(threads, model);
        DataConfig d = cfg.data();
        CoreNetwork student = CoreNetwork.create(cfg.model(), d.channels(), cfg.run().seed());
        CoreNetwork teacher = student.copy();
        batch = referenceBatch(d);
        runDir = Files.createTempDirectory("dino4j-bench-train");
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        trainer = DinoRuntime.quietly(() -> {
            try {
                return new DinoTrainer(cfg, student, teacher, new OneBatch(batch, d.batchSize(), d.crops().numLocal()),
                        new DinoTrainer.Output(runDir, nowhere, false));
            } catch (IOException e) {
                throw new IllegalStateException("cannot create the trainer in " + runDir, e);
            }
        });
        // the first step creates the gradient function (prints one line per op)
        DinoRuntime.quietly(() -> step());
    }

    /** The step configuration of {@link StepNetworks#config} for {@code model}. */
    static DinoConfig referenceConfig(int threads, String model) {
        return StepNetworks.config(model, threads);
    }

    /** The reference batch: synthetic 28² images through DINO's multi-crop recipe with the config's sizes. */
    static CropBatch referenceBatch(DataConfig d) {
        SyntheticDataset ds = new SyntheticDataset(d.syntheticSize(), d.imageSize(), d.imageSize(), d.channels(), 1);
        MultiCropConfig mc = d.crops();
        int[] idx = new int[d.batchSize()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        MultiCropBatch b = MultiCropTransform.forDataset(mc, ds).batch(ds, idx, 2, 0);
        return new CropBatch(b.globals(), b.locals(), b.labels());
    }

    /** Clears the per-phase timer before each iteration. */
    @Setup(Level.Iteration)
    public void resetTimer() {
        trainer.timer().reset();
    }

    /** Prints the per-phase times of the iteration. */
    @TearDown(Level.Iteration)
    public void phases() {
        System.out.println("# PHASES " + trainer.timer().summary());
    }

    /**
     * Frees the step's graph outputs after every step, outside the timed region (off-heap memory is released
     * only when the Java GC runs, docs/nd4j-pitfalls.md; without this a few steps reach ~10 GB). A step takes
     * seconds, so JMH's per-invocation hooks cost nothing measurable here.
     */
    @TearDown(Level.Invocation)
    public void gc() {
        System.gc();
    }

    /** Closes the trainer and deletes its run directory. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        trainer.close();
        try (var files = Files.walk(runDir)) {
            files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** One training step; returns the loss. */
    @Benchmark
    public double step() {
        trainer.timer().start();
        return trainer.step(batch, 1, ITERS + iteration++ % ITERS);
    }

    /** A {@link CropBatches} serving one fixed batch (the step benchmark never iterates it). */
    static final class OneBatch implements CropBatches {
        private final CropBatch batch;
        private final int batchSize;
        private final int numLocal;

        OneBatch(CropBatch batch, int batchSize, int numLocal) {
            this.batch = batch;
            this.batchSize = batchSize;
            this.numLocal = numLocal;
        }

        @Override
        public int batchSize() {
            return batchSize;
        }

        @Override
        public int numLocal() {
            return numLocal;
        }

        @Override
        public int itersPerEpoch() {
            return ITERS;
        }

        @Override
        public Iterator<CropBatch> epoch(int epoch, int from) {
            return Collections.nCopies(ITERS - from, batch).iterator();
        }

        @Override
        public void close() {
        }
    }
}

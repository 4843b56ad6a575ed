package org.dino4j.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.dino4j.core.loss.DinoLoss;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * Center update c ← m·c + (1−m)·mean_rows(z_t) (Caron et al. 2021, eq. 4), m = 0.9, over teacher logits
 * {@code [2B, K]} (seeded uniform in [−1, 1)): dino4j's kernel ({@link DinoLoss#updateCenter}) against the ND4J one-liner
 * {@code c.muli(m).addi(z.mean(true, 0).muli(1−m))}. Bytes read: 2B·K·4 (one pass over z_t).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@State(Scope.Benchmark)
public class CenterBenchmark {

    /** The center momentum m (DINO default). */
    public static final double MOMENTUM = 0.9;

    /** B, images per batch (the teacher sees 2B global crops). */
    @Param({"64", "256"})
    public int batch;
    /** K, logits per row. */
    @Param({"4096", "65536"})
    public int k;
    /** Kernel and ND4J threads. */
    @Param({"2"})
    public int threads;

    private INDArray teacher;
    private INDArray nd4jCenter;
    private DinoLoss center;

    /** Builds the seeded teacher logits and the kernel; prints the environment. */
    @Setup(Level.Trial)
    public void setUp() {
        BenchEnv.setUp("CenterBenchmark B=" + batch + " K=" + k, threads);
        teacher = BenchEnv.uniform(new SplittableRandom(11), 1.0, 2L * batch, k);
        nd4jCenter = Nd4j.zeros(DataType.FLOAT, 1, k);
        center = new DinoLoss(new DinoLoss.Options(k, 0.1, MOMENTUM, threads));
    }

    /** Stops the kernel's threads. */
    @TearDown(Level.Trial)
    public void tearDown() {
        center.close();
    }

    /** dino4j's kernel: one pass over z_t, in place on the center. */
    @Benchmark
    public INDArray kernel() {
        center.updateCenter(teacher);
        return center.center();
    }

    /** ND4J ops: column mean (allocates), then in-place scale and add. */
    @Benchmark
    public INDArray nd4j() {
        return nd4jCenter.muli(MOMENTUM).addi(teacher.mean(true, 0).muli(1 - MOMENTUM));
    }
}

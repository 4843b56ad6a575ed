package org.dino4j.bench;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.dino4j.core.DinoRuntime;
import org.dino4j.core.loss.DinoLossGraph;
import org.dino4j.core.loss.DinoLoss;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * DINO loss forward + backward (Caron et al. 2021, eq. 1–3): {@link DinoLoss#lossAndGradient} (the Java kernels training
 * uses; the benchmark keeps the name {@code fused}) against
 * the readable SameDiff definition {@link DinoLossGraph} (the same loss built from ND4J graph ops, differentiated
 * by SameDiff).
 *
 * <p>Inputs: student logits {@code [(2+N)·B, K]} (view-major), teacher logits {@code [2B, K]}, center
 * {@code [1, K]}, uniform in [−1, 1) from a fixed seed (the range of the weight-normalised head's cosine logits);
 * τ_s = 0.1, τ_t = 0.04 (paper defaults). One operation = the loss and the full gradient dL/dz_s.
 *
 * <p>Grids: the fused kernel runs the grid B ∈ {64, 256}, K ∈ {4096, 65536}, N ∈ {6, 10}. The SameDiff
 * graph defaults to B 64, K 4096, N ∈ {6, 10} only: at B 256, K 65536, N 10 one op takes ~20 s and ~15 GB
 * (docs/nd4j-pitfalls.md), so that point is run on request ({@code -p sdBatch=256 -p sdK=65536 -p sdLocals=10}, with
 * enough off-heap memory, see docs/benchmarks.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g", "-Dorg.bytedeco.javacpp.maxbytes=8G",
        "-Dorg.bytedeco.javacpp.maxphysicalbytes=12G"})
public class LossBenchmark {

    /** Student temperature τ_s (DINO default). */
    public static final double TAU_S = 0.1;
    /** Teacher temperature τ_t (DINO's starting value). */
    public static final double TAU_T = 0.04;

    /** Inputs and the fused kernel, built once per trial. */
    @State(Scope.Benchmark)
    public static class Fused {
        /** B, images per batch. */
        @Param({"64", "256"})
        public int batch;
        /** K, logits per row. */
        @Param({"4096", "65536"})
        public int k;
        /** N, local crops (2 global crops always). */
        @Param({"6", "10"})
        public int locals;
        /** Kernel threads (and ND4J threads). */
        @Param({"2"})
        public int threads;

        INDArray student;
        INDArray teacher;
        INDArray center;
        INDArray grad;
        DinoLoss kernel;

        @Setup(Level.Trial)
        public void setUp() {
            BenchEnv.setUp("LossBenchmark.fused B=" + batch + " K=" + k + " N=" + locals, threads);
            Inputs in = Inputs.of(batch, k, locals, 42);
            student = in.student;
            teacher = in.teacher;
            grad = student.ulike();
            kernel = new DinoLoss(new DinoLoss.Options(k, TAU_S, 0.9, threads));
            kernel.setTeacherTemp(TAU_T);
            kernel.center().assign(in.center);
            center = kernel.center();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            kernel.close();
        }
    }

    /** The SameDiff graph over the same inputs, built (and its gradient function created) once per trial. */
    @State(Scope.Benchmark)
    public static class Graph {
        /** B for the SameDiff reference (small by default, see the class comment). */
        @Param({"64"})
        public int sdBatch;
        /** K for the SameDiff reference. */
        @Param({"4096"})
        public int sdK;
        /** N for the SameDiff reference. */
        @Param({"6", "10"})
        public int sdLocals;
        /** ND4J threads. */
        @Param({"2"})
        public int threads;

        SameDiff sd;
        Map<String, INDArray> noPlaceholders = Map.of();
        List<String> outputs = List.of(DinoLossGraph.LOSS);
        List<String> gradVars = List.of(DinoLossGraph.STUDENT_LOGITS);

        @Setup(Level.Trial)
        public void setUp() {
            BenchEnv.setUp("LossBenchmark.sameDiff B=" + sdBatch + " K=" + sdK + " N=" + sdLocals, threads);
            Inputs in = Inputs.of(sdBatch, sdK, sdLocals, 42);
            sd = DinoLossGraph.standalone(in.student, in.teacher, in.center, TAU_S, TAU_T, false);
            // the first call builds the gradient function, which prints one line per op
            DinoRuntime.quietly(() -> sd.calculateGradientsAndOutputs(noPlaceholders, outputs, gradVars));
        }

        /** Off-heap outputs are freed only when the Java GC runs (docs/nd4j-pitfalls.md, "Off-heap memory"). */
        @TearDown(Level.Iteration)
        public void gc() {
            System.gc();
        }
    }

    /** Seeded inputs of one size. */
    static final class Inputs {
        final INDArray student;
        final INDArray teacher;
        final INDArray center;

        private Inputs(INDArray student, INDArray teacher, INDArray center) {
            this.student = student;
            this.teacher = teacher;
            this.center = center;
        }

        static Inputs of(int batch, int k, int locals, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            INDArray s = BenchEnv.uniform(rng, 1.0, (long) (2 + locals) * batch, k);
            INDArray t = BenchEnv.uniform(rng, 1.0, 2L * batch, k);
            INDArray c = BenchEnv.uniform(rng, 0.1, 1, k);
            return new Inputs(s, t, c);
        }
    }

    /** DinoLoss's kernels: loss + dL/dz_s written into a preallocated gradient buffer. */
    @Benchmark
    public double fused(Fused s) {
        return s.kernel.lossAndGradient(s.teacher, s.student, s.grad);
    }

    /** The SameDiff definition: forward and backward through the graph (loss and dL/dz_s). */
    @Benchmark
    public void sameDiff(Graph g, Blackhole bh) {
        OutAndGrad r = g.sd.calculateGradientsAndOutputs(g.noPlaceholders, g.outputs, g.gradVars);
        bh.consume(r.getOutputs().get(DinoLossGraph.LOSS));
        bh.consume(r.getGradients().get(DinoLossGraph.STUDENT_LOGITS));
    }
}

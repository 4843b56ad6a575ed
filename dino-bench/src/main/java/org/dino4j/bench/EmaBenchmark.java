package org.dino4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.dino4j.core.ema.Ema;
import org.dino4j.core.util.Parallel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
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
 * EMA teacher update θ_t ← λ·θ_t + (1−λ)·θ_s (Caron et al. 2021, §3.1) over P float parameters laid out as a
 * ViT-like set of tensors ({@link ParamLayout#vitLike}), λ = 0.996.
 *
 * <p>Variants (all do the same arithmetic on the same number of floats):
 * <ul>
 *   <li>{@link #kernel}: dino4j's {@link Ema} over ONE flat buffer (every tensor a view of it, as in DinoModel),
 *       on its SIMD path when the fork runs with {@code --add-modules jdk.incubator.vector} (the default here);</li>
 *   <li>{@link #kernelBlocked}: the same kernel forced onto its blocked-copy path ({@link Ema#withoutSimd}), what
 *       runs on a JVM without the incubator module;</li>
 *   <li>{@link #kernelPerArray}: the same kernel called per tensor view (list overload);</li>
 *   <li>{@link #nd4jMuliAxpy}: per tensor view {@code t.muli(λ)} then BLAS {@code axpy(1−λ, s, t)};</li>
 *   <li>{@link #nd4jMuliAddi}: per tensor view {@code t.muli(λ).addi(s.mul(1−λ))} (a temporary per tensor);</li>
 *   <li>{@link #javaLoop}: a plain single-threaded Java loop over heap {@code float[]} tensors;</li>
 *   <li>{@link #triad} and {@link #copy}: the memory-bandwidth references over heap {@code float[]} of P
 *       floats, split across the same threads: STREAM triad {@code a = b + q·c} (reads 2, writes 1: 12·P
 *       bytes, like the EMA's read θ_t, read θ_s, write θ_t) and copy {@code a = b} (8·P bytes).</li>
 * </ul>
 * GB/s = bytes moved / time: 12·P bytes for the EMA variants and the triad, 8·P for the copy.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx3g"})
@State(Scope.Benchmark)
public class EmaBenchmark {

    /** The teacher momentum λ used by every variant (DINO's base value). */
    public static final float LAMBDA = 0.996f;
    private static final int GRAIN = 1 << 16;

    /** P, total parameters. */
    @Param({"1000000", "10000000", "22000000"})
    public int parameters;
    /** Threads of the kernel, the bandwidth references and ND4J. */
    @Param({"2"})
    public int threads;

    private INDArray flatTeacher;
    private INDArray flatStudent;
    private List<INDArray> teacherViews;
    private List<INDArray> studentViews;
    private float[][] teacherArrays;
    private float[][] studentArrays;
    private float[] a;
    private float[] b;
    private float[] c;
    private Ema ema;
    private Ema emaBlocked;
    private Parallel pool;
    private final Parallel.RangeTask triadTask = this::triadRange;
    private final Parallel.RangeTask copyTask = this::copyRange;

    /** Builds the buffers (seeded), the views and the kernels; prints the environment. */
    @Setup(Level.Trial)
    public void setUp() {
        int[] layout = ParamLayout.vitLike(parameters);
        BenchEnv.setUp("EmaBenchmark P=" + parameters + " tensors=" + layout.length, threads);
        SplittableRandom rng = new SplittableRandom(7);
        float[] t = new float[parameters];
        float[] s = new float[parameters];
        BenchEnv.fill(rng, 0.05, t);
        BenchEnv.fill(rng, 0.05, s);
        flatTeacher = Nd4j.create(t, new long[]{parameters}, 'c');
        flatStudent = Nd4j.create(s, new long[]{parameters}, 'c');
        teacherViews = new ArrayList<>(layout.length);
        studentViews = new ArrayList<>(layout.length);
        teacherArrays = new float[layout.length][];
        studentArrays = new float[layout.length][];
        int off = 0;
        for (int i = 0; i < layout.length; i++) {
            int len = layout[i];
            teacherViews.add(flatTeacher.get(NDArrayIndex.interval(off, off + len)));
            studentViews.add(flatStudent.get(NDArrayIndex.interval(off, off + len)));
            teacherArrays[i] = java.util.Arrays.copyOfRange(t, off, off + len);
            studentArrays[i] = java.util.Arrays.copyOfRange(s, off, off + len);
            off += len;
        }
        a = new float[parameters];
        b = s.clone();
        c = t.clone();
        ema = new Ema(threads);
        emaBlocked = Ema.withoutSimd(threads);
        pool = new Parallel(threads);
    }

    /** Stops the worker threads. */
    @TearDown(Level.Trial)
    public void tearDown() {
        ema.close();
        emaBlocked.close();
        pool.close();
    }

    /** dino4j's kernel over the flat buffers: one call, one pass. */
    @Benchmark
    public INDArray kernel() {
        ema.update(flatTeacher, flatStudent, LAMBDA);
        return flatTeacher;
    }

    /** dino4j's kernel over the flat buffers, forced onto the blocked-copy path (no SIMD). */
    @Benchmark
    public INDArray kernelBlocked() {
        emaBlocked.update(flatTeacher, flatStudent, LAMBDA);
        return flatTeacher;
    }

    /** Whether {@link #kernel} runs the SIMD path in this fork (printed by the ENV line's caller). */
    boolean kernelUsesSimd() {
        return ema.simd();
    }

    /** dino4j's kernel called per parameter tensor (list overload). */
    @Benchmark
    public List<INDArray> kernelPerArray() {
        ema.update(teacherViews, studentViews, LAMBDA);
        return teacherViews;
    }

    /** Per tensor: {@code t.muli(λ)}, then BLAS axpy {@code t += (1−λ)·s}. */
    @Benchmark
    public List<INDArray> nd4jMuliAxpy() {
        for (int i = 0; i < teacherViews.size(); i++) {
            INDArray t = teacherViews.get(i);
            t.muli(LAMBDA);
            Nd4j.getBlasWrapper().axpy(1 - LAMBDA, studentViews.get(i), t);
        }
        return teacherViews;
    }

    /** Per tensor: {@code t.muli(λ).addi(s.mul(1−λ))}, allocating a temporary per tensor. */
    @Benchmark
    public List<INDArray> nd4jMuliAddi() {
        for (int i = 0; i < teacherViews.size(); i++) {
            teacherViews.get(i).muli(LAMBDA).addi(studentViews.get(i).mul(1 - LAMBDA));
        }
        return teacherViews;
    }

    /** A plain single-threaded Java loop over heap {@code float[]} tensors. */
    @Benchmark
    public float[][] javaLoop() {
        float l = LAMBDA;
        float o = 1 - LAMBDA;
        for (int i = 0; i < teacherArrays.length; i++) {
            float[] t = teacherArrays[i];
            float[] s = studentArrays[i];
            for (int j = 0; j < t.length; j++) {
                t[j] = l * t[j] + o * s[j];
            }
        }
        return teacherArrays;
    }

    /** STREAM triad {@code a = b + q·c} over P floats on {@code threads} threads (12·P bytes). */
    @Benchmark
    public float[] triad() {
        pool.forEach(parameters, GRAIN, triadTask);
        return a;
    }

    /** Copy {@code a = b} over P floats on {@code threads} threads (8·P bytes). */
    @Benchmark
    public float[] copy() {
        pool.forEach(parameters, GRAIN, copyTask);
        return a;
    }

    private void triadRange(int worker, int from, int to) {
        float q = 1 - LAMBDA;
        float[] aa = a;
        float[] bb = b;
        float[] cc = c;
        for (int i = from; i < to; i++) {
            aa[i] = bb[i] + q * cc[i];
        }
    }

    private void copyRange(int worker, int from, int to) {
        System.arraycopy(b, from, a, from, to - from);
    }

    /** Test hook: the flat teacher buffer. */
    INDArray flatTeacher() {
        return flatTeacher;
    }

    /** Test hook: the flat student buffer. */
    INDArray flatStudent() {
        return flatStudent;
    }

    /** Test hook: the triad/copy destination. */
    float[] triadOut() {
        return a;
    }

    /** Test hook: the heap teacher tensors. */
    float[][] teacherArrays() {
        return teacherArrays;
    }
}

package org.dino4j.core.ema;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import org.dino4j.core.util.HostArrays;
import org.dino4j.core.util.Parallel;
import org.dino4j.core.util.Simd;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Momentum-teacher update (Caron et al. 2021, §3.1, "Teacher network"): {@code θ_t ← λ·θ_t + (1−λ)·θ_s},
 * element-wise and in place on the teacher, λ following a cosine schedule from 0.996 to 1 in DINO.
 *
 * <p>The intended use is one call over two flat parameter buffers (every parameter of a model a view of one
 * contiguous INDArray): the buffer is split into contiguous chunks across workers (ND4J's per-op dispatch costs
 * far more on many small arrays). Each chunk runs one of two element-wise paths with bit-identical results:
 * <ul>
 *   <li><b>SIMD</b> ({@link Simd#enabled()}, i.e. the JVM runs with {@code --add-modules jdk.incubator.vector}):
 *       whole vector registers loaded from and stored to ND4J's memory, one pass, no copies;</li>
 *   <li><b>blocked copy</b> (otherwise): each chunk streamed in small blocks through per-worker {@code float[]}
 *       scratch, because C2 in Java 17 vectorises the heap loop but not an indexed loop over direct memory (that
 *       loop measured 2× slower). This path takes ≈ 2.6× (1 thread) to 3.4× (2 threads) the SIMD path
 *       at 10M floats (docs/benchmarks.md, "EMA").</li>
 * </ul>
 * Element-wise, so results are identical for every thread count and both paths.
 *
 * <p>FLOAT 'c'-contiguous arrays on the CPU backend use the Java kernel; other types, layouts or backends fall
 * back to {@code teacher.muli(λ)} and a BLAS axpy. Not thread-safe.
 */
public final class Ema implements AutoCloseable {

    private static final int BLOCK = 4096;
    private static final int GRAIN = 1 << 16;

    private final Parallel pool;
    private final boolean ownsPool;
    private final float[][] tScratch;
    private final float[][] sScratch;
    private final boolean simd;
    private final Parallel.RangeTask task = this::chunk;

    private FloatBuffer tBuf;
    private FloatBuffer sBuf;
    private ByteBuffer tBytes;
    private ByteBuffer sBytes;
    private DataBuffer tData;
    private DataBuffer sData;
    private boolean callSimd;
    private int tBase;
    private int sBase;
    private float lambda;
    private float oneMinus;

    /** @param threads number of threads (caller included), {@code >= 1} */
    public Ema(int threads) {
        this(new Parallel(threads), true);
    }

    /** @param pool a shared worker pool (not closed by {@link #close()}) */
    public Ema(Parallel pool) {
        this(pool, false);
    }

    private Ema(Parallel pool, boolean ownsPool) {
        this(pool, ownsPool, Simd.enabled());
    }

    /**
     * An instance that always runs the blocked-copy path, even where SIMD is enabled (benchmarks compare the two;
     * results are bit-identical).
     *
     * @param threads number of threads (caller included), {@code >= 1}
     */
    public static Ema withoutSimd(int threads) {
        return new Ema(new Parallel(threads), true, false);
    }

    private Ema(Parallel pool, boolean ownsPool, boolean simd) {
        if (simd && !Simd.enabled()) {
            throw new IllegalStateException("SIMD path requested but Simd.enabled() is false");
        }
        this.pool = pool;
        this.ownsPool = ownsPool;
        this.simd = simd;
        this.tScratch = new float[pool.threads()][BLOCK];
        this.sScratch = new float[pool.threads()][BLOCK];
    }

    /** @return whether this instance runs the SIMD path ({@link Simd}) rather than the blocked copy */
    public boolean simd() {
        return simd;
    }

    /**
     * {@code teacher ← λ·teacher + (1−λ)·student}, in place.
     *
     * @param teacher the teacher parameters (flat buffer or any array), updated in place
     * @param student the student parameters, same length and data type
     * @param lambda  λ in {@code [0, 1]}
     * @throws IllegalArgumentException on null, length/type mismatch or λ outside [0, 1]
     */
    public void update(INDArray teacher, INDArray student, double lambda) {
        checkLambda(lambda);
        check(teacher, student, "");
        apply(teacher, student, lambda);
    }

    /**
     * The same update over pairs of parameter arrays (models not stored flat): {@code teacher.get(i)} is
     * updated from {@code student.get(i)}. All pairs are validated before any is changed.
     *
     * @throws IllegalArgumentException on list size mismatch, a bad pair (message gives its index) or bad λ
     */
    public void update(List<INDArray> teacher, List<INDArray> student, double lambda) {
        checkLambda(lambda);
        if (teacher == null || student == null || teacher.size() != student.size()) {
            throw new IllegalArgumentException("teacher and student parameter lists must be non-null and of equal size, got "
                    + (teacher == null ? "null" : teacher.size()) + " and " + (student == null ? "null" : student.size()));
        }
        for (int i = 0; i < teacher.size(); i++) {
            check(teacher.get(i), student.get(i), "[" + i + "]");
        }
        for (int i = 0; i < teacher.size(); i++) {
            apply(teacher.get(i), student.get(i), lambda);
        }
    }

    private static void checkLambda(double lambda) {
        if (!(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("lambda (teacher momentum) must be in [0, 1], got " + lambda);
        }
    }

    private static void check(INDArray teacher, INDArray student, String idx) {
        if (teacher == null || student == null) {
            throw new IllegalArgumentException("teacher" + idx + " and student" + idx + " must not be null");
        }
        if (teacher.length() != student.length()) {
            throw new IllegalArgumentException("teacher" + idx + " " + Arrays.toString(teacher.shape())
                    + " and student" + idx + " " + Arrays.toString(student.shape()) + " must have the same length, got "
                    + teacher.length() + " vs " + student.length());
        }
        if (teacher.dataType() != student.dataType() || !teacher.dataType().isFPType()) {
            throw new IllegalArgumentException("teacher" + idx + " and student" + idx
                    + " must have the same floating-point type, got " + teacher.dataType() + " and " + student.dataType());
        }
    }

    private void apply(INDArray teacher, INDArray student, double lambda) {
        if (teacher == student || teacher.length() == 0) {
            return;
        }
        if (HostArrays.hostReady(teacher, DataType.FLOAT) && HostArrays.hostReady(student, DataType.FLOAT)) {
            this.lambda = (float) lambda;
            this.oneMinus = (float) (1 - lambda);
            tBase = HostArrays.base(teacher);
            sBase = HostArrays.base(student);
            callSimd = simd && HostArrays.byteAddressable(teacher) && HostArrays.byteAddressable(student);
            if (callSimd) {
                // one ByteBuffer wrapper per data buffer, reused while the same parameter buffers come back
                if (teacher.data() != tData) {
                    tData = teacher.data();
                    tBytes = HostArrays.bytes(teacher);
                }
                if (student.data() != sData) {
                    sData = student.data();
                    sBytes = HostArrays.bytes(student);
                }
            } else {
                tBuf = HostArrays.floats(teacher);
                sBuf = HostArrays.floats(student);
            }
            try {
                pool.forEach((int) teacher.length(), GRAIN, task);
            } finally {
                tBuf = null;
                sBuf = null;
            }
        } else {
            nd4j(teacher, student, lambda);
        }
    }

    /** ND4J fallback: {@code teacher.muli(λ)} then {@code teacher += (1−λ)·student} (BLAS axpy where possible). */
    static void nd4j(INDArray teacher, INDArray student, double lambda) {
        teacher.muli(lambda);
        INDArray s = student;
        if (!Arrays.equals(s.shape(), teacher.shape())) {
            s = s.reshape(teacher.shape());
        }
        if (teacher.isVector() && s.isVector()) {
            Nd4j.getBlasWrapper().level1().axpy(teacher.length(), 1 - lambda, s, teacher);
        } else {
            teacher.addi(s.mul(1 - lambda));
        }
    }

    private void chunk(int worker, int from, int to) {
        if (callSimd) {
            Simd.axpbyInPlace(tBytes, tBase + from, sBytes, sBase + from, to - from, lambda, oneMinus);
            return;
        }
        float[] t = tScratch[worker];
        float[] s = sScratch[worker];
        float l = lambda;
        float o = oneMinus;
        for (int start = from; start < to; start += BLOCK) {
            int len = Math.min(BLOCK, to - start);
            tBuf.get(tBase + start, t, 0, len);
            sBuf.get(sBase + start, s, 0, len);
            for (int i = 0; i < len; i++) {
                t[i] = l * t[i] + o * s[i];
            }
            tBuf.put(tBase + start, t, 0, len);
        }
    }

    /** Stops the worker threads if this instance created them. */
    @Override
    public void close() {
        if (ownsPool) {
            pool.close();
        }
    }
}

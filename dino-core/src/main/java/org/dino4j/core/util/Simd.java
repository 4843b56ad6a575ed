package org.dino4j.core.util;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.dino4j.core.KernelOptions;

/**
 * Whether dino-core's optional SIMD kernels run, and the EMA's kernel; the kernels themselves are in
 * {@link SimdLoss} (the DINO loss's rows) and {@link SimdLayers} (the fused layers). They use the JDK's incubating
 * Vector API ({@code jdk.incubator.vector}, JEP 414 in Java 17) over heap arrays and off-heap ND4J memory.
 *
 * <p><b>Why.</b> C2 in Java 17 vectorises loops over heap {@code float[]} but not loops over direct memory (an
 * {@code Unsafe}/{@code FloatBuffer} loop over ND4J's buffer ran scalar, ≈ 2× slower than the same loop on the
 * heap; copying blocks to heap scratch and back costs as much again). The Vector API loads and stores whole SIMD
 * registers straight from a direct {@link ByteBuffer}, so an element-wise kernel over ND4J memory runs at the
 * heap loop's speed (docs/benchmarks.md, "EMA").
 *
 * <p><b>Opt-in at run time.</b> The module is only visible when the JVM starts with
 * {@code --add-modules jdk.incubator.vector} (the {@code ./dino} launcher, the JMH forks and the unit tests pass
 * it; the JVM then prints one "Using incubator modules" warning). Without it, or on a JDK whose incubating API
 * differs (the {@code ByteBuffer} methods were replaced by {@code MemorySegment} ones in later releases), or with
 * {@link KernelOptions.SimdMode#OFF} ({@code -Ddino4j.simd=off} on the command line), {@link #enabled()} is false and
 * callers keep their plain-Java path; both paths give bit-identical results where the kernel says so (no fused
 * multiply-add: Java's strict float semantics hold in both).
 *
 * <p>Nothing touches a Vector API class unless {@link #enabled()} is true: the vector code lives in nested classes that
 * are only linked after the module was found and a self-test passed. The decision is made once, when this class is
 * first used ({@link KernelOptions#inForce()}).
 */
public final class Simd {

    private static final boolean ENABLED = detect();

    static {
        if (ENABLED && KernelOptions.inForce().simdWarmUp()) {
            Thread t = new Thread(Impl::warmUp, "dino4j-simd-warmup");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            t.start();
        }
    }

    private Simd() {
    }

    /**
     * @return whether the SIMD kernels may be used: {@code jdk.incubator.vector} is in the boot layer, its
     *         {@code ByteBuffer} API links and computes a self-test correctly, and {@link KernelOptions#simd()} is
     *         not {@link KernelOptions.SimdMode#OFF OFF}
     */
    public static boolean enabled() {
        return ENABLED;
    }

    /** @return the number of float lanes of the preferred species, or 1 when SIMD is not enabled */
    public static int floatLanes() {
        return ENABLED ? Impl.SPECIES.length() : 1;
    }

    private static boolean detect() {
        if (KernelOptions.inForce().simd() == KernelOptions.SimdMode.OFF) {
            return false;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return Impl.selfTest();
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /**
     * {@code t[tOff + i] ← a·t[tOff + i] + b·s[sOff + i]} for {@code i < n}, floats in native byte order, in place.
     * Each element is computed as {@code a*t + b*s} in float (two products, one sum), exactly as the scalar loop.
     *
     * @param t    teacher memory (direct or heap {@link ByteBuffer} in {@link ByteOrder#nativeOrder()})
     * @param tOff first element (float index, not byte) of {@code t}
     * @param s    student memory, native order
     * @param sOff first element of {@code s}
     * @param n    number of elements
     * @throws IllegalStateException if SIMD is not {@link #enabled()}
     */
    public static void axpbyInPlace(ByteBuffer t, int tOff, ByteBuffer s, int sOff, int n, float a, float b) {
        requireEnabled();
        Impl.axpby(t, tOff, s, sOff, n, a, b);
    }

    /** @throws IllegalStateException unless {@link #enabled()} (every kernel's first statement) */
    static void requireEnabled() {
        if (!ENABLED) {
            throw new IllegalStateException("SIMD kernels are not enabled (start the JVM with --add-modules "
                    + "jdk.incubator.vector on Java 17, and leave KernelOptions.simd / -Ddino4j.simd at auto)");
        }
    }

    /** The Vector API code; only linked when the module is present. */
    private static final class Impl {
        static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
        static final ByteOrder ORDER = ByteOrder.nativeOrder();

        /**
         * Calls every kernel on small heap and direct buffers until the JIT has compiled them with its optimizing
         * compiler. Until then the Vector API runs its portable Java fallback, which allocates an array per vector
         * operation and is one to two orders of magnitude slower; on a busy machine a training run waited a minute for
         * the compiler to reach the kernels. Runs once, in a low-priority background thread, on throw-away data.
         */
        static void warmUp() {
            int lanes = SPECIES.length();
            int n = 8 * lanes + 3;
            float[] a = new float[4 * n + 64];
            float[] b = new float[4 * n + 64];
            float[] w = new float[9 * lanes];
            float[] c1 = new float[n];
            int[] off = {0, 1, 2, 3, 4, 5, 6, 7, 8};
            double[] d = new double[16];
            ByteBuffer x = ByteBuffer.allocateDirect(4 * (4 * n + 64)).order(ORDER);
            ByteBuffer y = ByteBuffer.allocateDirect(4 * (4 * n + 64)).order(ORDER);
            ByteBuffer z = ByteBuffer.allocateDirect(4 * (4 * n + 64)).order(ORDER);
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) Math.sin(i);
                b[i] = (float) Math.cos(i) / a.length;
                x.putFloat(4 * i, a[i]);
                y.putFloat(4 * i, b[i]);
            }
            for (int it = 0; it < 20_000; it++) {
                boolean flag = (it & 1) == 0;
                SimdLayers.Impl.moments(x, 1, n, 2 * lanes, c1);
                SimdLayers.Impl.affine(x, 0, z, 0, n, 2 * lanes, a, b, flag ? 0f : Float.NEGATIVE_INFINITY);
                SimdLayers.Impl.maskedSumsRelu(y, 0, x, 0, n, 2 * lanes, a, b, c1);
                SimdLayers.Impl.maskedSumsLinear(y, 0, x, 0, n, 2 * lanes, c1);
                SimdLayers.Impl.inputGradientRelu(y, 0, x, 0, z, 0, n, 2 * lanes, a, b, a, b);
                SimdLayers.Impl.inputGradientLinear(y, 0, x, 0, z, 0, n, 2 * lanes, a, a, b);
                SimdLayers.Impl.gelu(x, 0, z, 0, n);
                SimdLayers.Impl.geluBackward(x, 0, y, 0, z, 0, n);
                SimdLayers.Impl.stemConvRow(a, 0, off, 9, w, lanes, lanes, c1, 4);
                SimdLayers.Impl.stemWeightGradientRow(a, 0, off, 9, c1, lanes, lanes, 4, b);
                axpby(z, 0, y, 0, n, 0.9f, 0.1f);
                SimdLoss.Impl.max(a, n);
                System.arraycopy(a, 0, b, 0, n);
                SimdLoss.Impl.expSumDot(b, n, 1.0, 1.0, a, 0, flag ? n : -1, d);
                SimdLoss.Impl.gradRow(b, n, 0.5, 0.5, a, 0, flag ? n : -1);
                SimdLoss.Impl.centeredSoftmaxRow(a, a, 1.0, b, 0, n);
            }
        }

        static boolean selfTest() {
            int n = 3 * SPECIES.length() + 3;
            ByteBuffer t = ByteBuffer.allocateDirect(4 * (n + 1)).order(ORDER);
            ByteBuffer s = ByteBuffer.allocateDirect(4 * (n + 2)).order(ORDER);
            for (int i = 0; i <= n; i++) {
                t.putFloat(4 * i, i);
            }
            for (int i = 0; i < n + 2; i++) {
                s.putFloat(4 * i, -2f * i);
            }
            axpby(t, 1, s, 2, n, 0.5f, 0.25f);
            if (t.getFloat(0) != 0f) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                float expect = 0.5f * (i + 1) + 0.25f * (-2f * (i + 2));
                if (t.getFloat(4 * (i + 1)) != expect) {
                    return false;
                }
            }
            return true;
        }

        static void axpby(ByteBuffer t, int tOff, ByteBuffer s, int sOff, int n, float a, float b) {
            int lanes = SPECIES.length();
            int i = 0;
            int bound = n - lanes;
            for (; i <= bound; i += lanes) {
                int tb = (tOff + i) << 2;
                FloatVector tv = FloatVector.fromByteBuffer(SPECIES, t, tb, ORDER);
                FloatVector sv = FloatVector.fromByteBuffer(SPECIES, s, (sOff + i) << 2, ORDER);
                tv.mul(a).add(sv.mul(b)).intoByteBuffer(t, tb, ORDER);
            }
            for (; i < n; i++) {
                int tb = (tOff + i) << 2;
                t.putFloat(tb, a * t.getFloat(tb) + b * s.getFloat((sOff + i) << 2));
            }
        }
    }
}
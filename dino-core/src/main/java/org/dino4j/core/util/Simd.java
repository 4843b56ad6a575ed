package org.dino4j.core.util;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Optional SIMD kernels over off-heap ND4J memory, on the JDK's incubating Vector API ({@code jdk.incubator.vector},
 * JEP 414 in Java 17).
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
 * {@code -Ddino4j.simd=off}, {@link #enabled()} is false and callers keep their plain-Java path; both paths give
 * bit-identical results (no fused multiply-add: Java's strict float semantics hold in both).
 *
 * <p>Nothing here touches a Vector API class unless {@link #enabled()} is true: the vector code lives in a
 * nested class that is only linked after the module was found and a self-test passed.
 */
public final class Simd {

    private static final boolean ENABLED = detect();

    private Simd() {
    }

    /**
     * @return whether the SIMD kernels may be used: {@code jdk.incubator.vector} is in the boot layer, its
     *         {@code ByteBuffer} API links and computes a self-test correctly, and {@code dino4j.simd} is not
     *         {@code off}
     */
    public static boolean enabled() {
        return ENABLED;
    }

    /** @return the number of float lanes of the preferred species, or 1 when SIMD is not enabled */
    public static int floatLanes() {
        return ENABLED ? Impl.SPECIES.length() : 1;
    }

    private static boolean detect() {
        String mode = System.getProperty("dino4j.simd", "auto").trim().toLowerCase(Locale.ROOT);
        if (mode.equals("off") || mode.equals("false")) {
            return false;
        }
        if (!mode.equals("auto") && !mode.equals("on") && !mode.equals("true")) {
            throw new IllegalArgumentException("system property dino4j.simd must be auto, on or off, got '" + mode + "'");
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

    private static void requireEnabled() {
        if (!ENABLED) {
            throw new IllegalStateException("SIMD kernels are not enabled (start the JVM with --add-modules "
                    + "jdk.incubator.vector on Java 17, and leave -Ddino4j.simd unset)");
        }
    }

    /** The Vector API code; only linked when the module is present. */
    private static final class Impl {
        static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
        static final ByteOrder ORDER = ByteOrder.nativeOrder();

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

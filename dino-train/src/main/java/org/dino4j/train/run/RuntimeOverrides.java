package org.dino4j.train.run;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.dino4j.core.KernelOptions;
import org.dino4j.core.exec.Execution;
import org.dino4j.core.exec.SessionMemory;
import org.dino4j.core.model.DinoModel;
import org.dino4j.core.model.ModelPlans;

/**
 * The {@code -Ddino4j.*} system properties the {@code dino} command, the {@code dino spark} job and the benchmarks
 * accept as overrides of dino-core's explicit options. dino-core reads no system property; this class is the one place
 * that does, and it applies what it read through dino-core's API.
 *
 * <p>Process-wide, applied by {@link #applyProcessWide()} first thing in {@code main} (as
 * {@link KernelOptions#configure}):
 * <ul>
 *   <li>{@code dino4j.simd=auto|off}: {@link KernelOptions#simd()} (default auto: the Vector API kernels when the JVM
 *       has {@code jdk.incubator.vector}).</li>
 *   <li>{@code dino4j.simd.warmup=on|off}: {@link KernelOptions#simdWarmUp()} (default on).</li>
 *   <li>{@code dino4j.kernels=auto|host|nd4j}: {@link KernelOptions#kernels()} (default auto: Java host kernels on the
 *       CPU backend).</li>
 * </ul>
 * Per model, applied by {@link #applyTo} to every network built by {@link org.dino4j.train.CoreNetwork#create}:
 * <ul>
 *   <li>{@code dino4j.exec=fused|plan|session}: {@link ModelPlans#setExecution} (default fused).</li>
 *   <li>{@code dino4j.loss=fused|graph}: {@link DinoModel#setFusedLoss} (default fused).</li>
 *   <li>{@code dino4j.samediff.memory=auto|release|gc}: {@link ModelPlans#setSessionMemory} (default auto: release when
 *       tcmalloc is preloaded, else gc).</li>
 * </ul>
 * A value outside these lists is an {@link IllegalArgumentException} naming the property and the accepted values.
 */
public final class RuntimeOverrides {
    /** The SIMD kernels' property. */
    public static final String SIMD = "dino4j.simd";
    /** The SIMD warm-up's property. */
    public static final String SIMD_WARMUP = "dino4j.simd.warmup";
    /** The host kernels' property. */
    public static final String KERNELS = "dino4j.kernels";
    /** The execution's property. */
    public static final String EXEC = "dino4j.exec";
    /** The student loss's property. */
    public static final String LOSS = "dino4j.loss";
    /** The SameDiff session memory's property. */
    public static final String SAMEDIFF_MEMORY = "dino4j.samediff.memory";

    private RuntimeOverrides() {
    }

    /**
     * Checks every override of this JVM's system properties and applies the process-wide ones
     * ({@link KernelOptions#configure}). Call it first thing in {@code main}, before any model, loss or EMA runs.
     *
     * @throws IllegalArgumentException naming the property for a value it does not accept
     * @throws IllegalStateException if dino-core's kernels already run with other options
     */
    public static void applyProcessWide() {
        applyProcessWide(System.getProperties());
    }

    static void applyProcessWide(Properties p) {
        KernelOptions kernels = kernelOptions(p);
        applyTo(null, p); // a bad per-model value fails now, not after the data is loaded
        KernelOptions.configure(kernels);
    }

    /**
     * Applies the per-model overrides of this JVM's system properties to a freshly built model.
     *
     * @param m the model
     * @return {@code m}
     * @throws IllegalArgumentException naming the property for a value it does not accept
     */
    public static DinoModel applyTo(DinoModel m) {
        return applyTo(m, System.getProperties());
    }

    /** As {@link #applyTo(DinoModel)} with the properties {@code p}; with a null model only checks them. */
    static DinoModel applyTo(DinoModel m, Properties p) {
        Execution e = choice(p, EXEC, "fused", Map.of("fused", Execution.FUSED, "plan", Execution.PLAN,
                "session", Execution.SESSION), "fused, plan or session");
        boolean fused = choice(p, LOSS, "fused", Map.of("fused", true, "graph", false), "fused or graph");
        SessionMemory.Mode memory = sessionMemory(p);
        if (m != null) {
            m.plans().setExecution(e);
            m.setFusedLoss(fused);
            m.plans().setSessionMemory(memory);
        }
        return m;
    }

    /**
     * @return the session memory mode the models built from now on get ({@link SessionMemory.Mode#AUTO} unless
     *         {@code -Ddino4j.samediff.memory} says otherwise)
     * @throws IllegalArgumentException naming the property for a value it does not accept
     */
    public static SessionMemory.Mode sessionMemory() {
        return sessionMemory(System.getProperties());
    }

    static SessionMemory.Mode sessionMemory(Properties p) {
        return choice(p, SAMEDIFF_MEMORY, "auto", Map.of("auto", SessionMemory.Mode.AUTO,
                "release", SessionMemory.Mode.RELEASE, "gc", SessionMemory.Mode.GC), "auto, release or gc");
    }

    static KernelOptions kernelOptions(Properties p) {
        KernelOptions.SimdMode simd = choice(p, SIMD, "auto", Map.of("auto", KernelOptions.SimdMode.AUTO,
                "off", KernelOptions.SimdMode.OFF), "auto or off");
        boolean warmUp = choice(p, SIMD_WARMUP, "on", Map.of("on", true, "off", false), "on or off");
        KernelOptions.Kernels kernels = choice(p, KERNELS, "auto", Map.of("auto", KernelOptions.Kernels.AUTO,
                "host", KernelOptions.Kernels.HOST, "nd4j", KernelOptions.Kernels.ND4J), "auto, host or nd4j");
        return new KernelOptions(simd, kernels, warmUp);
    }

    private static <T> T choice(Properties p, String name, String def, Map<String, T> accepted, String described) {
        String raw = p.getProperty(name, def);
        T v = accepted.get(raw.trim().toLowerCase(Locale.ROOT));
        if (v == null) {
            throw new IllegalArgumentException("system property " + name + " must be " + described + ", got '" + raw
                    + "'");
        }
        return v;
    }
}

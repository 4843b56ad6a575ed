package org.dino4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.dino4j.core.DinoRuntime;
import org.dino4j.core.util.HostArrays;
import org.dino4j.core.util.Simd;
import org.dino4j.train.run.RuntimeOverrides;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Shared set-up of the benchmarks: the {@code -Ddino4j.*} overrides ({@link RuntimeOverrides}, so that e.g.
 * {@code -jvmArgsPrepend -Ddino4j.simd=off} reaches the forks' kernels), the environment banner every benchmark prints
 * at trial set-up (backend, CPU or GPU model, thread counts, load average, so each JMH result states where it was
 * measured), thread settings, and seeded test data.
 *
 * <p>Every random number comes from an explicit {@link SplittableRandom} seeded by the caller; nothing uses
 * {@code Nd4j.getRandom()}.
 */
public final class BenchEnv {

    private BenchEnv() {
    }

    /**
     * Applies the {@code -Ddino4j.*} overrides of this JVM ({@link RuntimeOverrides#applyProcessWide()}; call it before
     * any kernel runs), sets ND4J's native (OpenMP/BLAS) threads to {@code threads} and prints the environment banner for
     * {@code subject}: ND4J backend and executioner, whether dino4j's Java host kernels are active, CPU model,
     * logical CPUs, GPU (CUDA backend only), thread counts, Java version and the current load average.
     *
     * @param subject benchmark name and parameters, printed first
     * @param threads threads for ND4J ops and for dino4j's kernels ({@code >= 1})
     */
    public static void setUp(String subject, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        RuntimeOverrides.applyProcessWide();
        DinoRuntime.setThreads(threads);
        System.out.println(banner(subject, threads));
    }

    /** @return one line describing the machine and settings of this fork (see {@link #setUp}) */
    public static String banner(String subject, int threads) {
        return String.format(Locale.ROOT,
                "# ENV %s | backend=%s executioner=%s hostKernels=%s simd=%s(%d lanes) samediffMemory=%s malloc=%s | cpu=\"%s\" logicalCpus=%d gpu=\"%s\" | "
                        + "threads=%d nd4jMasterThreads=%d OMP_NUM_THREADS=%s | java=%s | loadavg=%s",
                subject, Nd4j.getBackend().getClass().getSimpleName(),
                Nd4j.getExecutioner().getClass().getSimpleName(), HostArrays.hostKernels(), Simd.enabled(), Simd.floatLanes(),
                RuntimeOverrides.sessionMemory().resolved().name().toLowerCase(Locale.ROOT),
                org.dino4j.core.exec.ReleasingMemoryMgr.tcmallocPreloaded() ? "tcmalloc" : "system", cpuModel(),
                Runtime.getRuntime().availableProcessors(), gpuModel(), threads, DinoRuntime.threads(),
                System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"), System.getProperty("java.version"),
                loadAverage());
    }

    /** @return the first "model name" of /proc/cpuinfo, or "unknown" */
    public static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String l : lines) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "unknown";
    }

    /** @return the first three fields of /proc/loadavg, or "unknown" */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** @return the CUDA device name(s) reported by the backend's environment info, or "none" on the CPU backend */
    public static String gpuModel() {
        if (HostArrays.isCpuBackend()) {
            return "none";
        }
        try {
            Object info = Nd4j.getExecutioner().getEnvironmentInformation();
            Object devices = info instanceof java.util.Map<?, ?> m ? m.get("cuda.devicesInformation") : null;
            return devices == null ? String.valueOf(info) : String.valueOf(devices);
        } catch (RuntimeException e) {
            return "unknown (" + e.getClass().getSimpleName() + ")";
        }
    }

    /**
     * A FLOAT 'c' array of the given shape with values uniform in {@code [-scale, scale)} from {@code rng}.
     *
     * @param rng   the generator (consumed)
     * @param scale half-width of the range
     * @param shape array shape
     * @return a new array
     */
    public static INDArray uniform(SplittableRandom rng, double scale, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] data = new float[Math.toIntExact(n)];
        fill(rng, scale, data);
        return Nd4j.create(data, shape, 'c');
    }

    /** Fills {@code data} with values uniform in {@code [-scale, scale)} from {@code rng}. */
    public static void fill(SplittableRandom rng, double scale, float[] data) {
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        }
    }

    /** @return a FLOAT 'c' array {@code [rows, cols]} (helper for callers that build shapes from ints) */
    public static INDArray zeros(long rows, long cols) {
        return Nd4j.create(DataType.FLOAT, rows, cols);
    }
}

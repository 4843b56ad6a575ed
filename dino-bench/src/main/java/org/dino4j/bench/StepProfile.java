package org.dino4j.bench;

import java.io.File;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.dino4j.core.DinoRuntime;
import org.dino4j.core.loss.DinoLoss;
import org.dino4j.core.model.Backbone;
import org.dino4j.core.model.DinoHeadConfig;
import org.dino4j.core.model.DinoModel;
import org.dino4j.core.model.SmallResNet;
import org.dino4j.core.model.SmallResNetConfig;
import org.dino4j.core.model.vit.VisionTransformer;
import org.dino4j.core.model.vit.VitConfig;
import org.dino4j.train.run.RuntimeOverrides;
import org.nd4j.autodiff.listeners.profiler.ProfilingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times the DINO training step's two graph calls on the reference shapes (a command-line program, see
 * docs/performance.md): the student's {@link DinoModel#lossAndGradients} on 2B global 28² + 6B local 12² crops and the
 * teacher's {@link DinoModel#globalLogits} on the 2B global crops. Warm-up calls are excluded; the median of the
 * repetitions is printed together with the JVM's GC time and the load average.
 *
 * <pre>
 * java -cp dino-bench/target/benchmarks.jar -Dprof.cfg=vit org.dino4j.bench.StepProfile
 * </pre>
 *
 * <p>System properties: {@code prof.b} (batch B, default 64), {@code prof.reps} (5), {@code prof.warmup} (2),
 * {@code prof.k} (4096), {@code prof.cfg} ({@code small28}; {@code proto}: stem 32, stages 64/128, no residual
 * blocks; {@code vit}: the ViT tiny28), {@code prof.threads} (unset = leave the backend's default), {@code prof.trace}
 * (a file: one extra profiled step written as a Chrome trace by SameDiff's ProfilingListener), {@code prof.what}
 * ({@code both}, {@code student}, {@code teacher}).
 */
public final class StepProfile {
    private StepProfile() {
    }

    /**
     * @param args unused; see the class comment for the system properties
     * @throws Exception on I/O failure while writing the trace
     */
    public static void main(String[] args) throws Exception {
        RuntimeOverrides.applyProcessWide();
        int b = Integer.getInteger("prof.b", 64);
        int reps = Integer.getInteger("prof.reps", 5);
        int warm = Integer.getInteger("prof.warmup", 2);
        int k = Integer.getInteger("prof.k", 4096);
        String cfgName = System.getProperty("prof.cfg", "small28");
        String what = System.getProperty("prof.what", "both");
        if (System.getProperty("prof.threads") != null) {
            DinoRuntime.setThreads(Integer.getInteger("prof.threads"));
        }
        Backbone backbone = switch (cfgName) {
            case "small28" -> new SmallResNet(SmallResNetConfig.small28(1));
            case "proto" -> new SmallResNet(SmallResNetConfig.builder().stageChannels(List.of(64, 128)).blocksPerStage(0).build());
            case "vit" -> new VisionTransformer(VitConfig.tiny28(1));
            default -> throw new IllegalArgumentException("prof.cfg must be small28, proto or vit, got " + cfgName);
        };
        DinoHeadConfig head = DinoHeadConfig.builder().hiddenDim(512).bottleneckDim(128).outDim(k).build();
        DinoModel student = RuntimeOverrides.applyTo(DinoModel.create(backbone, head, 1));
        DinoModel teacher = student.copy();
        Random rng = new Random(7);
        INDArray globals = rand(rng, 2 * b, 28);
        INDArray locals = rand(rng, 6 * b, 12);
        DinoLoss dinoLoss = new DinoLoss(DinoLoss.Options.dino(k).withThreads(Math.max(1, DinoRuntime.threads())));
        dinoLoss.setTeacherTemp(0.04);
        INDArray teacherLogits = teacher.globalLogits(globals);

        List<Double> tStudent = new ArrayList<>();
        List<Double> tTeacher = new ArrayList<>();
        List<Double> cStudent = new ArrayList<>();
        List<Double> cTeacher = new ArrayList<>();
        long gc0 = 0;
        for (int it = 0; it < warm + reps; it++) {
            if (it == warm) {
                gc0 = gcMillis();
            }
            if (!what.equals("student")) {
                long t0 = System.nanoTime();
                long c0 = cpuNanos();
                INDArray z = teacher.globalLogits(globals);
                double ms = (System.nanoTime() - t0) / 1e6;
                double cpu = (cpuNanos() - c0) / 1e6;
                if (z.size(0) != 2L * b) {
                    throw new IllegalStateException("bad teacher output");
                }
                if (it >= warm) {
                    tTeacher.add(ms);
                    cTeacher.add(cpu);
                }
            }
            if (!what.equals("teacher")) {
                long t0 = System.nanoTime();
                long c0 = cpuNanos();
                double loss = student.lossAndGradients(globals, locals, teacherLogits, dinoLoss, null);
                double ms = (System.nanoTime() - t0) / 1e6;
                double cpu = (cpuNanos() - c0) / 1e6;
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("loss " + loss);
                }
                if (it >= warm) {
                    tStudent.add(ms);
                    cStudent.add(cpu);
                }
            }
        }
        long gc = gcMillis() - gc0;
        System.out.printf(Locale.ROOT, "cfg=%s B=%d K=%d threads=%d params=%d reps=%d load=%s%n", cfgName, b, k,
                DinoRuntime.threads(), student.params().length(), reps, load());
        System.out.printf(Locale.ROOT, "student lossAndGradients median %.0f ms wall (min %.0f, all %s), %.0f ms"
                + " process CPU (min %.0f, all %s)%n", median(tStudent), min(tStudent), fmt(tStudent),
                median(cStudent), min(cStudent), fmt(cStudent));
        System.out.printf(Locale.ROOT, "teacher globalLogits     median %.0f ms wall (min %.0f, all %s), %.0f ms"
                + " process CPU (min %.0f, all %s)%n", median(tTeacher), min(tTeacher), fmt(tTeacher),
                median(cTeacher), min(cTeacher), fmt(cTeacher));
        System.out.printf(Locale.ROOT, "GC time during timed reps: %d ms%n", gc);

        String trace = System.getProperty("prof.trace");
        if (trace != null) {
            File f = new File(trace);
            Files.deleteIfExists(f.toPath());
            student.trainingGraph(true).addListeners(new ProfilingListener.Builder(f).recordAll().build());
            student.lossAndGradients(globals, locals, teacherLogits, dinoLoss, null);
            student.graph().getListeners().clear();
            System.out.println("trace written to " + f.getAbsolutePath());
        }
    }

    private static INDArray rand(Random rng, int n, int s) {
        float[] v = new float[n * s * s];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextFloat();
        }
        return Nd4j.createFromArray(v).reshape('c', n, 1, s, s);
    }

    /** Process CPU time (all threads, native ones included), less sensitive to other processes' load. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long gcMillis() {
        long t = 0;
        for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
            t += Math.max(0, g.getCollectionTime());
        }
        return t;
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "?";
        }
    }

    private static double median(List<Double> v) {
        if (v.isEmpty()) {
            return Double.NaN;
        }
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : 0.5 * (a[a.length / 2 - 1] + a[a.length / 2]);
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static String fmt(List<Double> v) {
        StringBuilder sb = new StringBuilder("[");
        for (double d : v) {
            sb.append(sb.length() > 1 ? " " : "").append(Math.round(d));
        }
        return sb.append(']').toString();
    }
}

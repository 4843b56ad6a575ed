package org.dino4j.core.loss;

import java.util.Collections;
import java.util.Random;
import org.dino4j.core.ema.Ema;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A rough timing of the fused kernel against the SameDiff reference, the teacher half, the center and the EMA
 * (not a test; the JMH module will do it properly). Run from dino-core after {@code test-compile}:
 * <pre>
 *   java -cp target/test-classes:target/classes:$(cat cp.txt) org.dino4j.core.loss.LossBenchmarkMain [skipBigSameDiff]
 * </pre>
 * Prints the median of several timed repetitions after warm-up.
 */
public final class LossBenchmarkMain {

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();
    /** Median CPU time (ms) of the calling thread in the last {@link #time} call: robust on a busy machine. */
    private static double lastCpu;

    private LossBenchmarkMain() {
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c[c.length / 2];
    }

    interface Body {
        void run() throws Exception;
    }

    private static double time(int warm, int reps, Body body) throws Exception {
        for (int i = 0; i < warm; i++) {
            body.run();
        }
        double[] ms = new double[reps];
        double[] cpu = new double[reps];
        for (int i = 0; i < reps; i++) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            body.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
            cpu[i] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e6;
        }
        lastCpu = median(cpu);
        return median(ms);
    }

    public static void main(String[] args) throws Exception {
        boolean bigSameDiff = !(args.length > 0 && args[0].equals("skipBigSameDiff"));
        lossCase(64, 4096, 6, 3, 15, true);
        lossCase(256, 65536, 10, 1, 3, bigSameDiff);
        emaCase(10_000_000);
        expCase(1 << 16, 64);
    }

    private static volatile double sink;

    /** Math.exp against FastExp on max-shifted arguments like the kernels' (x ≤ 0). */
    private static void expCase(int n, int rounds) throws Exception {
        float[] x = new float[n];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            x[i] = (float) (-Math.abs(rnd.nextDouble() * 60));
        }
        double math = time(3, 9, () -> {
            double acc = 0;
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < n; i++) {
                    acc += Math.exp(x[i]);
                }
            }
            sink = acc;
        });
        double mathCpu = lastCpu;
        double fast = time(3, 9, () -> {
            double acc = 0;
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < n; i++) {
                    acc += org.dino4j.core.util.FastExp.exp(x[i]);
                }
            }
            sink = acc;
        });
        double per = 1e6 / ((double) n * rounds);
        System.out.printf("== exp: Math.exp %.2f ns/elem (CPU %.2f), FastExp %.2f ns/elem (CPU %.2f)%n",
                math * per, mathCpu * per, fast * per, lastCpu * per);
    }

    private static void lossCase(int b, int k, int n, int warm, int reps, boolean sameDiff) throws Exception {
        Random rnd = new Random(1);
        INDArray zs = Nd4j.randn(DataType.FLOAT, (long) (2 + n) * b, k).muli(2);
        INDArray zt = Nd4j.randn(DataType.FLOAT, 2L * b, k).muli(2);
        INDArray c = Nd4j.randn(DataType.FLOAT, 1, k).muli(0.5);
        INDArray g = Nd4j.create(DataType.FLOAT, zs.shape());
        System.out.printf("== loss B=%d K=%d crops=2+%d (rng %d)%n", b, k, n, rnd.nextInt(1));
        for (int threads : new int[] {1, 2}) {
            try (FusedDinoLoss f = new FusedDinoLoss(b, n, k, threads)) {
                double fb = time(warm, reps, () -> f.lossAndGradient(zs, zt, c, 0.1, 0.04, g));
                double fbCpu = lastCpu;
                double fw = time(warm, reps, () -> f.loss(zs, zt, c, 0.1, 0.04));
                System.out.printf("fused threads=%d: fwd+bwd %.1f ms (caller CPU %.1f ms), fwd %.1f ms (caller CPU %.1f ms)%n",
                        threads, fb, fbCpu, fw, lastCpu);
            }
            try (TeacherTargets tt = new TeacherTargets(threads);
                 Center center = new Center(k, 0.9, threads)) {
                INDArray p = Nd4j.create(DataType.FLOAT, 2L * b, k);
                INDArray q = Nd4j.create(DataType.FLOAT, (long) (2 + n) * b, k);
                double tm = time(warm, reps, () -> tt.compute(zt, c, 0.04, n, p, q));
                double cm = time(warm, reps, () -> center.update(zt));
                System.out.printf("teacher targets threads=%d: %.1f ms; center update: %.2f ms%n", threads, tm, cm);
            }
        }
        INDArray cn = c.dup();
        double nd = time(warm, Math.max(1, reps / 3), () -> {
            INDArray m = zt.mean(true, 0);
            cn.muli(0.9).addi(m.muli(0.1));
        });
        System.out.printf("center update via ND4J ops: %.2f ms%n", nd);
        if (sameDiff) {
            SameDiff sd = DinoLossGraph.standalone(zs, zt, c, 0.1, 0.04, false);
            double sdm = time(1, Math.max(1, reps / 3), () -> {
                sd.calculateGradients(Collections.emptyMap(), DinoLossGraph.STUDENT_LOGITS);
                System.gc();
            });
            System.out.printf("SameDiff reference (pair loop) fwd+bwd: %.1f ms (includes a System.gc())%n", sdm);
        }
    }

    private static void emaCase(int n) throws Exception {
        INDArray t = Nd4j.randn(DataType.FLOAT, n);
        INDArray s = Nd4j.randn(DataType.FLOAT, n);
        System.out.printf("== EMA %d floats%n", n);
        for (int threads : new int[] {1, 2}) {
            try (Ema ema = new Ema(threads)) {
                double ms = time(5, 21, () -> ema.update(t, s, 0.996));
                System.out.printf("Ema threads=%d: %.2f ms (caller CPU %.2f ms)%n", threads, ms, lastCpu);
            }
        }
        System.out.printf("ND4J muli + axpy: %.2f ms%n", time(5, 21, () -> {
            t.muli(0.996);
            Nd4j.getBlasWrapper().level1().axpy(t.length(), 0.004, s, t);
        }));
    }
}

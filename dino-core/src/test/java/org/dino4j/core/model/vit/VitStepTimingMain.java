package org.dino4j.core.model.vit;

import java.util.Random;
import org.dino4j.core.DinoRuntime;
import org.dino4j.core.model.Backbone;
import org.dino4j.core.model.DinoHeadConfig;
import org.dino4j.core.model.DinoModel;
import org.dino4j.core.model.SmallResNet;
import org.dino4j.core.model.SmallResNetConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Not a unit test: times the student's forward+backward ({@link DinoModel#lossAndGradients}) and the teacher's
 * forward ({@link DinoModel#globalLogits}) of the tiny28 ViT and of SmallResNet small28, B = 64 (default),
 * 2B global 28² + 6B local 12² crops, head small28. Median of {@code reps} after {@code warmup} calls.
 * System properties: {@code t.b}, {@code t.reps} (5), {@code t.warmup} (2), {@code t.threads} (1).
 */
public final class VitStepTimingMain {
    private VitStepTimingMain() {
    }

    /**
     * @param args unused
     */
    public static void main(String[] args) {
        int b = Integer.getInteger("t.b", 64);
        int reps = Integer.getInteger("t.reps", 5);
        int warm = Integer.getInteger("t.warmup", 2);
        DinoRuntime.setThreads(Integer.getInteger("t.threads", 1));
        for (Backbone bb : new Backbone[] {new SmallResNet(SmallResNetConfig.small28(1)),
                new VisionTransformer(VitConfig.tiny28(1))}) {
            DinoHeadConfig head = DinoHeadConfig.small28();
            DinoModel m = DinoModel.create(bb, head, 1);
            Random r = new Random(2);
            INDArray g = rand(r, 2 * b, 28);
            INDArray l = rand(r, 6 * b, 12);
            int rows = 8 * b, k = head.outDim();
            INDArray t = Nd4j.valueArrayOf(new long[] {rows, k}, 1.0 / k, DataType.FLOAT);
            INDArray w = Nd4j.valueArrayOf(new long[] {rows, 1}, 1.0 / rows, DataType.FLOAT);
            long[] fb = new long[reps];
            long[] fw = new long[reps];
            for (int i = 0; i < warm + reps; i++) {
                long t0 = System.nanoTime();
                m.lossAndGradients(g, l, t, w, 0.1);
                long t1 = System.nanoTime();
                m.globalLogits(g);
                long t2 = System.nanoTime();
                if (i >= warm) {
                    fb[i - warm] = t1 - t0;
                    fw[i - warm] = t2 - t1;
                }
            }
            java.util.Arrays.sort(fb);
            java.util.Arrays.sort(fw);
            System.out.printf("%s params=%d B=%d student fwd+bwd median %.0f ms, teacher fwd median %.0f ms%n",
                    bb.name(), m.params().length(), b, fb[reps / 2] / 1e6, fw[reps / 2] / 1e6);
        }
    }

    private static INDArray rand(Random r, int n, int s) {
        float[] v = new float[n * s * s];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Nd4j.createFromArray(v).reshape('c', n, 1, s, s);
    }
}

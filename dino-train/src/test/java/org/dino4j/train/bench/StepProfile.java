package org.dino4j.train.bench;

import org.dino4j.core.DinoRuntime;
import org.dino4j.train.CoreNetwork;
import org.dino4j.train.config.ModelConfig;
import org.dino4j.core.model.DinoHeadConfig;
import org.dino4j.core.model.SmallResNet;
import org.nd4j.autodiff.listeners.profiler.ProfilingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.util.List;

/** Profiles the last of {@code -Dsteps} (default 3) student steps of the model per SameDiff op (Chrome trace JSON). Not a test. */
public final class StepProfile {
    public static void main(String[] a) throws Exception {
        int b = Integer.parseInt(a[0]), blocks = Integer.parseInt(a[1]), stem = Integer.parseInt(a[3]), k = Integer.parseInt(a[5]);
        List<Integer> widths = java.util.Arrays.stream(a[4].split(",")).map(Integer::valueOf).toList();
        DinoRuntime.setThreads(Integer.getInteger("threads", 1));
        if (System.getProperty("helpers") != null) Nd4j.getEnvironment().allowHelpers(Boolean.getBoolean("helpers"));
        System.out.println("helpers allowed: " + Nd4j.getEnvironment().helpersAllowed());
        ModelConfig m = ModelConfig.of("small-resnet", DinoHeadConfig.builder().hiddenDim(512).bottleneckDim(128).outDim(k).build())
                .withBackboneOptions(new SmallResNet.Options(stem, widths, blocks, 8));
        CoreNetwork n = CoreNetwork.create(m, 1, 1);
        INDArray g = Nd4j.rand(DataType.FLOAT, 2L * b, 1, 28, 28), l = Nd4j.rand(DataType.FLOAT, 6L * b, 1, 12, 12);
        INDArray t = Nd4j.ones(DataType.FLOAT, 8L * b, k).divi(k), w = Nd4j.ones(DataType.FLOAT, 8L * b, 1).divi(8 * b);
        int steps = Integer.getInteger("steps", 3);
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            n.globalLogits(g);
            long t1 = System.nanoTime();
            if (i == steps - 1) n.model().trainingGraph(true).addListeners(ProfilingListener.builder(new File(a[2])).recordAll().build());
            n.lossAndGradients(g, l, t, w, 0.1);
            long t2 = System.nanoTime();
            System.gc();
            System.out.printf("B %d blocks %d " + a[4] + ": teacher fwd %.0f ms, student fwd+bwd %.0f ms%n", b, blocks, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        }
    }
}

package org.dino4j.bench;

import org.dino4j.augment.data.ImageDataset;
import org.dino4j.augment.data.SyntheticDataset;
import org.dino4j.core.DinoRuntime;
import org.dino4j.core.model.Backbone;
import org.dino4j.eval.features.Embeddings;
import org.dino4j.eval.features.Features;
import org.dino4j.eval.features.LabeledBatch;
import org.dino4j.eval.knn.KnnOptions;
import org.dino4j.eval.knn.KnnResult;
import org.dino4j.eval.knn.WeightedKnn;
import org.dino4j.train.CoreNetwork;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.config.Presets;
import org.dino4j.train.run.RuntimeOverrides;
import org.dino4j.train.run.TrainData;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Supervised reference for the synthetic dataset: how well can the backbone of a preset separate the 10
 * shape classes when it is given the labels? Trains that backbone plus a linear classifier with softmax cross-entropy
 * (Adam 2e-3, decoupled weight decay 1e-4, batch 128, no augmentation) on fresh images of the synthetic training
 * stream (seed {@link TrainData#SYNTHETIC_TRAIN_SEED}, index 0, 1, 2, … — never one image twice), then reports on the
 * run's held-out queries (seed {@link TrainData#SYNTHETIC_TEST_SEED}):
 * <ul>
 *   <li>the classifier's accuracy and confusion matrix, and</li>
 *   <li>the weighted k-NN accuracy (k 20, T 0.07, cosine) of the supervised backbone's features with the DINO run's
 *       protocol (memory = the first N training images, N from the command line, default {@code data.syntheticSize}) — a k-NN ceiling for DINO's features
 *       with this backbone.</li>
 * </ul>
 * Usage: {@code java --add-modules jdk.incubator.vector -cp dino-bench/target/benchmarks.jar
 * org.dino4j.bench.SupervisedCeiling PRESET STEPS [MEMORY,SIZES]}, {@code -Dthreads=N}.
 * Every random draw is seeded (backbone init 1, classifier init 2, the synthetic streams' seeds): two runs of
 * {@code synthetic-quick 500 2048} gave the same numbers; before the classifier's draw was seeded, four runs gave
 * 88.7–91.4%.
 * Measured numbers: docs/training.md ("Synthetic: how far is 99 %").
 */
public final class SupervisedCeiling {
    private static final int BATCH = 128;

    public static void main(String[] a) throws Exception {
        RuntimeOverrides.applyProcessWide();
        DinoConfig cfg = Presets.get(a.length > 0 ? a[0] : "synthetic-long");
        int steps = a.length > 1 ? Integer.parseInt(a[1]) : 1500;
        int[] memorySizes = a.length > 2 ? Arrays.stream(a[2].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[]{cfg.data().syntheticSize()};
        int side = cfg.data().imageSize(), heldOut = cfg.data().heldOut();
        DinoRuntime.setThreads(Integer.getInteger("threads", 2));
        Backbone bb = cfg.model().createBackbone(1);

        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("images", DataType.FLOAT, -1, 1, side, side);
        SDVariable y = sd.placeHolder("labels", DataType.FLOAT, -1, SyntheticDataset.NUM_CLASSES);
        SDVariable features = bb.define(org.dino4j.core.model.GraphScope.of(sd, "backbone", DataType.FLOAT, new Random(1))).apply(x);
        int d = bb.featureDim();
        Random init = new Random(2);
        float[] w0 = new float[d * SyntheticDataset.NUM_CLASSES];
        for (int i = 0; i < w0.length; i++) w0[i] = (float) (init.nextGaussian() * Math.sqrt(1.0 / d));
        SDVariable w = sd.var("classifier_w", Nd4j.create(w0, new long[]{d, SyntheticDataset.NUM_CLASSES}, 'c'));
        SDVariable b = sd.var("classifier_b", Nd4j.zeros(DataType.FLOAT, SyntheticDataset.NUM_CLASSES));
        SDVariable logits = sd.nn.linear("logits", features, w, b);
        sd.math.neg(sd.mean(sd.sum(sd.nn.logSoftmax(logits).mul(y), 1))).rename("loss");
        sd.setLossVariables("loss");
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(2e-3)).weightDecay(1e-4, true)
                .dataSetFeatureMapping("images").dataSetLabelMapping("labels").build());

        SyntheticDataset stream = new SyntheticDataset(steps * BATCH, side, side, 1, TrainData.SYNTHETIC_TRAIN_SEED);
        SyntheticDataset queries = new SyntheticDataset(heldOut, side, side, 1, TrainData.SYNTHETIC_TEST_SEED);
        long t0 = System.nanoTime();
        Iterator<LabeledBatch> batches = TrainData.evalBatches(stream, BATCH, cfg.data().crops().normalization()).get(); // normalised as the evaluation does
        for (int s = 0; s < steps; s++) {
            LabeledBatch batch = batches.next();
            sd.fit(new MultiDataSet(batch.images(), oneHot(batch.labels())));
            if (s % 20 == 0) System.gc(); // off-heap arrays are freed by the GC only
            if ((s + 1) % 500 == 0 || s == steps - 1) {
                System.out.printf(Locale.ROOT, "step %d (%d images, %.1f min): classifier accuracy %.2f%%%n", s + 1,
                        (s + 1) * BATCH, (System.nanoTime() - t0) / 6e10, 100 * classify(sd, queries, s == steps - 1));
            }
        }
        String f = features.name();
        java.util.function.Function<INDArray, INDArray> fn = im -> sd.output(Map.of("images", im), f).get(f).dup('c');
        Embeddings q = Features.extract(fn, TrainData.evalBatches(queries, 512, cfg.data().crops().normalization()).get(), true);
        for (int memorySize : memorySizes) {
            ImageDataset memory = new SyntheticDataset(memorySize, side, side, 1, TrainData.SYNTHETIC_TRAIN_SEED);
            Embeddings m = Features.extract(fn, TrainData.evalBatches(memory, 512, cfg.data().crops().normalization()).get(), true);
            KnnResult r = new WeightedKnn(new KnnOptions(new int[]{20}, 0.07, KnnOptions.DEFAULT_CHUNK_SIZE))
                    .evaluate(m.features(), m.labels(), q.features(), q.labels(), SyntheticDataset.NUM_CLASSES);
            System.out.printf(Locale.ROOT, "weighted k-NN (k 20, T 0.07) on the supervised backbone's features, %d memory / %d queries: %.2f%%%n",
                    memorySize, heldOut, 100 * r.forK(20).top1());
        }
    }

    private static INDArray oneHot(int[] labels) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, labels.length, SyntheticDataset.NUM_CLASSES);
        for (int i = 0; i < labels.length; i++) y.putScalar(i, labels[i], 1f);
        return y;
    }

    private static double classify(SameDiff sd, SyntheticDataset queries, boolean printConfusion) {
        int correct = 0;
        int[][] confusion = new int[SyntheticDataset.NUM_CLASSES][SyntheticDataset.NUM_CLASSES];
        for (Iterator<LabeledBatch> it = TrainData.evalBatches(queries, 250, org.dino4j.augment.transform.Normalization.HALF).get(); it.hasNext(); ) {
            LabeledBatch batch = it.next();
            INDArray out = sd.output(Map.of("images", batch.images()), "logits").get("logits").dup('c');
            for (int i = 0; i < batch.labels().length; i++) {
                int p = out.getRow(i).argMax().getInt(0), t = batch.labels()[i];
                confusion[t][p]++;
                if (p == t) correct++;
            }
        }
        if (printConfusion) {
            System.out.println("confusion (row = true class " + String.join(", ", SyntheticDataset.CLASS_NAMES) + "):");
            for (int[] row : confusion) System.out.println("  " + Arrays.toString(row));
        }
        return correct / (double) queries.size();
    }
}

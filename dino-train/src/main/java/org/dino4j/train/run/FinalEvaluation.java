package org.dino4j.train.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dino4j.augment.data.ImageDataset;
import org.dino4j.augment.transform.Normalization;
import org.dino4j.eval.Evaluation;
import org.dino4j.eval.features.Embeddings;
import org.dino4j.eval.features.Features;
import org.dino4j.eval.features.LabeledBatch;
import org.dino4j.eval.knn.BlockedKnn;
import org.dino4j.eval.knn.KnnOptions;
import org.dino4j.eval.knn.KnnResult;
import org.dino4j.eval.tsne.TsneOptions;
import org.dino4j.eval.tsne.TsneSummary;
import org.dino4j.train.TrainableNetwork;
import org.dino4j.core.io.AtomicFiles;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The end of {@code dino train}: the paper's weighted k-NN (k = 20, T = 0.07, cosine; memory = training images,
 * queries = held-out images, both un-augmented) on the teacher backbone's features, the same k-NN on raw pixels
 * and on a randomly initialised network (same architecture, the run's initial weights), a t-SNE picture of the
 * held-out features, and the HTML report.
 */
public final class FinalEvaluation {
    /** The k of the headline number (the paper's 20-NN). */
    public static final int K = 20;
    /** Vote temperature T. */
    public static final double T = 0.07;
    private static final int BATCH = 256;
    /** Memory images per k-NN block of the baselines. */
    private static final int MEMORY_BLOCK = 8192;

    /**
     * The three accuracies (fractions).
     *
     * @param dino       top-1 of the trained teacher backbone.
     * @param rawPixels  top-1 of raw (normalised) pixels.
     * @param randomInit top-1 of the untrained network.
     * @param memory     memory size.
     * @param queries    number of queries.
     * @param k          the k of the three numbers: {@link #K}, or a smaller one when the memory holds fewer than
     *                   {@link #K} images (10 if it holds 10, else its size).
     */
    public record Result(double dino, double rawPixels, double randomInit, int memory, int queries, int k) {}

    private FinalEvaluation() {}

    /**
     * Runs the evaluation and writes {@code knn.json}, {@code baselines.json}, {@code tsne.*} and
     * {@code report.html} into the run directory.
     *
     * @param teacher    the trained teacher.
     * @param randomInit the untrained network.
     * @param memory     labelled memory images.
     * @param queries    labelled held-out images.
     * @param norm       the normalisation of the training views ({@code data.crops.normalization}).
     * @param tsnePoints held-out points in the t-SNE (0: none).
     */
    public static Result run(RunDirectory rd, TrainableNetwork teacher, TrainableNetwork randomInit, ImageDataset memory,
                             ImageDataset queries, Normalization norm, int tsnePoints, long seed, PrintStream log)
            throws IOException {
        long t0 = System.nanoTime();
        Embeddings memD = Features.extract(teacher::features, TrainData.evalBatches(memory, BATCH, norm).get(), true);
        Embeddings qD = Features.extract(teacher::features, TrainData.evalBatches(queries, BATCH, norm).get(), true);
        teacher.releasePlans(); // the random-init network's plans reuse their memory
        System.gc();
        int[] ks = Arrays.stream(KnnOptions.DEFAULT_KS).filter(k -> k <= memory.size()).toArray();
        if (ks.length == 0) ks = new int[]{Math.min(K, memory.size())};
        KnnResult dino = Evaluation.knn(memD, qD, new KnnOptions(ks, T, KnnOptions.DEFAULT_CHUNK_SIZE), rd.root());
        int k = Arrays.stream(ks).anyMatch(x -> x == K) ? K : ks[0];
        if (k != K) log.printf(Locale.ROOT, "note: the k-NN memory holds %d images: k = %d instead of %d%n", memory.size(), k, K);
        log.printf(Locale.ROOT, "k-NN (DINO teacher features): %.2f%% top-1 at k=%d (%.0f s)%n", 100 * dino.forK(k).top1(), k,
                (System.nanoTime() - t0) / 1e9);

        Function<INDArray, INDArray> pixels = x -> x.reshape(x.size(0), x.length() / x.size(0));
        double raw = knn(pixels, memory, queries, norm, k);
        log.printf(Locale.ROOT, "k-NN (raw pixels): %.2f%%%n", 100 * raw);
        double rnd = knn(randomInit::features, memory, queries, norm, k);
        log.printf(Locale.ROOT, "k-NN (random-init network): %.2f%%%n", 100 * rnd);
        Result r = new Result(dino.forK(k).top1(), raw, rnd, memory.size(), queries.size(), k);

        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode b = om.createObjectNode();
        b.put("k", k).put("temperature", T).put("memory", memory.size()).put("queries", queries.size())
                .put("dino_top1", r.dino()).put("raw_pixels_top1", raw).put("random_init_top1", rnd);
        AtomicFiles.writeString(rd.root().resolve("baselines.json"), om.writeValueAsString(b));

        if (tsnePoints > 0 && qD.size() < 4) {
            log.printf(Locale.ROOT, "no t-SNE: the held-out set has %d images, a t-SNE needs at least 4%n", qD.size());
        } else if (tsnePoints > 0) {
            long t1 = System.nanoTime();
            int n = Math.min(tsnePoints, qD.size());
            float[][] f = Arrays.copyOf(qD.features(), n);
            int[] l = Arrays.copyOf(qD.labels(), n);
            List<String> names = new ArrayList<>();
            for (int c = 0; c < queries.numClasses(); c++) names.add(queries.className(c));
            TsneOptions opt = TsneOptions.defaults(seed).withPerplexity(Math.min(30, Math.max(1, (n - 1) / 3.0)));
            TsneSummary s = Evaluation.tsne(new Embeddings(f, l), opt, names, rd.root());
            log.printf(Locale.ROOT, "t-SNE of %d held-out points: trustworthiness %.3f, silhouette %.3f (%.0f s)%n", n,
                    s.trustworthiness(), s.silhouette(), (System.nanoTime() - t1) / 1e9);
        }
        Reports.write(rd.root());
        return r;
    }

    /**
     * A baseline's k-NN top-1 with the memory streamed in blocks of {@link #MEMORY_BLOCK} images ({@link BlockedKnn}):
     * the raw-pixel memory of 60,000 images would otherwise be held three times at once (0.56 GB).
     */
    private static double knn(Function<INDArray, INDArray> f, ImageDataset memory, ImageDataset queries, Normalization norm,
                              int k) {
        Embeddings q = Features.extract(f, TrainData.evalBatches(queries, BATCH, norm).get(), true);
        BlockedKnn knn = new BlockedKnn(new KnnOptions(new int[]{k}, T, KnnOptions.DEFAULT_CHUNK_SIZE), q.features(), q.labels(),
                Math.max(memory.numClasses(), queries.numClasses()));
        Iterator<LabeledBatch> batches = TrainData.evalBatches(memory, BATCH, norm).get();
        while (batches.hasNext()) {
            List<LabeledBatch> block = new ArrayList<>();
            for (int n = 0; n < MEMORY_BLOCK && batches.hasNext(); ) {
                LabeledBatch b = batches.next();
                block.add(b);
                n += b.labels().length;
            }
            Embeddings m = Features.extract(f, block.iterator(), true);
            knn.add(m.features(), m.labels());
        }
        return knn.result().forK(k).top1();
    }
}

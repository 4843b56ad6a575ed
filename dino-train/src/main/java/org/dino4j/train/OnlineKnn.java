package org.dino4j.train;

import org.dino4j.eval.features.Embeddings;
import org.dino4j.eval.features.Features;
import org.dino4j.eval.features.LabeledBatch;
import org.dino4j.eval.knn.KnnOptions;
import org.dino4j.eval.knn.KnnResult;
import org.dino4j.eval.knn.WeightedKnn;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Iterator;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The weighted k-NN of the DINO paper (Wu et al. 2018; cosine similarity, votes exp(sim/T)) on frozen backbone
 * features: memory = labelled un-augmented training images, queries = held-out labelled images.
 */
public final class OnlineKnn {
    private final Supplier<Iterator<LabeledBatch>> memory;
    private final Supplier<Iterator<LabeledBatch>> queries;
    private final int numClasses;
    private final WeightedKnn knn;
    private final int k;

    /**
     * @param memory     fresh iterator over the memory images each call.
     * @param queries    fresh iterator over the query images each call.
     * @param numClasses number of classes.
     * @param k          neighbours (20).
     * @param temperature vote temperature T (0.07).
     */
    public OnlineKnn(Supplier<Iterator<LabeledBatch>> memory, Supplier<Iterator<LabeledBatch>> queries, int numClasses,
                     int k, double temperature) {
        this.memory = memory;
        this.queries = queries;
        this.numClasses = numClasses;
        this.k = k;
        this.knn = new WeightedKnn(new KnnOptions(new int[]{k}, temperature, KnnOptions.DEFAULT_CHUNK_SIZE));
    }

    /** k. */
    public int k() {
        return k;
    }

    /** The full k-NN result of a feature extractor (images → features). */
    public KnnResult evaluate(Function<INDArray, INDArray> backbone) {
        Embeddings mem = Features.extract(backbone, memory.get(), true);
        Embeddings q = Features.extract(backbone, queries.get(), true);
        return knn.evaluate(mem.features(), mem.labels(), q.features(), q.labels(), numClasses);
    }

    /** Top-1 accuracy (fraction) of a feature extractor. */
    public double top1(Function<INDArray, INDArray> backbone) {
        return evaluate(backbone).forK(k).top1();
    }
}

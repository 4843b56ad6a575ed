package org.dino4j.train.bench;

import org.dino4j.train.CoreNetwork;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.run.TrainData;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;

/** Mean pairwise cosine similarity of features, embeddings and logits of a freshly initialised model. Not a test. */
public final class InitDiversity {
    public static void main(String[] a) throws Exception {
        DinoConfig c = ConfigLoader.load(a[0], null, Map.of());
        TrainData d = TrainData.open(c.data());
        CoreNetwork n = CoreNetwork.create(c.model(), 1, 0);
        INDArray x = TrainData.evalBatches(d.queries(), 64, c.data().crops().normalization()).get().next().images();
        report("pixels", x.reshape(x.size(0), x.length() / x.size(0)));
        report("features", n.features(x));
        report("embedding", n.model().globalEmbedding(x));
        report("logits", n.globalLogits(x));
    }

    static void report(String what, INDArray f) {
        INDArray u = f.div(f.norm2(1).reshape(f.size(0), 1).addi(1e-12));
        INDArray s = u.mmul(u.transpose());
        double n = f.size(0);
        double mean = (s.sumNumber().doubleValue() - n) / (n * n - n);
        System.out.printf("%-10s mean pairwise cosine %.4f, mean per-dim std across images %.4g%n", what, mean,
                f.std(0).meanNumber().doubleValue());
    }
}

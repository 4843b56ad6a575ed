package org.dino4j.train;

import org.dino4j.core.loss.DinoLoss;
import org.dino4j.core.model.ParamInfo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * A test double of a DINO network with a hand-written backward pass, so the training loop can be tested on its
 * own: features f = 4×4 block means of the image ({@code [n, C·16]} for any size divisible by 4), hidden
 * h = tanh(f·W1 + b1), logits z = h·W2 (W2 = the "last layer"). All parameters are views of one flat buffer.
 * The loss and dL/dz are {@link DinoLoss}'s; the backward pass from dz is written by hand.
 */
final class TinyMlpNetwork implements TrainableNetwork {
    final int c, d, hidden, k;
    final INDArray params, grads, w1, b1, w2, gw1, gb1, gw2;
    /** When ≥ 0: the lossAndGradients call with this index returns NaN. */
    int nanAtCall = -1;
    int calls;

    TinyMlpNetwork(int channels, int hidden, int k, long seed) {
        this.c = channels;
        this.d = channels * 16;
        this.hidden = hidden;
        this.k = k;
        int n = d * hidden + hidden + hidden * k;
        float[] init = new float[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) init[i] = (float) (r.nextGaussian() * 0.5);
        params = Nd4j.createFromArray(init);
        grads = Nd4j.create(DataType.FLOAT, n);
        w1 = view(params, 0, d, hidden);
        b1 = view(params, d * hidden, 1, hidden);
        w2 = view(params, d * hidden + hidden, hidden, k);
        gw1 = view(grads, 0, d, hidden);
        gb1 = view(grads, d * hidden, 1, hidden);
        gw2 = view(grads, d * hidden + hidden, hidden, k);
    }

    private TinyMlpNetwork(TinyMlpNetwork o) {
        this(o.c, o.hidden, o.k, 0);
        params.assign(o.params);
    }

    TinyMlpNetwork copy() {
        return new TinyMlpNetwork(this);
    }

    private static INDArray view(INDArray flat, long off, long rows, long cols) {
        return flat.get(NDArrayIndex.interval(off, off + rows * cols)).reshape('c', rows, cols);
    }

    @Override
    public INDArray params() {
        return params;
    }

    @Override
    public INDArray gradients() {
        return grads;
    }

    @Override
    public List<ParamInfo> layout() {
        return List.of(ParamInfo.of("w1", 0, new long[]{d, hidden}, true, false),
                ParamInfo.of("b1", (long) d * hidden, new long[]{hidden}, false, false),
                ParamInfo.of("last_layer.w", (long) d * hidden + hidden, new long[]{hidden, k}, true, true));
    }

    @Override
    public int outDim() {
        return k;
    }

    static INDArray pool(INDArray x) {
        long n = x.size(0), ch = x.size(1), h = x.size(2), w = x.size(3);
        return x.reshape('c', n, ch, 4, h / 4, 4, w / 4).mean(3, 5).reshape('c', n, ch * 16);
    }

    private INDArray hiddenOf(INDArray f) {
        return Transforms.tanh(f.mmul(w1).addiRowVector(b1), true);
    }

    @Override
    public double lossAndGradients(INDArray globals, INDArray locals, INDArray teacherLogits, DinoLoss dinoLoss,
                                   Random stepRng) {
        INDArray f = locals == null ? pool(globals) : Nd4j.concat(0, pool(globals), pool(locals));
        INDArray h = hiddenOf(f);
        INDArray z = h.mmul(w2);
        INDArray dz = z.ulike();
        double loss = dinoLoss.lossAndGradient(teacherLogits, z, dz);
        gw2.assign(h.transpose().mmul(dz));
        INDArray da = dz.mmul(w2.transpose()).muli(h.mul(h).rsubi(1));
        gw1.assign(f.transpose().mmul(da));
        gb1.assign(da.sum(true, 0));
        return calls++ == nanAtCall ? Double.NaN : loss;
    }

    @Override
    public INDArray globalLogits(INDArray globals) {
        return hiddenOf(pool(globals)).mmul(w2);
    }

    @Override
    public INDArray features(INDArray images) {
        return pool(images);
    }

    @Override
    public void exportBackbone(Path file) {
        throw new UnsupportedOperationException("test double");
    }
}

package org.dino4j.core.pretrained;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import org.dino4j.core.pretrained.io.Tensor;
import org.dino4j.core.util.HostArrays;
import org.dino4j.core.util.Parallel;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Inference of an imported DINO ViT ({@link VitSpec}), computing what the official {@code vision_transformer.py}
 * computes: patch embedding (p×p, stride p; remainder pixels dropped) → prepend {@code cls_token} → add position
 * embeddings ({@link BicubicPositions}: unchanged at the stored size, bicubic otherwise) → {@code depth} blocks
 * x ← x + proj(softmax(q·kᵀ/√d_h)·v), q, k, v from one {@code qkv} layer on LN₁(x); x ← x + fc2(GELU(fc1(LN₂(x))))
 * with the exact erf GELU → final LayerNorm; features = the CLS token {@code [B, D]}. The last block's attention
 * {@code [B, heads, T, T]} is available for the maps of the paper ({@link #lastAttention}).
 *
 * <p>Execution: eager ND4J ops on whole batches (GEMMs for the linear layers and the patch embedding as an
 * im2col product, batched matmuls and ND4J's softmax for the attention, computed for a few images at a time so
 * that the score buffer stays below {@link #SCORE_BUDGET} floats), with LayerNorm and bias+GELU ({@code RowKernels})
 * and the im2col / head split / head merge copies ({@code LayoutKernels}) in Java. Work buffers are kept for the last batch shape, so streaming batches allocates nothing.
 */
public final class PretrainedVit implements PretrainedBackbone {
    /** At most this many attention scores (floats) are held at once (at least one image's). */
    static final long SCORE_BUDGET = 24L << 20;

    private final VitSpec spec;
    private final INDArray patchW; // [C·p·p, D]
    private final float[] patchB;
    private final float[] cls;
    private final float[] pos; // [(1 + G²)·D]
    private final Block[] blocks;
    private final float[] normG;
    private final float[] normB;
    private final Parallel pool;
    private final RowKernels kernels;
    private final LayoutKernels layout;
    private final Map<Long, float[]> posCache = new HashMap<>();
    private Work work;
    private long scoreBudget = SCORE_BUDGET;
    /** Accumulated nanoseconds per phase when profiling, else null. */
    private long[] profile;
    private long mark;

    /** Phases of the forward pass reported by {@link #profile()}. */
    public enum Phase {
        /** im2col copy (Java), patch GEMM, token assembly. */
        PATCH_EMBED,
        /** LayerNorm kernels (Java), which also add the preceding layer's bias to x. */
        LAYER_NORM,
        /** qkv GEMM and bias. */
        QKV,
        /** q/k/v head split and the attention output's merge (Java copies). */
        HEAD_COPIES,
        /** q·kᵀ batched matmul. */
        SCORES,
        /** softmax. */
        SOFTMAX,
        /** probabilities·v batched matmul. */
        WEIGHTED_VALUES,
        /** output projection GEMM (accumulating the residual). */
        PROJ,
        /** MLP first GEMM. */
        FC1,
        /** bias + GELU kernel (Java). */
        GELU,
        /** MLP second GEMM (accumulating the residual). */
        FC2
    }

    private record Block(float[] ln1g, float[] ln1b, INDArray qkvW, float[] qkvB, INDArray projW, float[] projB,
                         float[] ln2g, float[] ln2b, INDArray fc1W, float[] fc1B, INDArray fc2W, float[] fc2B) {
    }

    /** Buffers of one batch shape. */
    private record Work(int b, int h, int w, INDArray cols, INDArray tok, INDArray x, INDArray hn, INDArray qkv,
                        INDArray att, INDArray mlp, INDArray qkvHeads, INDArray scores, INDArray out, int chunk) {
    }

    /**
     * @param weights validated weights (official names)
     * @param threads Java kernel threads (the ND4J ops use ND4J's own thread count), &gt;= 1
     */
    public PretrainedVit(BackboneWeights.Vit weights, int threads) {
        this.spec = weights.spec();
        Map<String, Tensor> t = weights.tensors();
        int d = spec.embedDim();
        int c = spec.inChannels();
        int p = spec.patchSize();
        patchW = transposed(t.get("patch_embed.proj.weight"), d, c * p * p);
        patchB = t.get("patch_embed.proj.bias").data();
        cls = t.get("cls_token").data();
        pos = t.get("pos_embed").data();
        blocks = new Block[spec.depth()];
        for (int i = 0; i < blocks.length; i++) {
            String b = "blocks." + i + ".";
            blocks[i] = new Block(t.get(b + "norm1.weight").data(), t.get(b + "norm1.bias").data(),
                    transposed(t.get(b + "attn.qkv.weight"), 3 * d, d), t.get(b + "attn.qkv.bias").data(),
                    transposed(t.get(b + "attn.proj.weight"), d, d), t.get(b + "attn.proj.bias").data(),
                    t.get(b + "norm2.weight").data(), t.get(b + "norm2.bias").data(),
                    transposed(t.get(b + "mlp.fc1.weight"), spec.mlpHidden(), d), t.get(b + "mlp.fc1.bias").data(),
                    transposed(t.get(b + "mlp.fc2.weight"), d, spec.mlpHidden()), t.get(b + "mlp.fc2.bias").data());
        }
        normG = t.get("norm.weight").data();
        normB = t.get("norm.bias").data();
        pool = new Parallel(threads);
        kernels = new RowKernels(pool);
        layout = new LayoutKernels(pool);
    }

    /** @return the architecture */
    public VitSpec spec() {
        return spec;
    }

    @Override
    public int featureDim() {
        return spec.embedDim();
    }

    @Override
    public int inChannels() {
        return spec.inChannels();
    }

    @Override
    public String describe() {
        return spec.describe();
    }

    @Override
    public synchronized INDArray features(INDArray images) {
        return forward(images, null);
    }

    /**
     * The last block's attention probabilities (as the official {@code get_last_selfattention}).
     *
     * @param images {@code [B, C, H, W]}
     * @return {@code [B, heads, T, T]}, T = 1 + ⌊H/p⌋·⌊W/p⌋; row 0 is the CLS query, columns 1… the patches in
     *         row-major order
     */
    public synchronized INDArray lastAttention(INDArray images) {
        long[] s = images.shape();
        int t = 1 + (int) (s[2] / spec.patchSize()) * (int) (s[3] / spec.patchSize());
        INDArray att = Nd4j.create(DataType.FLOAT, s[0], spec.heads(), t, t);
        forward(images, att);
        return att;
    }

    @Override
    public void close() {
        pool.close();
    }

    /** Test hook: a smaller attention-score budget (forces several image chunks per batch). */
    synchronized void setScoreBudget(long floats) {
        scoreBudget = floats;
        work = null;
    }

    /**
     * Starts or stops timing the phases of every forward pass (for benchmarks; adds a clock read per phase).
     *
     * @param on whether to time
     */
    public synchronized void setProfiling(boolean on) {
        profile = on ? new long[Phase.values().length] : null;
    }

    /** @return milliseconds spent per phase since profiling was switched on (empty when off) */
    public synchronized Map<Phase, Double> profile() {
        Map<Phase, Double> m = new java.util.EnumMap<>(Phase.class);
        if (profile != null) {
            for (Phase p : Phase.values()) {
                m.put(p, profile[p.ordinal()] / 1e6);
            }
        }
        return m;
    }

    private void tick(Phase p) {
        if (profile != null) {
            long now = System.nanoTime();
            profile[p.ordinal()] += now - mark;
            mark = now;
        }
    }

    private void startClock() {
        if (profile != null) {
            mark = System.nanoTime();
        }
    }

    private INDArray forward(INDArray images, INDArray attentionOut) {
        if (images.rank() != 4 || images.size(1) != spec.inChannels()) {
            throw new IllegalArgumentException("images must be [B, " + spec.inChannels() + ", H, W], got "
                    + java.util.Arrays.toString(images.shape()));
        }
        int b = (int) images.size(0);
        int h = (int) images.size(2);
        int w = (int) images.size(3);
        int p = spec.patchSize();
        int gh = h / p;
        int gw = w / p;
        if (gh < 1 || gw < 1) {
            throw new IllegalArgumentException("images of " + h + "x" + w + " are smaller than the patch size " + p);
        }
        int n = gh * gw;
        int t = n + 1;
        int d = spec.embedDim();
        Work wk = work(b, h, w, t);
        startClock();
        // patch embedding as one GEMM over im2col rows [B·gh·gw, C·p·p]
        INDArray img = images.dataType() == DataType.FLOAT && HostArrays.isCContiguous(images)
                ? images : images.castTo(DataType.FLOAT).dup('c');
        INDArray cols = wk.cols();
        layout.im2col(img, cols, p, gh, gw);
        INDArray tok = wk.tok();
        mmul(cols, patchW, tok, 1.0, 0.0);
        assembleTokens(tok, wk.x(), b, n, d, positions(h, w));
        tick(Phase.PATCH_EMBED);
        float[] pending = null; // the last fc2 bias, added to x by the next LayerNorm kernel
        for (int i = 0; i < blocks.length; i++) {
            block(blocks[i], pending, wk, b, t, i == blocks.length - 1 ? attentionOut : null);
            pending = blocks[i].fc2B();
        }
        // final LayerNorm of the CLS rows only
        INDArray clsRows = wk.x().reshape('c', b, t, d).get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all())
                .dup('c');
        kernels.layerNorm(clsRows, pending, clsRows, normG, normB, spec.layerNormEps());
        tick(Phase.LAYER_NORM);
        return clsRows;
    }

    /** One block; {@code pending} is the previous block's fc2 bias, not yet added to x. */
    private void block(Block blk, float[] pending, Work wk, int b, int t, INDArray attentionOut) {
        int heads = spec.heads();
        int hd = spec.headDim();
        kernels.layerNorm(wk.x(), pending, wk.hn(), blk.ln1g(), blk.ln1b(), spec.layerNormEps());
        tick(Phase.LAYER_NORM);
        mmul(wk.hn(), blk.qkvW(), wk.qkv(), 1.0, 0.0); // bias added by splitHeads
        tick(Phase.QKV);
        double scale = 1.0 / Math.sqrt(hd);
        for (int b0 = 0; b0 < b; b0 += wk.chunk()) {
            int bc = Math.min(wk.chunk(), b - b0);
            layout.splitHeads(wk.qkv(), blk.qkvB(), b0, bc, t, wk.qkvHeads()); // [3, chunk, h, T, hd]
            INDArray q = part(wk.qkvHeads(), 0, bc);
            INDArray k = part(wk.qkvHeads(), 1, bc);
            INDArray v = part(wk.qkvHeads(), 2, bc);
            INDArray s = wk.scores().get(NDArrayIndex.interval(0, (long) bc * heads));
            tick(Phase.HEAD_COPIES);
            Nd4j.exec(new Mmul(q, k, s, scale, 0.0, MMulTranspose.builder().transposeB(true).build()));
            tick(Phase.SCORES);
            Nd4j.exec(new SoftMax(s, s, 2));
            tick(Phase.SOFTMAX);
            if (attentionOut != null) {
                attentionOut.get(NDArrayIndex.interval(b0, b0 + bc)).assign(s.reshape('c', bc, heads, t, t));
            }
            INDArray o = wk.out().get(NDArrayIndex.interval(0, (long) bc * heads));
            Nd4j.exec(new Mmul(s, v, o, 1.0, 0.0, MMulTranspose.allFalse()));
            tick(Phase.WEIGHTED_VALUES);
            layout.mergeHeads(wk.out(), b0, bc, t, heads, wk.att());
            tick(Phase.HEAD_COPIES);
        }
        mmul(wk.att(), blk.projW(), wk.x(), 1.0, 1.0); // x += att·W (residual in the GEMM), bias in the next kernel
        tick(Phase.PROJ);
        kernels.layerNorm(wk.x(), blk.projB(), wk.hn(), blk.ln2g(), blk.ln2b(), spec.layerNormEps());
        tick(Phase.LAYER_NORM);
        mmul(wk.hn(), blk.fc1W(), wk.mlp(), 1.0, 0.0);
        tick(Phase.FC1);
        kernels.biasGelu(wk.mlp(), blk.fc1B());
        tick(Phase.GELU);
        mmul(wk.mlp(), blk.fc2W(), wk.x(), 1.0, 1.0);
        tick(Phase.FC2);
    }

    private Work work(int b, int h, int w, int t) {
        Work wk = work;
        if (wk != null && wk.b() == b && wk.h() == h && wk.w() == w) {
            return wk;
        }
        int d = spec.embedDim();
        int heads = spec.heads();
        long bt = (long) b * t;
        int chunk = (int) Math.max(1, Math.min(b, scoreBudget / ((long) heads * t * t)));
        int p = spec.patchSize();
        long n = (long) b * (h / p) * (w / p);
        work = new Work(b, h, w, Nd4j.create(DataType.FLOAT, n, (long) spec.inChannels() * p * p),
                Nd4j.create(DataType.FLOAT, n, d), Nd4j.create(DataType.FLOAT, bt, d), Nd4j.create(DataType.FLOAT, bt, d),
                Nd4j.create(DataType.FLOAT, bt, 3L * d), Nd4j.create(DataType.FLOAT, bt, d),
                Nd4j.create(DataType.FLOAT, bt, spec.mlpHidden()),
                Nd4j.create(DataType.FLOAT, 3, chunk, heads, t, spec.headDim()),
                Nd4j.create(DataType.FLOAT, (long) chunk * heads, t, t),
                Nd4j.create(DataType.FLOAT, (long) chunk * heads, t, spec.headDim()), chunk);
        return work;
    }

    /** Position embeddings of the patches for an H×W input, cached per size. */
    private float[] positions(int h, int w) {
        long key = ((long) h << 32) | w;
        return posCache.computeIfAbsent(key, k -> BicubicPositions.patchEmbeddings(pos, spec.embedDim(),
                spec.gridSize(), spec.patchSize(), h, w));
    }

    /** x[b, 0] = cls + pos[0]; x[b, 1 + i] = tok[b·n + i] + patch bias + posPatch[i]. */
    private void assembleTokens(INDArray tok, INDArray x, int b, int n, int d, float[] posPatch) {
        FloatBuffer tb = HostArrays.floats(tok);
        FloatBuffer xb = HostArrays.floats(x);
        int to = HostArrays.base(tok);
        int xo = HostArrays.base(x);
        float[] row0 = new float[d];
        for (int k = 0; k < d; k++) {
            row0[k] = cls[k] + pos[k];
        }
        float[] rows = new float[n * d];
        for (int i = 0; i < b; i++) {
            tb.get(to + i * n * d, rows, 0, n * d);
            for (int j = 0; j < n * d; j++) {
                rows[j] += patchB[j % d] + posPatch[j];
            }
            xb.put(xo + i * (n + 1) * d, row0, 0, d);
            xb.put(xo + i * (n + 1) * d + d, rows, 0, n * d);
        }
    }

    /** q, k or v of the first bc images: {@code [bc·heads, T, hd]}, a contiguous view of {@code [3, chunk, h, T, hd]}. */
    private static INDArray part(INDArray heads, int part, int bc) {
        return heads.get(NDArrayIndex.point(part), NDArrayIndex.interval(0, bc))
                .reshape('c', bc * heads.size(2), heads.size(3), heads.size(4));
    }

    static void mmul(INDArray a, INDArray b, INDArray c, double alpha, double beta) {
        Nd4j.exec(new Mmul(a, b, c, alpha, beta, MMulTranspose.allFalse()));
    }

    /** PyTorch weight [out, in] (as [out, rest...]) → ND4J [in, out] 'c'. */
    static INDArray transposed(Tensor t, int out, int in) {
        return Nd4j.createFromArray(t.data()).reshape('c', out, in).transpose().dup('c');
    }

}

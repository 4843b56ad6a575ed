package org.dino4j.core.pretrained;

import java.nio.FloatBuffer;
import org.dino4j.core.util.HostArrays;
import org.dino4j.core.util.Parallel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The re-layouts of the imported ViT's forward pass as bulk copies between ND4J host buffers (ND4J's generic
 * permute-and-assign of rank 5–6 arrays took several times longer): im2col of the patch embedding, the split of
 * qkv rows into per-head q, k, v, and the merge of the heads' outputs back into token rows. All arrays are FLOAT,
 * 'c'-contiguous; work is split over a {@link Parallel} pool.
 */
final class LayoutKernels {
    private final Parallel pool;
    private final float[][] scratch;

    LayoutKernels(Parallel pool) {
        this.pool = pool;
        this.scratch = new float[pool.threads()][];
    }

    private float[] scratch(int w, int n) {
        float[] s = scratch[w];
        if (s == null || s.length < n) {
            s = new float[n];
            scratch[w] = s;
        }
        return s;
    }

    /**
     * cols[(b·gh + i)·gw + j, (c·p + dy)·p + dx] = images[b, c, i·p + dy, j·p + dx] (the patch embedding's rows in
     * the order of PyTorch's Conv2d weight [D, C, p, p]); pixels beyond gh·p × gw·p are dropped.
     *
     * @param images {@code [B, C, H, W]}
     * @param cols {@code [B·gh·gw, C·p·p]}
     */
    void im2col(INDArray images, INDArray cols, int p, int gh, int gw) {
        int b = (int) images.size(0);
        int c = (int) images.size(1);
        int h = (int) images.size(2);
        int w = (int) images.size(3);
        FloatBuffer src = buffer(images);
        FloatBuffer dst = buffer(cols);
        int so = HostArrays.base(images);
        int dO = HostArrays.base(cols);
        int rowLen = c * p * p;
        int rows = b * c * gh * p; // one task = one pixel row of one channel of one image
        pool.forEach(rows, 64, (wk, from, to) -> {
            float[] line = scratch(wk, w);
            for (int r = from; r < to; r++) {
                int y = r % (gh * p);
                int ci = (r / (gh * p)) % c;
                int bi = r / (gh * p * c);
                src.get(so + ((bi * c + ci) * h + y) * w, line, 0, gw * p);
                int gi = y / p;
                int dy = y % p;
                for (int j = 0; j < gw; j++) {
                    int row = (bi * gh + gi) * gw + j;
                    dst.put(dO + row * rowLen + (ci * p + dy) * p, line, j * p, p);
                }
            }
        });
    }

    /**
     * heads[part, b, hh, t, :] = qkv[(b0 + b)·T + t, part·D + hh·hd …] + bias[…] for b &lt; bc: the official
     * {@code reshape(B, N, 3, heads, hd).permute(2, 0, 3, 1, 4)}, with the qkv layer's bias added on the way.
     *
     * @param qkv {@code [B·T, 3D]} without bias
     * @param bias {@code 3D} biases
     * @param heads {@code [3, chunk, heads, T, hd]}
     */
    void splitHeads(INDArray qkv, float[] bias, int b0, int bc, int t, INDArray heads) {
        int chunk = (int) heads.size(1);
        int nh = (int) heads.size(2);
        int hd = (int) heads.size(4);
        int d = nh * hd;
        FloatBuffer src = buffer(qkv);
        FloatBuffer dst = buffer(heads);
        int so = HostArrays.base(qkv);
        int dO = HostArrays.base(heads);
        pool.forEach(bc * t, 32, (wk, from, to) -> {
            float[] row = scratch(wk, 3 * d);
            for (int r = from; r < to; r++) {
                int bi = r / t;
                int ti = r % t;
                src.get(so + (b0 * t + r) * 3 * d, row, 0, 3 * d);
                for (int k = 0; k < 3 * d; k++) {
                    row[k] += bias[k];
                }
                for (int part = 0; part < 3; part++) {
                    for (int hh = 0; hh < nh; hh++) {
                        int at = (((part * chunk + bi) * nh + hh) * t + ti) * hd;
                        dst.put(dO + at, row, part * d + hh * hd, hd);
                    }
                }
            }
        });
    }

    /**
     * att[(b0 + b)·T + t, hh·hd + k] = out[b·heads + hh, t, k] for b &lt; bc: the official
     * {@code (attn @ v).transpose(1, 2).reshape(B, N, C)}.
     *
     * @param out {@code [chunk·heads, T, hd]}
     * @param att {@code [B·T, D]}
     */
    void mergeHeads(INDArray out, int b0, int bc, int t, int nh, INDArray att) {
        int hd = (int) out.size(2);
        int d = nh * hd;
        FloatBuffer src = buffer(out);
        FloatBuffer dst = buffer(att);
        int so = HostArrays.base(out);
        int dO = HostArrays.base(att);
        pool.forEach(bc * t, 32, (wk, from, to) -> {
            float[] row = scratch(wk, d);
            for (int r = from; r < to; r++) {
                int bi = r / t;
                int ti = r % t;
                for (int hh = 0; hh < nh; hh++) {
                    src.get(so + ((bi * nh + hh) * t + ti) * hd, row, hh * hd, hd);
                }
                dst.put(dO + (b0 * t + r) * d, row, 0, d);
            }
        });
    }

    private static FloatBuffer buffer(INDArray a) {
        if (!HostArrays.hostReady(a, DataType.FLOAT)) {
            throw new IllegalStateException("kernel needs a 'c'-contiguous FLOAT host array, got " + a.shapeInfoToString());
        }
        return HostArrays.floats(a);
    }
}

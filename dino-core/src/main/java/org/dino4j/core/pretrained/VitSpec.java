package org.dino4j.core.pretrained;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Architecture of a DINO ViT checkpoint (official {@code vision_transformer.py}: ViT-S/16 = patch 16, dim 384,
 * depth 12, 6 heads; ViT-B = dim 768, 12 heads; MLP hidden 4·dim, position embeddings for a 14×14 (/16) or
 * 28×28 (/8) grid of a 224-pixel image, LayerNorm eps 1e-6). Everything except the number of heads and eps is
 * read off the tensor shapes; see {@link PretrainedCheckpoints}.
 *
 * @param patchSize patch side p (kernel and stride of the patch embedding); &gt;= 1
 * @param inChannels image channels C; &gt;= 1
 * @param embedDim token dimension D; &gt;= 1, divisible by heads
 * @param depth number of blocks; &gt;= 1
 * @param heads attention heads per block; &gt;= 1
 * @param mlpHidden MLP hidden width; &gt;= 1
 * @param gridSize side G of the patch grid the position embeddings are stored for; &gt;= 1
 * @param layerNormEps LayerNorm epsilon; &gt; 0
 */
public record VitSpec(int patchSize, int inChannels, int embedDim, int depth, int heads, int mlpHidden, int gridSize,
                      double layerNormEps) {

    /** Validates every field (IllegalArgumentException naming it). */
    public VitSpec {
        positive(patchSize, "patchSize");
        positive(inChannels, "inChannels");
        positive(embedDim, "embedDim");
        positive(depth, "depth");
        positive(heads, "heads");
        positive(mlpHidden, "mlpHidden");
        positive(gridSize, "gridSize");
        if (embedDim % heads != 0) {
            throw new IllegalArgumentException("embedDim (" + embedDim + ") must be divisible by heads (" + heads + ")");
        }
        if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
            throw new IllegalArgumentException("layerNormEps must be > 0 and finite, got " + layerNormEps);
        }
    }

    private static void positive(int v, String name) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        }
    }

    /** @return D / heads */
    public int headDim() {
        return embedDim / heads;
    }

    /** @return tokens at the stored resolution: 1 + G² */
    public int storedTokens() {
        return 1 + gridSize * gridSize;
    }

    /**
     * @return every tensor of the official layout with its shape, in state-dict order ({@code cls_token [1,1,D]},
     *         {@code pos_embed [1,1+G²,D]}, {@code patch_embed.proj.weight [D,C,p,p]}, …, {@code norm.bias [D]})
     */
    public Map<String, long[]> officialShapes() {
        int d = embedDim;
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("cls_token", new long[] {1, 1, d});
        m.put("pos_embed", new long[] {1, storedTokens(), d});
        m.put("patch_embed.proj.weight", new long[] {d, inChannels, patchSize, patchSize});
        m.put("patch_embed.proj.bias", new long[] {d});
        for (int i = 0; i < depth; i++) {
            String b = "blocks." + i + ".";
            m.put(b + "norm1.weight", new long[] {d});
            m.put(b + "norm1.bias", new long[] {d});
            m.put(b + "attn.qkv.weight", new long[] {3L * d, d});
            m.put(b + "attn.qkv.bias", new long[] {3L * d});
            m.put(b + "attn.proj.weight", new long[] {d, d});
            m.put(b + "attn.proj.bias", new long[] {d});
            m.put(b + "norm2.weight", new long[] {d});
            m.put(b + "norm2.bias", new long[] {d});
            m.put(b + "mlp.fc1.weight", new long[] {mlpHidden, d});
            m.put(b + "mlp.fc1.bias", new long[] {mlpHidden});
            m.put(b + "mlp.fc2.weight", new long[] {d, mlpHidden});
            m.put(b + "mlp.fc2.bias", new long[] {d});
        }
        m.put("norm.weight", new long[] {d});
        m.put("norm.bias", new long[] {d});
        return m;
    }

    /**
     * @return every tensor of the Hugging Face {@code ViTModel} layout ({@code facebook/dino-*}) with its shape:
     *         {@code embeddings.*}, {@code encoder.layer.N.attention.attention.query|key|value.*},
     *         {@code …attention.output.dense.*}, {@code …intermediate.dense.*}, {@code …output.dense.*},
     *         {@code …layernorm_before|after.*}, {@code layernorm.*}
     */
    public Map<String, long[]> huggingFaceShapes() {
        int d = embedDim;
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("embeddings.cls_token", new long[] {1, 1, d});
        m.put("embeddings.position_embeddings", new long[] {1, storedTokens(), d});
        m.put("embeddings.patch_embeddings.projection.weight", new long[] {d, inChannels, patchSize, patchSize});
        m.put("embeddings.patch_embeddings.projection.bias", new long[] {d});
        for (int i = 0; i < depth; i++) {
            String b = "encoder.layer." + i + ".";
            for (String qkv : new String[] {"query", "key", "value"}) {
                m.put(b + "attention.attention." + qkv + ".weight", new long[] {d, d});
                m.put(b + "attention.attention." + qkv + ".bias", new long[] {d});
            }
            m.put(b + "attention.output.dense.weight", new long[] {d, d});
            m.put(b + "attention.output.dense.bias", new long[] {d});
            m.put(b + "intermediate.dense.weight", new long[] {mlpHidden, d});
            m.put(b + "intermediate.dense.bias", new long[] {mlpHidden});
            m.put(b + "output.dense.weight", new long[] {d, mlpHidden});
            m.put(b + "output.dense.bias", new long[] {d});
            m.put(b + "layernorm_before.weight", new long[] {d});
            m.put(b + "layernorm_before.bias", new long[] {d});
            m.put(b + "layernorm_after.weight", new long[] {d});
            m.put(b + "layernorm_after.bias", new long[] {d});
        }
        m.put("layernorm.weight", new long[] {d});
        m.put("layernorm.bias", new long[] {d});
        return m;
    }

    /** @return a one-line description, e.g. {@code ViT patch 16, dim 384, depth 12, 6 heads, MLP 1536, grid 14x14} */
    public String describe() {
        return "ViT patch " + patchSize + ", dim " + embedDim + ", depth " + depth + ", " + heads + " heads, MLP "
                + mlpHidden + ", grid " + gridSize + "x" + gridSize;
    }
}

package org.dino4j.core.pretrained;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dino4j.core.model.DinoHeadConfig;
import org.dino4j.core.model.DinoModel;
import org.dino4j.core.model.ParamInfo;
import org.dino4j.core.model.vit.VisionTransformer;
import org.dino4j.core.model.vit.VitConfig;
import org.dino4j.core.pretrained.io.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A dino4j ViT model's weights in the official DINO layout, for {@code torch.load} / safetensors users:
 * the backbone as {@code vision_transformer.py}'s state dict (the hub files' keys), optionally with the DINO head
 * as {@code main_dino.py}'s {@code MultiCropWrapper} holds it ({@code backbone.*} + {@code head.*}).
 *
 * <p>Mapping (dino4j {@link VisionTransformer} → official): {@code patch_w [p,p,C,D]} → {@code
 * patch_embed.proj.weight [D,C,p,p]}; {@code cls_token}; {@code cls_pos [1,1,D]} and {@code pos_embed [G²,D]} →
 * {@code pos_embed [1,1+G²,D]} (CLS row first); per block {@code ln1_*} → {@code norm1.*}, {@code q_w, k_w, v_w
 * [D,D]} (in × out) → {@code attn.qkv.weight [3D,D]} (out × in, rows q then k then v, heads contiguous inside each
 * as the official reshape expects), biases likewise, {@code proj_w} → {@code attn.proj.weight} (transposed),
 * {@code ln2_*} → {@code norm2.*}, {@code fc1_w [D,H]} → {@code mlp.fc1.weight [H,D]}, {@code fc2_w} →
 * {@code mlp.fc2.weight}; {@code norm_*} → {@code norm.*}. Head ({@link DinoHeadConfig}): linear i →
 * {@code head.mlp.<j>} with j = 2i (3i with batch norm: Linear, BatchNorm1d, GELU), one layer → {@code head.mlp};
 * batch-norm gains/biases → {@code head.mlp.<3i+1>.weight|bias} with running mean 0 and variance 1 (dino4j
 * normalises with batch statistics only, as PyTorch's train mode); {@code last_layer/weight_v [bottleneck,K]} →
 * {@code head.last_layer.weight_v [K,bottleneck]}, {@code weight_g} → {@code head.last_layer.weight_g [K,1]} (ones
 * when the last layer is normalised).
 *
 * <p>dino4j's ViT uses the tanh form of GELU by default where the official one is exact (erf), so the official
 * architecture computes slightly different features from such weights (docs/pretrained.md gives the measured
 * difference); a ViT trained with {@link VitConfig#exactGelu()} ({@code model.vit.gelu: erf}) exports exactly. The
 * head's GELU is always the tanh form.
 */
public final class OfficialExport {
    private OfficialExport() {
    }

    /**
     * The safetensors metadata written with an export: {@code format=pt}, {@code num_heads}, {@code layer_norm_eps},
     * {@code patch_size}, {@code gelu} ({@code tanh} or {@code erf}: the model's GELU form) and {@code source=dino4j}.
     *
     * @param model the exported model (ViT backbone)
     * @return the metadata
     */
    public static Map<String, String> metadata(DinoModel model) {
        VitConfig c = ((VisionTransformer) model.backbone()).config();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "pt");
        m.put("source", "dino4j");
        m.put("num_heads", Integer.toString(c.heads()));
        m.put("patch_size", Integer.toString(c.patchSize()));
        m.put("layer_norm_eps", Double.toString(c.layerNormEps()));
        m.put("gelu", c.exactGelu() ? "erf" : "tanh");
        return m;
    }

    /**
     * @param model a model with a {@link VisionTransformer} backbone
     * @param withHead whether to add the head ({@code backbone.*} + {@code head.*} keys instead of the bare backbone)
     * @return official names → float32 tensors, in state-dict order
     * @throws IllegalArgumentException when the backbone is not a ViT
     */
    public static Map<String, Tensor> vit(DinoModel model, boolean withHead) {
        if (!(model.backbone() instanceof VisionTransformer vt)) {
            throw new IllegalArgumentException("only ViT backbones have an official layout; this model's backbone is \""
                    + model.backbone().name() + "\"");
        }
        VitConfig c = vt.config();
        Map<String, float[]> p = new HashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        INDArray flat = model.params().castTo(DataType.FLOAT).dup('c');
        float[] all = flat.data().asFloat();
        for (ParamInfo info : model.parameters()) {
            float[] v = new float[(int) info.length()];
            System.arraycopy(all, (int) info.offset(), v, 0, v.length);
            p.put(info.name(), v);
            shapes.put(info.name(), info.shape());
        }
        int d = c.embedDim();
        int ps = c.patchSize();
        int ch = c.inChannels();
        int g2 = c.basePatchGrid() * c.basePatchGrid();
        int hid = c.mlpHidden();
        String pre = withHead ? "backbone." : "";
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(pre + "cls_token", new Tensor(new long[] {1, 1, d}, get(p, "backbone/cls_token")));
        float[] pos = new float[(1 + g2) * d];
        System.arraycopy(get(p, "backbone/cls_pos"), 0, pos, 0, d);
        System.arraycopy(get(p, "backbone/pos_embed"), 0, pos, d, g2 * d);
        out.put(pre + "pos_embed", new Tensor(new long[] {1, 1 + g2, d}, pos));
        float[] pw = get(p, "backbone/patch_w"); // [p, p, C, D]
        float[] proj = new float[pw.length];
        for (int y = 0; y < ps; y++) {
            for (int x = 0; x < ps; x++) {
                for (int ci = 0; ci < ch; ci++) {
                    for (int o = 0; o < d; o++) {
                        proj[((o * ch + ci) * ps + y) * ps + x] = pw[((y * ps + x) * ch + ci) * d + o];
                    }
                }
            }
        }
        out.put(pre + "patch_embed.proj.weight", new Tensor(new long[] {d, ch, ps, ps}, proj));
        out.put(pre + "patch_embed.proj.bias", new Tensor(new long[] {d}, get(p, "backbone/patch_b")));
        for (int i = 0; i < c.depth(); i++) {
            String s = "backbone/blk" + i + "/";
            String o = pre + "blocks." + i + ".";
            out.put(o + "norm1.weight", vec(p, s + "ln1_gain", d));
            out.put(o + "norm1.bias", vec(p, s + "ln1_bias", d));
            float[] qkv = new float[3 * d * d];
            float[] qkvB = new float[3 * d];
            String[] parts = {"q", "k", "v"};
            for (int k = 0; k < 3; k++) {
                System.arraycopy(transpose(get(p, s + parts[k] + "_w"), d, d), 0, qkv, k * d * d, d * d);
                System.arraycopy(get(p, s + parts[k] + "_b"), 0, qkvB, k * d, d);
            }
            out.put(o + "attn.qkv.weight", new Tensor(new long[] {3L * d, d}, qkv));
            out.put(o + "attn.qkv.bias", new Tensor(new long[] {3L * d}, qkvB));
            out.put(o + "attn.proj.weight", new Tensor(new long[] {d, d}, transpose(get(p, s + "proj_w"), d, d)));
            out.put(o + "attn.proj.bias", vec(p, s + "proj_b", d));
            out.put(o + "norm2.weight", vec(p, s + "ln2_gain", d));
            out.put(o + "norm2.bias", vec(p, s + "ln2_bias", d));
            out.put(o + "mlp.fc1.weight", new Tensor(new long[] {hid, d}, transpose(get(p, s + "fc1_w"), d, hid)));
            out.put(o + "mlp.fc1.bias", vec(p, s + "fc1_b", hid));
            out.put(o + "mlp.fc2.weight", new Tensor(new long[] {d, hid}, transpose(get(p, s + "fc2_w"), hid, d)));
            out.put(o + "mlp.fc2.bias", vec(p, s + "fc2_b", d));
        }
        out.put(pre + "norm.weight", vec(p, "backbone/norm_gain", d));
        out.put(pre + "norm.bias", vec(p, "backbone/norm_bias", d));
        if (withHead) {
            head(model.headConfig(), d, p, out);
        }
        return out;
    }

    private static void head(DinoHeadConfig h, int inDim, Map<String, float[]> p, Map<String, Tensor> out) {
        int n = h.nLayers();
        for (int i = 0; i < n; i++) {
            int in = i == 0 ? inDim : h.hiddenDim();
            int o = i == n - 1 ? h.bottleneckDim() : h.hiddenDim();
            String key = n == 1 ? "head.mlp." : "head.mlp." + (h.useBn() ? 3 * i : 2 * i) + ".";
            out.put(key + "weight", new Tensor(new long[] {o, in}, transpose(get(p, "head/mlp" + i + "_w"), in, o)));
            out.put(key + "bias", vec(p, "head/mlp" + i + "_b", o));
            if (h.useBn() && i < n - 1) {
                String bn = "head.mlp." + (3 * i + 1) + ".";
                out.put(bn + "weight", vec(p, "head/mlp" + i + "_bn_gain", o));
                out.put(bn + "bias", vec(p, "head/mlp" + i + "_bn_bias", o));
                out.put(bn + "running_mean", new Tensor(new long[] {o}, new float[o]));
                float[] ones = new float[o];
                java.util.Arrays.fill(ones, 1f);
                out.put(bn + "running_var", new Tensor(new long[] {o}, ones));
            }
        }
        int b = h.bottleneckDim();
        int k = h.outDim();
        float[] g = new float[k];
        if (h.normLastLayer()) {
            java.util.Arrays.fill(g, 1f);
        } else {
            System.arraycopy(get(p, "head/last_layer/weight_g"), 0, g, 0, k);
        }
        out.put("head.last_layer.weight_g", new Tensor(new long[] {k, 1}, g));
        out.put("head.last_layer.weight_v", new Tensor(new long[] {k, b}, transpose(get(p, "head/last_layer/weight_v"), b, k)));
    }

    private static float[] get(Map<String, float[]> p, String name) {
        float[] v = p.get(name);
        if (v == null) {
            throw new IllegalStateException("model has no parameter " + name);
        }
        return v;
    }

    private static Tensor vec(Map<String, float[]> p, String name, int n) {
        return new Tensor(new long[] {n}, get(p, name));
    }

    /** [rows, cols] row-major → [cols, rows] row-major. */
    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }
}

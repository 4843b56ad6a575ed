package org.dino4j.core.pretrained;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dino4j.core.pretrained.io.CheckpointFile;
import org.dino4j.core.pretrained.io.Py;
import org.dino4j.core.pretrained.io.Tensor;
import org.dino4j.core.pretrained.io.TensorRef;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Reads the backbone of a DINO checkpoint from a PyTorch {@code .pth} or a {@code .safetensors} file, whatever key
 * layout it uses:
 *
 * <ul>
 *   <li>the official hub files ({@code dino_deitsmall16_pretrain.pth} …, {@code dino_resnet50_pretrain.pth}): a
 *       state dict in {@code vision_transformer.py} / torchvision names;</li>
 *   <li>full training checkpoints ({@code checkpoint.pth} of {@code main_dino.py}): {@code teacher} (default) or
 *       {@code student} entry, keys prefixed {@code module.} (DistributedDataParallel) and {@code backbone.}
 *       (MultiCropWrapper); the DINO head ({@code head.*}) and everything else (optimizer, args) are skipped;</li>
 *   <li>the model hubs' {@code facebook/dino-vits16|vits8|vitb16|vitb8} files (Hugging Face {@code ViTModel}
 *       names, separate query/key/value, optional {@code vit.} prefix): converted to the official layout, heads
 *       and LayerNorm eps from a {@code config.json} beside the file when present (eps default 1e-12, the
 *       {@code ViTConfig} default those models use).</li>
 * </ul>
 *
 * The number of heads is not in the shapes: it comes from {@link LoadOptions#heads()}, else a safetensors
 * {@code num_heads} metadata entry (written by {@code dino export}), a Hugging Face {@code config.json}, a training
 * checkpoint's {@code args.arch}, else embed dim / 64 (true of every official DINO ViT).
 *
 * The architecture is read off the shapes (patch size, width, depth, MLP width, position grid; ResNet widths
 * and blocks per stage), then every expected tensor is checked: a checkpoint that does not fit gets one
 * {@link IOException} naming the file, the architecture, the first missing or mis-shaped key and the shape
 * expected.
 */
public final class PretrainedCheckpoints {
    /** Default HF ViT LayerNorm epsilon ({@code transformers.ViTConfig}). */
    public static final double HF_LAYER_NORM_EPS = 1e-12;
    /** Official DINO ViT LayerNorm epsilon. */
    public static final double OFFICIAL_LAYER_NORM_EPS = 1e-6;
    /** PyTorch BatchNorm epsilon. */
    public static final double BATCH_NORM_EPS = 1e-5;

    private static final List<String> STRIPPED_PREFIXES = List.of("module.", "backbone.", "_orig_mod.", "vit.");
    private static final List<String> SKIPPED_PREFIXES = List.of("head.", "fc.", "pooler.", "classifier.");
    private static final Pattern BLOCK = Pattern.compile("^blocks\\.(\\d+)\\.");
    private static final Pattern HF_LAYER = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");

    private PretrainedCheckpoints() {
    }

    /**
     * Reads, converts and validates a checkpoint's backbone.
     *
     * @param path a {@code .pth}/{@code .pt}/{@code .bin} (PyTorch zip) or {@code .safetensors} file
     * @param options which entry, how many heads
     * @return the backbone weights in official names
     * @throws IOException naming the file when it cannot be read, holds no DINO ViT / ResNet backbone, or does not
     *         fit the architecture its shapes describe
     */
    public static BackboneWeights load(Path path, LoadOptions options) throws IOException {
        try (CheckpointFile f = CheckpointFile.open(path)) {
            if (!(f.root() instanceof Map<?, ?> root)) {
                throw new IOException(path + ": the file holds a " + describe(f.root()) + ", not a dict of tensors");
            }
            Map<String, TensorRef> sd = normalise(select(root, options.checkpointKey(), path), path);
            if (sd.containsKey("cls_token")) {
                VitSpec spec = vitSpec(sd, path, heads(f, path, options, sd.get("cls_token").shape(), false),
                        OFFICIAL_LAYER_NORM_EPS, false);
                return new BackboneWeights.Vit(spec, read(sd, spec.officialShapes(), spec.describe(), path));
            }
            if (sd.containsKey("embeddings.cls_token")) {
                JsonNode cfg = hfConfig(path);
                double eps = cfg != null && cfg.has("layer_norm_eps") ? cfg.get("layer_norm_eps").asDouble()
                        : HF_LAYER_NORM_EPS;
                VitSpec spec = vitSpec(sd, path, heads(f, path, options, sd.get("embeddings.cls_token").shape(),
                        true), eps, true);
                Map<String, Tensor> hf = read(sd, spec.huggingFaceShapes(), spec.describe(), path);
                return new BackboneWeights.Vit(spec, fromHuggingFace(hf, spec));
            }
            if (sd.containsKey("conv1.weight")) {
                ResNetSpec spec = resNetSpec(sd, path);
                return new BackboneWeights.ResNet(spec, read(sd, spec.shapes(), spec.describe(), path));
            }
            throw new IOException(path + ": no DINO ViT or ResNet backbone found: none of 'cls_token' (official ViT), "
                    + "'embeddings.cls_token' (Hugging Face ViT) or 'conv1.weight' (ResNet) among its " + sd.size()
                    + " tensors" + (sd.isEmpty() ? "" : " (first: '" + sd.keySet().iterator().next() + "')"));
        }
    }

    // ------------------------------------------------------------------------------------------- which entry

    private static Map<String, TensorRef> select(Map<?, ?> root, String key, Path path) throws IOException {
        if (key != null) {
            Object v = root.get(key);
            if (v instanceof Map<?, ?> m) {
                return CheckpointFile.tensorsOf(m);
            }
            throw new IOException(path + ": checkpoint key '" + key + "' " + (v == null ? "not found" : "is not a dict")
                    + "; the file's top-level entries are " + keys(root));
        }
        if (root.get("teacher") instanceof Map<?, ?> m) {
            return CheckpointFile.tensorsOf(m);
        }
        Map<String, TensorRef> direct = CheckpointFile.tensorsOf(root);
        if (!direct.isEmpty()) {
            return direct;
        }
        for (String k : List.of("state_dict", "model", "module")) {
            if (root.get(k) instanceof Map<?, ?> m && !CheckpointFile.tensorsOf(m).isEmpty()) {
                return CheckpointFile.tensorsOf(m);
            }
        }
        throw new IOException(path + ": no state dict found; the file's top-level entries are " + keys(root)
                + " (choose one with a checkpoint key)");
    }

    private static Map<String, TensorRef> normalise(Map<String, TensorRef> in, Path path) throws IOException {
        Map<String, TensorRef> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : in.entrySet()) {
            String k = e.getKey();
            boolean stripped = true;
            while (stripped) {
                stripped = false;
                for (String p : STRIPPED_PREFIXES) {
                    if (k.startsWith(p)) {
                        k = k.substring(p.length());
                        stripped = true;
                    }
                }
            }
            String key = k;
            if (SKIPPED_PREFIXES.stream().anyMatch(key::startsWith)) {
                continue; // the DINO head, a classifier or pooler: not part of the backbone
            }
            if (out.put(key, e.getValue()) != null) {
                throw new IOException(path + ": two tensors map to '" + key + "' after removing the module./backbone."
                        + " prefixes (one of them '" + e.getKey() + "')");
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------- ViT

    private static VitSpec vitSpec(Map<String, TensorRef> sd, Path path, int heads, double eps, boolean hf)
            throws IOException {
        String clsKey = hf ? "embeddings.cls_token" : "cls_token";
        String patchKey = hf ? "embeddings.patch_embeddings.projection.weight" : "patch_embed.proj.weight";
        String posKey = hf ? "embeddings.position_embeddings" : "pos_embed";
        String fc1Key = hf ? "encoder.layer.0.intermediate.dense.weight" : "blocks.0.mlp.fc1.weight";
        String what = hf ? "Hugging Face ViT" : "ViT";
        long[] cls = anchor(sd, clsKey, 3, "[1, 1, D]", path, what);
        long d = cls[2];
        long[] patch = anchor(sd, patchKey, 4, "[" + d + ", C, p, p]", path, what);
        if (patch[0] != d || patch[2] != patch[3]) {
            throw mismatch(path, what, patchKey, patch, "[" + d + ", C, p, p]");
        }
        long[] pos = anchor(sd, posKey, 3, "[1, 1 + G*G, " + d + "]", path, what);
        long grid = Math.round(Math.sqrt(pos[1] - 1.0));
        if (pos[0] != 1 || pos[2] != d || grid * grid != pos[1] - 1) {
            throw mismatch(path, what, posKey, pos, "[1, 1 + G*G, " + d + "] for a square grid G");
        }
        int depth = 0;
        Pattern blk = hf ? HF_LAYER : BLOCK;
        for (String k : sd.keySet()) {
            Matcher m = blk.matcher(k);
            if (m.find()) {
                depth = Math.max(depth, Integer.parseInt(m.group(1)) + 1);
            }
        }
        if (depth == 0) {
            throw new IOException(path + ": the " + what + " checkpoint has no transformer blocks ('"
                    + (hf ? "encoder.layer.0." : "blocks.0.") + "…')");
        }
        long[] fc1 = anchor(sd, fc1Key, 2, "[H, " + d + "]", path, what);
        if (fc1[1] != d) {
            throw mismatch(path, what, fc1Key, fc1, "[H, " + d + "]");
        }
        if (d % heads != 0) {
            throw new IOException(path + ": " + heads + " attention heads do not divide the embed dim " + d);
        }
        return new VitSpec((int) patch[2], (int) patch[1], (int) d, depth, heads, (int) fc1[0], (int) grid, eps);
    }

    private static int heads(CheckpointFile f, Path path, LoadOptions options, long[] clsShape, boolean hf)
            throws IOException {
        if (options.heads() > 0) {
            return options.heads();
        }
        String meta = f.metadata().get("num_heads");
        if (meta != null) {
            try {
                return Integer.parseInt(meta.trim());
            } catch (NumberFormatException e) {
                throw new IOException(path + ": metadata num_heads is not an integer: '" + meta + "'");
            }
        }
        Map<?, ?> root = (Map<?, ?>) f.root();
        if (hf) {
            JsonNode cfg = hfConfig(path);
            if (cfg != null && cfg.has("num_attention_heads")) {
                return cfg.get("num_attention_heads").asInt();
            }
        }
        if (root.get("args") instanceof Py.Obj args && args.attribute("arch") instanceof String arch) {
            switch (arch) {
                case "vit_tiny" -> {
                    return 3;
                }
                case "vit_small" -> {
                    return 6;
                }
                case "vit_base" -> {
                    return 12;
                }
                default -> {
                    // not an official ViT name: fall through to the head-dimension rule
                }
            }
        }
        long d = clsShape.length == 3 ? clsShape[2] : 0;
        if (d > 0 && d % 64 == 0) {
            return (int) (d / 64); // every official DINO ViT (tiny 192/3, small 384/6, base 768/12) has 64 per head
        }
        throw new IOException(path + ": cannot tell the number of attention heads of a ViT with embed dim " + d
                + " (not a multiple of the official head size 64): give it explicitly (--heads / LoadOptions.heads)");
    }

    private static JsonNode hfConfig(Path path) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Path cfg = dir == null ? null : dir.resolve("config.json");
        if (cfg == null || !Files.isRegularFile(cfg)) {
            return null;
        }
        try {
            return new ObjectMapper().readTree(cfg.toFile());
        } catch (IOException e) {
            throw new IOException(cfg + ": not valid JSON (" + e.getMessage() + ")");
        }
    }

    /** HF names → official names; q, k, v stacked into qkv ([3D, D], rows q then k then v). */
    private static Map<String, Tensor> fromHuggingFace(Map<String, Tensor> hf, VitSpec spec) {
        Map<String, Tensor> o = new LinkedHashMap<>();
        o.put("cls_token", hf.get("embeddings.cls_token"));
        o.put("pos_embed", hf.get("embeddings.position_embeddings"));
        o.put("patch_embed.proj.weight", hf.get("embeddings.patch_embeddings.projection.weight"));
        o.put("patch_embed.proj.bias", hf.get("embeddings.patch_embeddings.projection.bias"));
        int d = spec.embedDim();
        for (int i = 0; i < spec.depth(); i++) {
            String h = "encoder.layer." + i + ".";
            String b = "blocks." + i + ".";
            String a = h + "attention.attention.";
            o.put(b + "norm1.weight", hf.get(h + "layernorm_before.weight"));
            o.put(b + "norm1.bias", hf.get(h + "layernorm_before.bias"));
            o.put(b + "attn.qkv.weight", new Tensor(new long[] {3L * d, d},
                    concat(hf.get(a + "query.weight"), hf.get(a + "key.weight"), hf.get(a + "value.weight"))));
            o.put(b + "attn.qkv.bias", new Tensor(new long[] {3L * d},
                    concat(hf.get(a + "query.bias"), hf.get(a + "key.bias"), hf.get(a + "value.bias"))));
            o.put(b + "attn.proj.weight", hf.get(h + "attention.output.dense.weight"));
            o.put(b + "attn.proj.bias", hf.get(h + "attention.output.dense.bias"));
            o.put(b + "norm2.weight", hf.get(h + "layernorm_after.weight"));
            o.put(b + "norm2.bias", hf.get(h + "layernorm_after.bias"));
            o.put(b + "mlp.fc1.weight", hf.get(h + "intermediate.dense.weight"));
            o.put(b + "mlp.fc1.bias", hf.get(h + "intermediate.dense.bias"));
            o.put(b + "mlp.fc2.weight", hf.get(h + "output.dense.weight"));
            o.put(b + "mlp.fc2.bias", hf.get(h + "output.dense.bias"));
        }
        o.put("norm.weight", hf.get("layernorm.weight"));
        o.put("norm.bias", hf.get("layernorm.bias"));
        return o;
    }

    private static float[] concat(Tensor... ts) {
        int n = 0;
        for (Tensor t : ts) {
            n += t.size();
        }
        float[] out = new float[n];
        int o = 0;
        for (Tensor t : ts) {
            System.arraycopy(t.data(), 0, out, o, t.size());
            o += t.size();
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------- ResNet

    private static ResNetSpec resNetSpec(Map<String, TensorRef> sd, Path path) throws IOException {
        String what = "ResNet";
        long[] conv1 = anchor(sd, "conv1.weight", 4, "[stem, C, 7, 7]", path, what);
        if (conv1[2] != 7 || conv1[3] != 7) {
            throw mismatch(path, what, "conv1.weight", conv1, "[stem, C, 7, 7]");
        }
        int[] widths = new int[4];
        int[] blocks = new int[4];
        for (int s = 0; s < 4; s++) {
            String first = "layer" + (s + 1) + ".0.conv1.weight";
            long[] c = anchor(sd, first, 4, "[width, in, 1, 1]", path, what);
            widths[s] = (int) c[0];
            int n = 0;
            while (sd.containsKey("layer" + (s + 1) + "." + n + ".conv1.weight")) {
                n++;
            }
            blocks[s] = n;
        }
        return new ResNetSpec((int) conv1[0], widths, blocks, (int) conv1[1], BATCH_NORM_EPS);
    }

    // ------------------------------------------------------------------------------------------- checks

    private static long[] anchor(Map<String, TensorRef> sd, String key, int rank, String expected, Path path,
                                 String what) throws IOException {
        TensorRef t = sd.get(key);
        if (t == null) {
            throw new IOException(path + ": the checkpoint does not fit a DINO " + what + ": key '" + key
                    + "' is missing (expected shape " + expected + ")");
        }
        long[] s = t.shape();
        if (s.length != rank) {
            throw mismatch(path, what, key, s, expected);
        }
        return s;
    }

    private static IOException mismatch(Path path, String what, String key, long[] shape, String expected) {
        return new IOException(path + ": the checkpoint does not fit a DINO " + what + ": key '" + key + "' has shape "
                + Arrays.toString(shape) + ", expected " + expected);
    }

    /** Checks every expected tensor in order and reads it as float32. */
    private static Map<String, Tensor> read(Map<String, TensorRef> sd, Map<String, long[]> expected, String arch,
                                            Path path) throws IOException {
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            TensorRef t = sd.get(e.getKey());
            if (t == null) {
                throw new IOException(path + ": the checkpoint does not fit " + arch + ": key '" + e.getKey()
                        + "' is missing (expected shape " + Arrays.toString(e.getValue()) + ")");
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new IOException(path + ": the checkpoint does not fit " + arch + ": key '" + e.getKey()
                        + "' has shape " + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(e.getValue()));
            }
            if (!t.dtype().isFloatingPoint()) {
                throw new IOException(path + ": key '" + e.getKey() + "' holds " + t.dtype()
                        + " values, expected floating point");
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String k : expected.keySet()) {
            out.put(k, Tensor.of(sd.get(k)));
        }
        return out;
    }

    private static String keys(Map<?, ?> m) {
        List<String> k = m.keySet().stream().map(String::valueOf).toList();
        return k.size() <= 12 ? k.toString() : k.subList(0, 12) + " … (" + k.size() + ")";
    }

    private static String describe(Object o) {
        return o == null ? "null" : o instanceof List<?> ? "list" : o instanceof TensorRef ? "single tensor"
                : o.getClass().getSimpleName();
    }
}

package org.dino4j.train.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Config keys of older run directories and checkpoints, read into today's layout: the model section once held the
 * small-resnet options and the head fields flat (plus a {@code vit} section for every backbone), and the data section
 * held a flat subset of the multi-crop recipe (every other field of {@code data.crops} was DINO's recipe, which is what
 * the {@code default} preset's crops hold). Files and checkpoint configs are migrated on reading; {@code --set} names
 * only today's keys.
 */
final class LegacyKeys {
    /** Older key → today's key(s). */
    static final Map<String, List<String>> KEYS = new LinkedHashMap<>();

    static {
        for (String k : List.of("stem", "widths", "blocksPerStage", "groups")) {
            KEYS.put("model." + k, List.of("model.small-resnet." + k));
        }
        KEYS.put("model.headHidden", List.of("model.head.hiddenDim"));
        KEYS.put("model.headBottleneck", List.of("model.head.bottleneckDim"));
        KEYS.put("model.outDim", List.of("model.head.outDim"));
        KEYS.put("model.headLayers", List.of("model.head.nLayers"));
        KEYS.put("model.normLastLayer", List.of("model.head.normLastLayer"));
        KEYS.put("model.headBatchNorm", List.of("model.head.useBn"));
        KEYS.put("data.globalCropSize", List.of("data.crops.global1.size", "data.crops.global2.size"));
        KEYS.put("data.localCropSize", List.of("data.crops.local.size"));
        KEYS.put("data.localCrops", List.of("data.crops.numLocal"));
        KEYS.put("data.globalScaleMin", List.of("data.crops.global1.scaleMin", "data.crops.global2.scaleMin"));
        KEYS.put("data.globalScaleMax", List.of("data.crops.global1.scaleMax", "data.crops.global2.scaleMax"));
        KEYS.put("data.localScaleMin", List.of("data.crops.local.scaleMin"));
        KEYS.put("data.localScaleMax", List.of("data.crops.local.scaleMax"));
        KEYS.put("data.blurSigmaMax", List.of("data.crops.blurSigmaMax"));
        KEYS.put("data.rotationDegrees", List.of("data.crops.rotationDegrees"));
    }

    /** The backbone sections older model sections held whatever the backbone. */
    private static final List<String> OLD_SECTIONS = List.of("small-resnet", "vit");

    private LegacyKeys() {
    }

    /**
     * Moves every older key of a (possibly partial) config tree to today's key(s), in place. When the tree had older
     * model keys and names its backbone, the sections of the other built-in backbones are dropped (older files held
     * the small-resnet fields and a vit section whatever the backbone).
     *
     * @param tree a config tree (sections model, data, ...)
     * @return whether anything was moved
     */
    static boolean migrate(ObjectNode tree) {
        boolean modelKeys = false;
        boolean any = false;
        for (Map.Entry<String, List<String>> e : KEYS.entrySet()) {
            String[] old = e.getKey().split("\\.");
            JsonNode section = tree.get(old[0]);
            if (!(section instanceof ObjectNode s) || !s.has(old[1])) continue;
            JsonNode value = s.remove(old[1]);
            for (String key : e.getValue()) put(tree, key, value.deepCopy());
            any = true;
            modelKeys |= old[0].equals("model");
        }
        JsonNode model = tree.get("model");
        if (modelKeys && model instanceof ObjectNode m && m.path(ModelConfigJson.BACKBONE).isTextual()) {
            String b = m.get(ModelConfigJson.BACKBONE).asText();
            for (String section : OLD_SECTIONS) {
                if (!section.equals(b)) m.remove(section);
            }
        }
        return any;
    }

    /** @return today's key(s) of an older key, or null when it is not one */
    static List<String> current(String key) {
        return KEYS.get(key);
    }

    private static void put(ObjectNode tree, String key, JsonNode value) {
        String[] parts = key.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            node = child instanceof ObjectNode o ? o : node.putObject(parts[i]);
        }
        node.set(parts[parts.length - 1], value);
    }
}

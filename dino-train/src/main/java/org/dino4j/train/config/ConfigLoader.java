package org.dino4j.train.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.dino4j.core.model.BackboneFactory;
import org.dino4j.core.model.Backbones;

/**
 * Builds a {@link DinoConfig} from a preset, an optional YAML/JSON file and {@code key.path=value} overrides, in
 * that order. Presets are YAML resources ({@link Presets}) read the same way as user files: a file may name its own
 * base with a top-level {@code preset:} key (else it is based on {@code default}) and needs to hold only the keys it
 * changes. Selecting another backbone ({@code model.backbone}) replaces the backbone section with that backbone's
 * default options before the file's or the override's own keys apply. An unknown key, a value of the wrong type
 * (e.g. {@code batchSize: 8.7}: integers are never rounded) or an invalid value fails with one
 * {@link IllegalArgumentException} naming the key (and the value) before any work starts. A file is read as JSON when
 * its name ends in {@code .json} or its first character is <code>{</code>, else as YAML. Files and checkpoint configs
 * written with older key names ({@link LegacyKeys}) are read into today's layout.
 */
public final class ConfigLoader {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Top-level key of a file or preset naming its base preset. */
    static final String PRESET_KEY = "preset";
    private static final String MODEL_BACKBONE = "model.backbone";

    private ConfigLoader() {}

    /**
     * Loads a config.
     *
     * @param preset    base preset name (see {@link Presets}); {@code null} = the file's {@code preset:} key, else "default".
     * @param file      JSON ({@code .json}, or starting with <code>{</code>) or YAML file, or {@code null}.
     * @param overrides dotted keys to values, e.g. {@code optim.lr=1e-3}; applied last, in iteration order.
     * @throws IOException              when the file cannot be read or parsed (the message names the file).
     * @throws IllegalArgumentException for an unknown key or an invalid value (naming the key and the value).
     */
    public static DinoConfig load(String preset, Path file, Map<String, String> overrides) throws IOException {
        return load(preset, file, overrides, "default");
    }

    /**
     * As {@link #load(String, Path, Map)}, with the preset used when neither {@code preset} nor the file names one.
     */
    public static DinoConfig load(String preset, Path file, Map<String, String> overrides, String defaultPreset)
            throws IOException {
        ObjectNode user = null;
        if (file != null) {
            if (!Files.isRegularFile(file)) throw new IOException("config file " + file + " does not exist or is not a file");
            byte[] bytes = Files.readAllBytes(file);
            boolean json = isJson(file, bytes);
            try {
                user = section("config file " + file, (json ? JSON : YAML).readTree(bytes));
            } catch (JsonProcessingException e) {
                throw new IOException("config file " + file + " is not valid " + (json ? "JSON" : "YAML") + ": "
                        + e.getOriginalMessage(), e);
            }
            if (user != null && user.has(PRESET_KEY)) {
                String p = user.remove(PRESET_KEY).asText();
                if (preset == null) preset = p;
            }
        }
        ObjectNode tree = presetTree(preset == null ? defaultPreset : preset);
        if (user != null) {
            LegacyKeys.migrate(user);
            merge(tree, user, "");
        }
        if (overrides != null) apply(tree, overrides);
        return fromTree(tree);
    }

    /** Applies overrides in order, a {@code model.backbone} override first (its section's keys may follow it). */
    private static void apply(ObjectNode tree, Map<String, String> overrides) {
        String backbone = overrides.get(MODEL_BACKBONE);
        if (backbone != null) set(tree, MODEL_BACKBONE, backbone);
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (!e.getKey().equals(MODEL_BACKBONE)) set(tree, e.getKey(), e.getValue());
        }
    }

    /**
     * The config tree of a preset: its YAML resource over its base ({@code preset:} key, else {@code default}),
     * validated and written back in canonical types.
     */
    static ObjectNode presetTree(String name) {
        return presetTree(name, new java.util.ArrayList<>());
    }

    private static ObjectNode presetTree(String name, List<String> chain) {
        if (chain.contains(name)) throw new IllegalStateException("preset " + name + " names itself as a base: " + chain);
        chain.add(name);
        ObjectNode own;
        try {
            own = section("preset " + name, YAML.readTree(Presets.read(name)));
        } catch (IOException e) {
            throw new IllegalStateException("preset " + name + " cannot be read: " + e.getMessage(), e);
        }
        if (own == null) own = JSON.createObjectNode();
        String base = own.has(PRESET_KEY) ? own.remove(PRESET_KEY).asText() : null;
        ObjectNode tree;
        if (base == null && name.equals(Presets.DEFAULT)) {
            tree = own;
        } else {
            tree = presetTree(base == null ? Presets.DEFAULT : base, chain);
            merge(tree, own, "");
        }
        return JSON.valueToTree(fromTree(tree));
    }

    /**
     * The dotted keys a user set explicitly: every leaf key of the config file (its {@code preset:} line aside; older
     * keys as the keys they became, {@link LegacyKeys}) and every override key. {@link DataScaling} leaves these keys
     * as they are.
     *
     * @throws IOException when the file cannot be read or parsed
     */
    public static java.util.Set<String> explicitKeys(Path file, Map<String, String> overrides) throws IOException {
        java.util.Set<String> keys = new java.util.TreeSet<>();
        if (file != null && Files.isRegularFile(file)) {
            byte[] bytes = Files.readAllBytes(file);
            JsonNode user;
            try {
                user = (isJson(file, bytes) ? JSON : YAML).readTree(bytes);
            } catch (JsonProcessingException e) {
                throw new IOException("config file " + file + " is not valid: " + e.getOriginalMessage(), e);
            }
            if (user instanceof ObjectNode o) {
                o.remove(PRESET_KEY);
                LegacyKeys.migrate(o); // an older key counts as the key(s) it became
                leafKeys(o, "", keys);
            }
        }
        if (overrides != null) keys.addAll(overrides.keySet());
        return keys;
    }

    private static void leafKeys(JsonNode n, String prefix, java.util.Set<String> out) {
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject()) leafKeys(e.getValue(), prefix + e.getKey() + ".", out);
            else out.add(prefix + e.getKey());
        }
    }

    /** A config with {@code key.path=value} overrides applied (validated). */
    public static DinoConfig override(DinoConfig base, Map<String, String> overrides) {
        ObjectNode tree = JSON.valueToTree(base);
        apply(tree, overrides);
        return fromTree(tree);
    }

    /** Parses a {@code key=value} override into its two parts. */
    public static Map.Entry<String, String> parseOverride(String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException("override must look like section.key=value, got \"" + kv + "\"");
        return Map.entry(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
    }

    /** Sets one dotted key of a config tree; the value is parsed as YAML (numbers, booleans, lists [a, b]). */
    static void set(ObjectNode tree, String key, String value) {
        List<String> now = LegacyKeys.current(key);
        if (now != null) {
            throw new IllegalArgumentException("config key \"" + key + "\" is read only from older config files; set "
                    + String.join(" and ", now) + " instead");
        }
        if (key.equals(MODEL_BACKBONE)) {
            if (!(tree.get("model") instanceof ObjectNode model)) throw unknownKey(key, tree);
            selectBackbone(model, value);
            return;
        }
        String[] parts = key.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (child == null || !child.isObject()) throw unknownKey(key, node);
            node = (ObjectNode) child;
        }
        String last = parts[parts.length - 1];
        JsonNode old = node.get(last);
        if (old == null || old.isObject()) throw unknownKey(key, node);
        JsonNode parsed;
        try {
            parsed = old.isTextual() ? JSON.getNodeFactory().textNode(value) : YAML.readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(key + " has an unparseable value \"" + value + "\"");
        }
        if (parsed == null || parsed.isMissingNode() || parsed.isNull()) {
            throw new IllegalArgumentException(key + " must have a value, got \"" + value + "\"");
        }
        if (old.isNumber() != parsed.isNumber() || old.isBoolean() != parsed.isBoolean() || old.isArray() != parsed.isArray()) {
            throw new IllegalArgumentException(key + " must be " + describe(old) + ", got \"" + value + "\"");
        }
        if (old.isIntegralNumber() && !parsed.isIntegralNumber()) {
            throw new IllegalArgumentException(key + " must be an integer, got " + value);
        }
        node.set(last, parsed);
    }

    /** The config as YAML (all keys, loadable by {@link #load}). */
    public static String toYaml(DinoConfig c) {
        try {
            return YAML.writeValueAsString(c);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The config as indented JSON. */
    public static String toJson(DinoConfig c) {
        try {
            return JSON.writeValueAsString(c);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses a config from JSON as written by {@link #toJson} (e.g. a checkpoint's), also one written with older key
     * names; sections missing in older files take the {@code default} preset's values (every DINO trick on, no
     * training-set limit, no rotation).
     */
    public static DinoConfig fromJson(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("config JSON is not valid: " + e.getOriginalMessage(), e);
        }
        ObjectNode user = section("config JSON", node);
        ObjectNode tree = presetTree(Presets.DEFAULT);
        if (user != null) {
            LegacyKeys.migrate(user);
            merge(tree, user, "");
        }
        return fromTree(tree);
    }

    private static DinoConfig fromTree(JsonNode tree) {
        try {
            return JSON.treeToValue(tree, DinoConfig.class);
        } catch (JsonMappingException e) {
            throw ConfigErrors.of(e, tree, "");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("config is not valid: " + e.getOriginalMessage(), e);
        }
    }

    /** A file's top-level node as a mapping of sections (null for an empty file). */
    private static ObjectNode section(String what, JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        if (!n.isObject()) throw new IllegalArgumentException(what + " must hold a mapping of sections, got " + n.getNodeType());
        return (ObjectNode) n;
    }

    /**
     * Sets {@code model.backbone}: a different backbone's section replaces the old one, at that backbone's default
     * options (the head is kept).
     */
    private static void selectBackbone(ObjectNode model, String name) {
        BackboneFactory<?> f;
        try {
            f = Backbones.get(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model." + e.getMessage(), e);
        }
        String old = model.path(ModelConfigJson.BACKBONE).asText();
        if (old.equals(f.name()) && model.has(f.name())) return;
        JsonNode head = model.get(ModelConfigJson.HEAD);
        model.removeAll();
        model.put(ModelConfigJson.BACKBONE, f.name());
        model.set(f.name(), JSON.valueToTree(f.defaultOptions()));
        if (head != null) model.set(ModelConfigJson.HEAD, head);
    }

    private static void merge(ObjectNode base, ObjectNode user, String prefix) {
        if (prefix.equals("model.") && user.path(ModelConfigJson.BACKBONE).isTextual()) {
            selectBackbone(base, user.get(ModelConfigJson.BACKBONE).asText());
        }
        Iterator<Map.Entry<String, JsonNode>> it = user.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            JsonNode old = base.get(e.getKey());
            if (old == null) throw unknownKey(key, base);
            if (old.isObject()) {
                if (!e.getValue().isObject()) {
                    throw new IllegalArgumentException(key + " must be a section (a mapping), got " + e.getValue());
                }
                merge((ObjectNode) old, (ObjectNode) e.getValue(), key + ".");
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }

    private static IllegalArgumentException unknownKey(String key, ObjectNode where) {
        List<String> known = new ArrayList<>();
        where.fieldNames().forEachRemaining(known::add);
        return new IllegalArgumentException("unknown config key \"" + key + "\" (known here: " + known + ")");
    }

    private static String describe(JsonNode n) {
        if (n.isNumber()) return "a number";
        if (n.isBoolean()) return "true or false";
        if (n.isArray()) return "a list like [1, 2]";
        return "a string";
    }

    /** JSON when the name ends in .json or the first non-blank character is '{'; YAML otherwise. */
    private static boolean isJson(Path f, byte[] content) {
        String n = f.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith(".json")) return true;
        if (n.endsWith(".yaml") || n.endsWith(".yml")) return false;
        for (byte b : content) {
            if (b == ' ' || b == '\t' || b == '\r' || b == '\n') continue;
            return b == '{';
        }
        return false;
    }
}

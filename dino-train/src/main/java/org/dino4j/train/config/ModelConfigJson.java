package org.dino4j.train.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import org.dino4j.core.model.BackboneFactory;
import org.dino4j.core.model.Backbones;
import org.dino4j.core.model.DinoHeadConfig;

/**
 * {@link ModelConfig} in config files: {@code backbone} (the registered name), the section named after it (the
 * backbone's options record) and {@code head}. Errors name the full key ({@code model.vit.depth must be >= 1, got 0}).
 */
final class ModelConfigJson {
    static final String BACKBONE = "backbone";
    static final String HEAD = "head";

    private ModelConfigJson() {
    }

    /** Writes {@code backbone}, the backbone's section, {@code head}. */
    static final class Writer extends JsonSerializer<ModelConfig> {
        @Override
        public void serialize(ModelConfig m, JsonGenerator g, SerializerProvider p) throws IOException {
            g.writeStartObject();
            g.writeStringField(BACKBONE, m.backbone());
            p.defaultSerializeField(m.backbone(), m.backboneOptions(), g);
            p.defaultSerializeField(HEAD, m.head(), g);
            g.writeEndObject();
        }
    }

    /** Reads the three keys; a missing backbone section means the backbone's default options. */
    static final class Reader extends JsonDeserializer<ModelConfig> {
        @Override
        public ModelConfig deserialize(JsonParser parser, DeserializationContext ctxt) throws IOException {
            JsonNode n = ctxt.readTree(parser);
            if (!n.isObject()) {
                throw new IllegalArgumentException("model must be a section (a mapping), got " + n);
            }
            JsonNode name = n.get(BACKBONE);
            if (name == null || !name.isTextual()) {
                throw new IllegalArgumentException("model.backbone must be one of " + Backbones.names() + ", got " + name);
            }
            BackboneFactory<?> f;
            try {
                f = Backbones.get(name.asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model." + e.getMessage(), e);
            }
            List<String> known = List.of(BACKBONE, f.name(), HEAD);
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!known.contains(k)) {
                    throw new IllegalArgumentException("unknown config key \"model." + k + "\" (known here: " + known + ")");
                }
            }
            Record options = n.has(f.name()) ? read(ctxt, n.get(f.name()), f.optionsType(), "model." + f.name())
                    : f.defaultOptions();
            if (!n.has(HEAD)) {
                throw new IllegalArgumentException("model.head must be set, got nothing");
            }
            DinoHeadConfig head = read(ctxt, n.get(HEAD), DinoHeadConfig.class, "model." + HEAD);
            return new ModelConfig(f.name(), options, head);
        }

        private static <T> T read(DeserializationContext ctxt, JsonNode node, Class<T> type, String key) throws IOException {
            if (!node.isObject()) {
                throw new IllegalArgumentException(key + " must be a section (a mapping), got " + node);
            }
            try {
                return ctxt.readTreeAsValue(node, type);
            } catch (JsonMappingException e) {
                throw ConfigErrors.of(e, node, key);
            }
        }
    }
}

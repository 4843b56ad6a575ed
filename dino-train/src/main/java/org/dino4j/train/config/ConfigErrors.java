package org.dino4j.train.config;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Turns a failed mapping of a config tree into one {@link IllegalArgumentException} naming the full key and the value. */
final class ConfigErrors {
    /** A record's own message about one of its fields: {@code size must be >= 1, got 0}. */
    private static final Pattern FIELD_MESSAGE = Pattern.compile("^[A-Za-z][\\w.-]* must\\b.*", Pattern.DOTALL);

    private ConfigErrors() {
    }

    /**
     * The exception for a mapping of {@code tree} (the node at key {@code prefix}, "" for the root) that failed.
     *
     * @param e      the mapping failure
     * @param tree   the node that was mapped
     * @param prefix its key
     * @return the exception to throw
     */
    static IllegalArgumentException of(JsonMappingException e, JsonNode tree, String prefix) {
        String at = join(prefix, path(e));
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException iae) {
                return new IllegalArgumentException(qualify(at, iae.getMessage()), iae);
            }
        }
        if (e instanceof UnrecognizedPropertyException u) {
            List<String> known = new ArrayList<>();
            for (Object o : u.getKnownPropertyIds()) known.add(String.valueOf(o));
            return new IllegalArgumentException("unknown config key \"" + at + "\" (known here: " + known + ")", e);
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null
                && List.of(int.class, long.class, Integer.class, Long.class).contains(m.getTargetType())) {
            return new IllegalArgumentException(at + " must be an integer, got " + valueAt(tree, e), e);
        }
        return new IllegalArgumentException((at.isEmpty() ? "config" : at) + " has an invalid value: "
                + e.getOriginalMessage(), e);
    }

    /**
     * A record's message about its field, qualified by the key of the record: {@code size must be >= 1} under
     * {@code data.crops.global1} becomes {@code data.crops.global1.size must be >= 1}. Messages that already name a
     * full key, or that are not about a field, are returned unchanged.
     */
    static String qualify(String key, String message) {
        if (key.isEmpty() || message == null || !FIELD_MESSAGE.matcher(message).matches()) {
            return message;
        }
        String field = message.substring(0, message.indexOf(' '));
        String section = key.contains(".") ? key.substring(0, key.indexOf('.')) : key;
        if (field.equals(key) || field.startsWith(key + ".") || field.startsWith(section + ".")) {
            return message;
        }
        int dot = key.lastIndexOf('.');
        String last = key.substring(dot + 1);
        if (field.startsWith(last + ".") && dot > 0) {
            return key.substring(0, dot) + "." + message; // e.g. "jitter.p must ..." under data.crops.jitter
        }
        return key + "." + message;
    }

    private static String join(String prefix, String path) {
        if (prefix.isEmpty()) return path;
        return path.isEmpty() ? prefix : prefix + "." + path;
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) sb.append('.');
                sb.append(r.getFieldName());
            } else {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static Object valueAt(JsonNode tree, JsonMappingException e) {
        JsonNode n = tree;
        for (JsonMappingException.Reference r : e.getPath()) {
            n = r.getFieldName() != null ? n.path(r.getFieldName()) : n.path(r.getIndex());
        }
        return n.isMissingNode() ? "?" : n;
    }
}

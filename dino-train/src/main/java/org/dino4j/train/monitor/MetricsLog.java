package org.dino4j.train.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The run's {@code metrics.jsonl}: one JSON object per line, flushed per line. Iteration lines have
 * {@code "type":"iter"} and {@code iter, epoch, loss, lr, wd, momentum, teacher_temp}; epoch lines have
 * {@code "type":"epoch"} and the epoch means plus {@code teacher_entropy, mean_teacher_entropy, kl, center_norm},
 * {@code knn_top1} when evaluated, and the phase timings. Non-finite numbers are written as {@code null}.
 * A line is built in one reused {@link StringBuilder}.
 */
public final class MetricsLog implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final BufferedWriter out;
    private final StringBuilder sb = new StringBuilder(256);

    /** Opens {@code file} for appending (created if absent). */
    public MetricsLog(Path file) throws IOException {
        this.file = file;
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /**
     * Before resuming at {@code iteration} of {@code epoch}: drops the lines a stopped run wrote after its last
     * checkpoint (iteration lines with {@code iter >= iteration}, epoch lines with {@code epoch >= epoch}), so the
     * file reads as if the run had never stopped. Rewrites the file atomically.
     */
    public static void truncateForResume(Path file, long iteration, int epoch) throws IOException {
        if (!Files.isRegularFile(file)) return;
        List<String> keep = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                continue; // a line cut by a kill -9
            }
            String type = n.path("type").asText();
            if (type.equals("iter") && n.path("iter").asLong() >= iteration) continue;
            if (type.equals("epoch") && n.path("epoch").asInt() >= epoch) continue;
            keep.add(line);
        }
        org.dino4j.train.checkpoint.AtomicFiles.writeString(file, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
    }

    /** Reads every line of a metrics file as JSON. */
    public static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) out.add(JSON.readTree(line));
        }
        return out;
    }

    /** Starts a line of the given type. */
    public MetricsLog begin(String type) {
        sb.setLength(0);
        sb.append("{\"type\":\"").append(type).append('"');
        return this;
    }

    /** Adds a number. */
    public MetricsLog put(String key, double v) {
        key(key);
        if (Double.isFinite(v)) {
            if (v == Math.rint(v) && Math.abs(v) < 1e15) sb.append((long) v);
            else sb.append(String.format(Locale.ROOT, "%.9g", v).trim());
        } else {
            sb.append("null");
        }
        return this;
    }

    /** Adds an integer. */
    public MetricsLog put(String key, long v) {
        key(key);
        sb.append(v);
        return this;
    }

    /** Adds a string. */
    public MetricsLog put(String key, String v) {
        key(key);
        sb.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        sb.append('"');
        return this;
    }

    /** Ends the line, writes and flushes it. */
    public void end() throws IOException {
        sb.append("}\n");
        out.append(sb);
        out.flush();
    }

    private void key(String k) {
        sb.append(",\"").append(k).append("\":");
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}

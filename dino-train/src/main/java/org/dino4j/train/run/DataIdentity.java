package org.dino4j.train.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dino4j.core.io.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntFunction;

/**
 * What a run trains on, in two numbers: the count of training images and a fingerprint of their list (SHA-256 of
 * the source kind and, per image, its file path relative to the data folder and its size; for IDX files, the
 * files' names, sizes and CRC-32; for the synthetic set, its generator's parameters). Recorded in the run
 * directory ({@code data.json}) when a run starts and compared when it resumes: a resumed run must see the same
 * training images in the same order, or its step positions and data order mean something else.
 *
 * @param images      number of training images (after the held-out split and {@code data.trainLimit}).
 * @param fingerprint 16 hex digits.
 * @param source      the {@code data.source} it was computed from (for messages; not compared).
 * @param skipped     files left out as corrupt ({@code --skip-corrupt}), one line each with the reason.
 */
public record DataIdentity(int images, String fingerprint, String source, List<String> skipped) {
    /** File name of the record in a run directory. */
    public static final String FILE = "data.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Copies the list. */
    public DataIdentity {
        skipped = skipped == null ? List.of() : List.copyOf(skipped);
    }

    /**
     * The identity of a list of items.
     *
     * @param header  lines describing the source (kind, files, generator parameters)
     * @param images  number of training images
     * @param itemKey per training image a line (e.g. relative path and size), or null when the header fixes them
     */
    static DataIdentity of(String source, List<String> header, int images, IntFunction<String> itemKey, List<String> skipped) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (String h : header) md.update((h + "\n").getBytes(StandardCharsets.UTF_8));
        md.update(("images " + images + "\n").getBytes(StandardCharsets.UTF_8));
        if (itemKey != null) {
            for (int i = 0; i < images; i++) md.update((itemKey.apply(i) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return new DataIdentity(images, HexFormat.of().formatHex(md.digest(), 0, 8), source, skipped);
    }

    /** Whether two identities describe the same training images (count and fingerprint). */
    public boolean sameImages(DataIdentity o) {
        return images == o.images && fingerprint.equals(o.fingerprint);
    }

    /** {@code "64 images, fingerprint 0123456789abcdef"}. */
    public String describe() {
        return images + " images, fingerprint " + fingerprint;
    }

    /** Writes {@code data.json} into a run directory (atomically). */
    public void write(Path runDir) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("images", images).put("fingerprint", fingerprint).put("source", source);
        var s = n.putArray("skipped");
        skipped.forEach(s::add);
        AtomicFiles.writeString(runDir.resolve(FILE), JSON.writeValueAsString(n));
    }

    /** Reads {@code data.json} of a run directory, or null when it has none (a run from an older version). */
    public static DataIdentity read(Path runDir) throws IOException {
        Path f = runDir.resolve(FILE);
        if (!Files.isRegularFile(f)) return null;
        JsonNode n;
        try (InputStream in = Files.newInputStream(f)) {
            n = JSON.readTree(in);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(f + " is not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (!n.path("images").isInt() || !n.path("fingerprint").isTextual()) {
            throw new IOException(f + " lacks \"images\" or \"fingerprint\"");
        }
        List<String> skipped = new java.util.ArrayList<>();
        n.path("skipped").forEach(x -> skipped.add(x.asText()));
        return new DataIdentity(n.get("images").asInt(), n.get("fingerprint").asText(), n.path("source").asText(), skipped);
    }
}

package org.dino4j.train.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A directory of checkpoints. Each checkpoint is one zip file {@code ckpt-<iteration>.zip} holding
 * {@code meta.json} (epoch, iteration, AdamW step counts, versions, RNG state), {@code config.json} and the raw
 * little-endian float32 arrays {@code student.f32}, {@code teacher.f32}, {@code adam_m.f32}, {@code adam_v.f32},
 * {@code center.f32} (each entry CRC-checked by the zip format). A checkpoint file is written with
 * {@link AtomicFiles} and only then does the text file {@code latest} (the checkpoint's file name) get replaced,
 * atomically too; so {@code latest} always names a complete checkpoint, whatever moment the process is killed.
 * Older checkpoints beyond {@code keep} are deleted after {@code latest} moved on.
 */
public final class CheckpointStore {
    /** Name of the pointer file. */
    public static final String LATEST = "latest";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FORMAT = 1;

    private final Path dir;
    private final int keep;

    /**
     * @param dir  the checkpoint directory (created on first save).
     * @param keep number of most recent checkpoints kept (≥ 1).
     */
    public CheckpointStore(Path dir, int keep) {
        if (keep < 1) throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        this.dir = dir;
        this.keep = keep;
    }

    /** The directory. */
    public Path dir() {
        return dir;
    }

    /** Saves a checkpoint and makes it the latest. */
    public Path save(Checkpoint c) throws IOException {
        return save(c, null);
    }

    /**
     * Saves a checkpoint, calling {@code midWrite} after the first array has been written (fault-injection hook
     * for tests: an exception thrown there must leave the previous latest checkpoint intact).
     */
    public Path save(Checkpoint c, Runnable midWrite) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.deleteLeftovers(dir);
        Path file = dir.resolve(String.format("ckpt-%09d.zip", c.iteration()));
        AtomicFiles.write(file, out -> writeZip(c, out, midWrite));
        AtomicFiles.writeString(dir.resolve(LATEST), file.getFileName().toString() + "\n");
        prune(file);
        return file;
    }

    /** The latest checkpoint, if there is one. */
    public Optional<Checkpoint> loadLatest() throws IOException {
        Optional<Path> p = latestFile();
        if (p.isEmpty()) return Optional.empty();
        try {
            return Optional.of(load(p.get()));
        } catch (IOException e) {
            Path previous = null;
            List<Path> files = list();
            for (int i = files.indexOf(p.get()) - 1; i >= 0 && previous == null; i--) {
                try {
                    load(files.get(i));
                    previous = files.get(i);
                } catch (IOException ignored) {
                    // older and broken too: look further back
                }
            }
            String m = e.getMessage(), prefix = "checkpoint " + p.get() + " ";
            String reason = m != null && m.startsWith(prefix + "is incomplete or corrupt (") && m.endsWith(")")
                    ? m.substring((prefix + "is incomplete or corrupt (").length(), m.length() - 1)
                    : m != null && m.startsWith(prefix) ? m.substring(prefix.length()) : String.valueOf(m);
            throw new CorruptCheckpointException(p.get(), previous, reason, e);
        }
    }

    /**
     * Moves the checkpoints after a given iteration out of the way (renamed {@code ckpt-….zip.superseded}), so that
     * a run continued from an older checkpoint does not find them as its latest.
     *
     * @param iteration checkpoints of later iterations are moved
     * @return the moved files (their new names)
     */
    public List<Path> supersedeAfter(long iteration) throws IOException {
        List<Path> moved = new ArrayList<>();
        for (Path f : list()) {
            String n = f.getFileName().toString();
            if (iteration(f) > iteration) {
                Path to = f.resolveSibling(n + ".superseded");
                Files.move(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                moved.add(to);
            }
        }
        return moved;
    }

    /**
     * The latest checkpoint file: the newest complete {@code ckpt-*.zip} (files only appear under that name once
     * fully written, by an atomic move), which is also what {@code latest} names unless the process was killed
     * between moving a new checkpoint into place and updating the pointer (found by the kill -9 test,
     * {@code KillDuringTrainingTest}); without any checkpoint file, the pointer is checked as before.
     */
    public Optional<Path> latestFile() throws IOException {
        List<Path> files = list();
        if (!files.isEmpty()) return Optional.of(files.get(files.size() - 1));
        Path latest = dir.resolve(LATEST);
        if (!Files.isRegularFile(latest)) return Optional.empty();
        String name = Files.readString(latest, StandardCharsets.UTF_8).trim();
        Path f = dir.resolve(name);
        if (name.isEmpty() || !Files.isRegularFile(f)) {
            throw new IOException("checkpoint pointer " + latest + " names \"" + name + "\", which does not exist");
        }
        return Optional.of(f);
    }

    /** The iteration of a checkpoint file of {@link #list()}, read from its name {@code ckpt-<iteration>.zip}. */
    public static long iteration(Path file) {
        return Long.parseLong(file.getFileName().toString().substring(5, 14));
    }

    /** All complete checkpoint files, oldest first. */
    public List<Path> list() throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (var s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().matches("ckpt-\\d{9}\\.zip")).sorted().forEach(out::add);
        }
        return out;
    }

    /** Reads one checkpoint file, verifying every entry's CRC and the array lengths. */
    public static Checkpoint load(Path file) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zin = new ZipInputStream(new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            ZipEntry e;
            while ((e = zin.getNextEntry()) != null) entries.put(e.getName(), zin.readAllBytes());
        } catch (java.nio.file.FileSystemException e) {
            throw e;
        } catch (IOException e) {
            // a file cut short ends inside an entry: EOFException "Unexpected end of ZLIB input stream"
            throw new IOException("checkpoint " + file + " is incomplete or corrupt (" + e.getMessage() + ")", e);
        }
        for (String need : List.of("meta.json", "config.json", "student.f32", "teacher.f32", "adam_m.f32", "adam_v.f32", "center.f32")) {
            if (!entries.containsKey(need)) {
                throw new IOException("checkpoint " + file + " is incomplete or corrupt (it lacks the entry " + need + ")");
            }
        }
        JsonNode meta;
        try {
            meta = JSON.readTree(entries.get("meta.json"));
        } catch (IOException e) {
            throw new IOException("checkpoint " + file + " is incomplete or corrupt (meta.json: " + e.getMessage() + ")", e);
        }
        if (meta.path("format").asInt() != FORMAT) {
            throw new IOException("checkpoint " + file + " has format " + meta.path("format") + ", expected " + FORMAT);
        }
        long[] steps = new long[meta.path("adamSteps").size()];
        for (int i = 0; i < steps.length; i++) steps[i] = meta.path("adamSteps").get(i).asLong();
        Map<String, String> versions = new HashMap<>();
        meta.path("versions").fields().forEachRemaining(en -> versions.put(en.getKey(), en.getValue().asText()));
        Map<String, Long> rng = new HashMap<>();
        meta.path("rng").fields().forEachRemaining(en -> rng.put(en.getKey(), en.getValue().asLong()));
        Map<String, Double> sums = new HashMap<>();
        meta.path("epochSums").fields().forEachRemaining(en -> sums.put(en.getKey(), en.getValue().asDouble()));
        try {
            return Checkpoint.builder().epoch(meta.path("epoch").asInt()).iteration(meta.path("iteration").asLong())
                    .student(floats(entries.get("student.f32"))).teacher(floats(entries.get("teacher.f32")))
                    .adamM(floats(entries.get("adam_m.f32"))).adamV(floats(entries.get("adam_v.f32"))).adamSteps(steps)
                    .center(floats(entries.get("center.f32")))
                    .configJson(new String(entries.get("config.json"), StandardCharsets.UTF_8))
                    .versions(versions).rngState(rng).epochSums(sums).build();
        } catch (IllegalArgumentException e) {
            throw new IOException("checkpoint " + file + " is inconsistent: " + e.getMessage(), e);
        }
    }

    private static void writeZip(Checkpoint c, OutputStream raw, Runnable midWrite) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(raw);
        zip.setLevel(Deflater.NO_COMPRESSION);
        ObjectNode meta = JSON.createObjectNode();
        meta.put("format", FORMAT);
        meta.put("epoch", c.epoch());
        meta.put("iteration", c.iteration());
        var st = meta.putArray("adamSteps");
        for (long s : c.adamSteps()) st.add(s);
        ObjectNode v = meta.putObject("versions");
        c.versions().forEach(v::put);
        ObjectNode r = meta.putObject("rng");
        c.rngState().forEach(r::put);
        ObjectNode es = meta.putObject("epochSums");
        c.epochSums().forEach(es::put);
        meta.put("savedAt", java.time.Instant.now().toString());
        entry(zip, "meta.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
        entry(zip, "config.json", c.configJson().getBytes(StandardCharsets.UTF_8));
        floats(zip, "student.f32", c.student());
        if (midWrite != null) midWrite.run();
        floats(zip, "teacher.f32", c.teacher());
        floats(zip, "adam_m.f32", c.adamM());
        floats(zip, "adam_v.f32", c.adamV());
        floats(zip, "center.f32", c.center());
        zip.finish();
    }

    private static void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }

    private static void floats(ZipOutputStream zip, String name, float[] a) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        ByteBuffer bb = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        while (i < a.length) {
            bb.clear();
            int n = Math.min(a.length - i, bb.capacity() / 4);
            bb.asFloatBuffer().put(a, i, n);
            zip.write(bb.array(), 0, n * 4);
            i += n;
        }
        zip.closeEntry();
    }

    private static float[] floats(byte[] b) throws IOException {
        if (b.length % 4 != 0) throw new IOException("float array entry has " + b.length + " bytes, not a multiple of 4");
        float[] a = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(a);
        return a;
    }

    private void prune(Path current) throws IOException {
        List<Path> all = list();
        int excess = all.size() - keep;
        for (int i = 0; i < all.size() && excess > 0; i++) {
            if (!all.get(i).equals(current)) {
                Files.deleteIfExists(all.get(i));
                excess--;
            }
        }
    }
}

package org.dino4j.train.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The layout of a run directory:
 * <pre>
 *   config.yaml            the full resolved config of the run
 *   data.json              count and fingerprint of the training images (DataIdentity), files skipped as corrupt
 *   .lock                  held by the process writing the directory (RunLock)
 *   metrics.jsonl          per-iteration and per-epoch metrics
 *   checkpoints/           ckpt-NNNNNNNNN.zip + latest
 *   teacher-backbone.sd    the teacher's backbone as a SameDiff file (after training)
 *   knn.json               final k-NN results (DINO, raw pixels, random init)
 *   tsne.png, tsne.csv     t-SNE of the held-out teacher features
 *   report.html            the HTML run report
 * </pre>
 */
public record RunDirectory(Path root) {
    /** Checks presence. */
    public RunDirectory {
        if (root == null) throw new IllegalArgumentException("run directory must be set, got null");
        root = root.toAbsolutePath().normalize();
    }

    /** The resolved config. */
    public Path config() {
        return root.resolve("config.yaml");
    }

    /** The metrics log. */
    public Path metrics() {
        return root.resolve("metrics.jsonl");
    }

    /** The checkpoint directory. */
    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    /** The exported teacher backbone. */
    public Path teacherBackbone() {
        return root.resolve("teacher-backbone.sd");
    }

    /** Final k-NN results. */
    public Path knn() {
        return root.resolve("knn.json");
    }

    /** The t-SNE picture. */
    public Path tsnePng() {
        return root.resolve("tsne.png");
    }

    /** The t-SNE coordinates. */
    public Path tsneCsv() {
        return root.resolve("tsne.csv");
    }

    /** The HTML report. */
    public Path report() {
        return root.resolve("report.html");
    }

    /** Whether the directory already holds (part of) a run: a config, metrics or checkpoints. */
    public boolean holdsRun() {
        return Files.exists(config()) || Files.exists(metrics()) || Files.exists(checkpoints());
    }

    /** The record of the training images ({@link DataIdentity}). */
    public Path dataRecord() {
        return root.resolve(DataIdentity.FILE);
    }

    /** Whether the directory exists and has any entry besides a {@link RunLock} file. */
    public boolean nonEmpty() throws IOException {
        if (!Files.isDirectory(root)) return false;
        try (var s = Files.list(root)) {
            return s.anyMatch(p -> !p.getFileName().toString().equals(RunLock.FILE));
        }
    }

    /**
     * Checks that {@code out} can be a directory to write: it is not an existing file, and it is not inside the
     * image folder of an {@code images:DIR} source (its pictures would be read as a class of the next run).
     *
     * @param out    the output directory
     * @param option the option naming it, for the message (e.g. {@code --out})
     * @param source the {@code data.source} in use (may be null)
     * @throws IllegalArgumentException naming the option and the problem
     */
    public static void requireWritableOutput(Path out, String option, String source) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException(option + " " + out + " exists and is a file (a directory was expected)");
        }
        if (source != null && source.startsWith("images:")) {
            Path data = Path.of(source.substring("images:".length()));
            if (isInside(out, data)) {
                throw new IllegalArgumentException(option + " " + out + " is inside the image folder " + data + " of data.source;"
                        + " its files would be read as images of a class; choose an output directory outside " + data);
            }
        }
        Path existing = out.toAbsolutePath().normalize();
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing != null && !Files.isDirectory(existing)) {
            throw new IllegalArgumentException(option + " " + out + ": " + existing + " exists and is a file (a directory was expected)");
        }
        if (existing != null && !Files.isWritable(existing)) {
            throw new IllegalArgumentException(option + " " + out + ": " + existing + " is not writable (permission denied)");
        }
    }

    /** Whether {@code p} is {@code dir} or below it, symbolic links resolved as far as the paths exist. */
    static boolean isInside(Path p, Path dir) {
        Path a = real(p), b = real(dir);
        return a.startsWith(b);
    }

    private static Path real(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null) return abs;
        try {
            return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
        } catch (IOException e) {
            return abs;
        }
    }
}

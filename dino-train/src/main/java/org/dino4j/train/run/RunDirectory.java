package org.dino4j.train.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The layout of a run directory:
 * <pre>
 *   config.yaml            the full resolved config of the run
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

    /** Whether the directory exists and has any entry. */
    public boolean nonEmpty() throws IOException {
        if (!Files.isDirectory(root)) return false;
        try (var s = Files.list(root)) {
            return s.findAny().isPresent();
        }
    }
}

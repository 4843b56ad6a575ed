package org.dino4j.train.run;

import org.dino4j.train.CoreNetwork;
import org.dino4j.train.checkpoint.Checkpoint;
import org.dino4j.train.checkpoint.CheckpointStore;
import org.dino4j.train.checkpoint.CorruptCheckpointException;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the networks of a finished or running run directory from its latest checkpoint. */
public final class RunModels {
    private RunModels() {}

    /**
     * The network of a run: its config comes from the checkpoint, its weights are the teacher's (the paper
     * evaluates the teacher) or the student's.
     *
     * @param runDir   the run directory (or a checkpoint {@code .zip} file).
     * @param student  load the student instead of the teacher.
     * @param channels image channels of the data.
     */
    public static CoreNetwork load(Path runDir, boolean student, int channels) throws IOException {
        Checkpoint c = checkpoint(runDir);
        DinoConfig cfg = ConfigLoader.fromJson(c.configJson());
        CoreNetwork n = CoreNetwork.create(cfg.model(), channels, cfg.run().seed());
        float[] w = student ? c.student() : c.teacher();
        if (w.length != n.params().length()) {
            throw new IOException("checkpoint of " + runDir + " holds " + w.length + " parameters, the model of its config has "
                    + n.params().length() + " (different image channels?)");
        }
        n.params().assign(Nd4j.createFromArray(w).reshape(n.params().shape()));
        return n;
    }

    /** The config saved in a run's latest checkpoint. */
    public static DinoConfig config(Path runDir) throws IOException {
        return ConfigLoader.fromJson(checkpoint(runDir).configJson());
    }

    /**
     * The latest checkpoint of a run directory, or the checkpoint file itself. When the latest checkpoint is
     * unreadable, the message names the newest intact older one (to pass as {@code --checkpoint}).
     */
    public static Checkpoint checkpoint(Path runDirOrFile) throws IOException {
        if (Files.isRegularFile(runDirOrFile)) return CheckpointStore.load(runDirOrFile);
        RunDirectory rd = new RunDirectory(runDirOrFile);
        if (!Files.exists(rd.root())) throw new IOException("run directory " + rd.root() + " does not exist");
        if (!Files.isDirectory(rd.root())) {
            throw new IOException(rd.root() + " is neither a run directory nor a checkpoint file");
        }
        try {
            return new CheckpointStore(rd.checkpoints(), 1).loadLatest()
                    .orElseThrow(() -> new IOException("run directory " + rd.root() + " has no checkpoint (" + rd.checkpoints() + "/latest)"));
        } catch (CorruptCheckpointException e) {
            throw new IOException(e.message("--checkpoint"), e);
        }
    }

    /**
     * The run directory a {@code --checkpoint} argument belongs to: the directory itself, or for a checkpoint file
     * {@code RUN_DIR/checkpoints/ckpt-….zip} its run directory (the folder holding {@code config.yaml}), else the
     * file's folder.
     */
    public static Path runRoot(Path runDirOrFile) {
        Path p = runDirOrFile.toAbsolutePath().normalize();
        if (Files.isDirectory(p)) return p;
        Path parent = p.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("checkpoints")
                && parent.getParent() != null && Files.isRegularFile(parent.getParent().resolve("config.yaml"))) {
            return parent.getParent();
        }
        return parent;
    }
}

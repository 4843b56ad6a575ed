package org.dino4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.dino4j.core.model.DinoModel;
import org.dino4j.core.model.GraphNames;
import org.dino4j.train.CoreNetwork;
import org.dino4j.train.checkpoint.Checkpoint;
import org.dino4j.train.config.ConfigLoader;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.run.RunModels;
import org.dino4j.train.run.RuntimeOverrides;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The backbone an embedding job runs, as a value that Spark broadcasts once to every executor: either the
 * weights of a dino4j checkpoint (teacher by default, as in the paper; the architecture comes from the
 * checkpoint's config) or the bytes of a backbone exported as a SameDiff file ({@code teacher-backbone.sd} of a
 * run). It also fixes the input the backbone expects: channels and image size.
 *
 * <p>{@link #newNetwork()} builds one network instance from these bytes; executors call it through
 * {@link ExecutorState}, once per task slot, never per partition.
 */
public final class BackboneSource implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String id;
    private final String description;
    private final int channels;
    private final int imageSize;
    /** Checkpoint: the config JSON and the flat weights; exported: null. */
    private final String configJson;
    private final float[] weights;
    /** Exported backbone: the SameDiff file's bytes; checkpoint: null. */
    private final byte[] graph;

    private BackboneSource(String description, int channels, int imageSize, String configJson, float[] weights,
                           byte[] graph) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (imageSize < 1) {
            throw new IllegalArgumentException("image size must be >= 1, got " + imageSize);
        }
        this.id = UUID.randomUUID().toString();
        this.description = description;
        this.channels = channels;
        this.imageSize = imageSize;
        this.configJson = configJson;
        this.weights = weights;
        this.graph = graph;
    }

    /**
     * The backbone of a dino4j run.
     *
     * @param runDirOrZip a run directory (its latest checkpoint) or a checkpoint {@code .zip}
     * @param student     the student's weights instead of the teacher's
     * @param imageSize   input side, or 0 for the run's ({@code data.imageSize}; 28 for an {@code idx:} source)
     * @param channels    input channels, or 0 for the run's ({@code data.channels}; 1 for an {@code idx:} source)
     * @throws IOException naming the path when it holds no readable checkpoint
     */
    public static BackboneSource checkpoint(Path runDirOrZip, boolean student, int imageSize, int channels)
            throws IOException {
        Checkpoint c = RunModels.checkpoint(runDirOrZip);
        DinoConfig cfg = ConfigLoader.fromJson(c.configJson());
        boolean idx = cfg.data().source().startsWith("idx:");
        int ch = channels > 0 ? channels : idx ? 1 : cfg.data().channels();
        int size = imageSize > 0 ? imageSize : idx ? 28 : cfg.data().imageSize();
        BackboneSource s = new BackboneSource("checkpoint " + runDirOrZip + " (" + (student ? "student" : "teacher")
                + ", iteration " + c.iteration() + ")", ch, size, c.configJson(), student ? c.student() : c.teacher(),
                null);
        s.newNetwork(); // fail here, on the driver, when the weights do not fit the config
        return s;
    }

    /**
     * A backbone exported as a SameDiff file ({@code DinoModel.exportBackbone}: placeholder {@code images}
     * {@code [B, C, H, W]}, output {@code features}).
     *
     * @param file      the {@code .sd} file
     * @param imageSize input side (the file does not record it), ≥ 1
     * @param channels  input channels, or 0 to read them from the graph's placeholder
     * @throws IOException naming the file when it is missing or not such a graph
     */
    public static BackboneSource exported(Path file, int imageSize, int channels) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("backbone file " + file + " does not exist");
        }
        SameDiff sd;
        try {
            sd = SameDiff.load(file.toFile(), false);
        } catch (RuntimeException e) {
            throw new IOException("backbone file " + file + " is not a SameDiff graph: " + e.getMessage(), e);
        }
        if (!sd.hasVariable(GraphNames.IMAGES) || !sd.hasVariable(GraphNames.FEATURES)) {
            throw new IOException("backbone file " + file + " lacks the variables '" + GraphNames.IMAGES + "' and '"
                    + GraphNames.FEATURES + "' of an exported dino4j backbone");
        }
        long[] shape = sd.getVariable(GraphNames.IMAGES).placeholderShape();
        int ch = channels > 0 ? channels : shape != null && shape.length == 4 && shape[1] > 0 ? (int) shape[1] : 0;
        if (ch == 0) {
            throw new IOException("backbone file " + file + ": cannot tell the input channels from its placeholder; "
                    + "give them explicitly");
        }
        return new BackboneSource("exported backbone " + file, ch, imageSize, null, null, Files.readAllBytes(file));
    }

    /** Unique per source object: executors key their loaded networks by it. */
    public String id() {
        return id;
    }

    /** What was loaded, for summaries. */
    public String description() {
        return description;
    }

    /** Input channels C. */
    public int channels() {
        return channels;
    }

    /** Input side H = W. */
    public int imageSize() {
        return imageSize;
    }

    /**
     * Builds one network: a function images {@code [B, C, H, W]} (normalised like training views) → features
     * {@code [B, D]}. Not thread-safe: one instance per thread at a time. Applies this JVM's {@code -Ddino4j.*}
     * overrides first ({@link RuntimeOverrides}: on an executor, those of {@code spark.executor.extraJavaOptions}).
     *
     * @throws IOException when the bytes do not make a network
     */
    public Function<INDArray, INDArray> newNetwork() throws IOException {
        RuntimeOverrides.applyProcessWide();
        if (graph != null) {
            Path tmp = Files.createTempFile("dino-spark-backbone", ".sd");
            try {
                Files.write(tmp, graph);
                SameDiff sd = SameDiff.load(tmp.toFile(), false);
                return x -> sd.output(Map.of(GraphNames.IMAGES, x), GraphNames.FEATURES).get(GraphNames.FEATURES).dup('c');
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        DinoConfig cfg = ConfigLoader.fromJson(configJson);
        CoreNetwork n = CoreNetwork.create(cfg.model(), channels, cfg.run().seed());
        if (weights.length != n.params().length()) {
            throw new IOException(description + " holds " + weights.length + " parameters, the model of its config with "
                    + channels + " channel(s) has " + n.params().length());
        }
        n.params().assign(org.nd4j.linalg.factory.Nd4j.createFromArray(weights).reshape(n.params().shape()));
        return n::features;
    }

    /**
     * @return the pixel normalisation the backbone was trained with: its run's config for a checkpoint, the project's
     *         default ({@link org.dino4j.augment.transform.Normalization#HALF}) for an exported backbone
     * @throws IOException if the checkpoint's config cannot be read
     */
    org.dino4j.augment.transform.Normalization normalization() throws IOException {
        return configJson == null ? org.dino4j.augment.transform.Normalization.HALF
                : ConfigLoader.fromJson(configJson).data().crops().normalization();
    }
}

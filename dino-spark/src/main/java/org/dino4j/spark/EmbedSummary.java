package org.dino4j.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;

/**
 * What {@link SparkEmbed} did. Counts are read back from the written tables, so a retried task cannot count twice.
 *
 * @param images             images in the input (= embedded + unreadable)
 * @param embedded           rows of the {@code embeddings} table
 * @param unreadable         rows of the {@code unreadable} table
 * @param unreadableExamples the first unreadable images by path, with the decoder's reason
 * @param dimension          D, the embedding length (0 when nothing was embedded)
 * @param model              the backbone's description
 * @param channels           input channels
 * @param imageSize          input side
 * @param partitions         partitions the images were processed in
 * @param seconds            wall time of the job, reading to the committed output
 * @param out                the output directory
 */
public record EmbedSummary(long images, long embedded, long unreadable, List<Unreadable> unreadableExamples,
                           int dimension, String model, int channels, int imageSize, int partitions, double seconds,
                           String out) {
    /** Copies the list. */
    public EmbedSummary {
        unreadableExamples = List.copyOf(unreadableExamples);
    }

    /**
     * One unreadable image.
     *
     * @param path  the image
     * @param error why it could not be read
     */
    public record Unreadable(String path, String error) {
    }

    /** Embedded images per second of wall time. */
    public double embeddingsPerSecond() {
        return embedded / seconds;
    }

    /** The summary as indented JSON (the record's fields plus {@code embeddingsPerSecond}). */
    public String toJson() {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        var root = om.valueToTree(this);
        ((com.fasterxml.jackson.databind.node.ObjectNode) root).put("embeddingsPerSecond", embeddingsPerSecond());
        try {
            return om.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

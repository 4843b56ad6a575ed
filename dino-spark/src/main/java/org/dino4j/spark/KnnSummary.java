package org.dino4j.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.dino4j.eval.knn.KnnResult;

/**
 * What {@link SparkKnn#knn} computed.
 *
 * @param result          dino-eval's result (per k: top-1, top-5, per-class accuracy, confusion); its predictions
 *                        are empty: they are in the {@code predictions} table
 * @param classes         class names; class i of the result is {@code classes.get(i)} (sorted labels)
 * @param memoryBlocks    blocks the memory was cut into
 * @param queryPartitions partitions of the queries
 * @param seconds         wall time, reading to the committed output
 * @param out             the output directory
 */
public record KnnSummary(KnnResult result, List<String> classes, int memoryBlocks, int queryPartitions, double seconds,
                         String out) {
    /** Copies the list. */
    public KnnSummary {
        classes = List.copyOf(classes);
    }

    /** Queries classified per second of wall time. */
    public double queriesPerSecond() {
        return result.numQueries() / seconds;
    }

    /** dino-eval's k-NN JSON plus {@code classes}, {@code memoryBlocks}, {@code queryPartitions}, {@code seconds}, {@code queriesPerSecond}. */
    public String toJson() {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try {
            ObjectNode root = (ObjectNode) om.readTree(result.toJson());
            var names = root.putArray("classes");
            classes.forEach(names::add);
            root.put("memoryBlocks", memoryBlocks).put("queryPartitions", queryPartitions).put("seconds", seconds)
                    .put("queriesPerSecond", queriesPerSecond()).put("out", out);
            return om.writeValueAsString(root);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

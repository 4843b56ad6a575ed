package org.dino4j.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What {@link SparkKnn#search} computed.
 *
 * @param queries         query rows
 * @param memory          memory rows
 * @param k               neighbours per query (rows of the {@code neighbours} table = queries × k)
 * @param memoryBlocks    blocks the memory was cut into
 * @param queryPartitions partitions of the queries
 * @param seconds         wall time, reading to the committed output
 * @param out             the output directory
 */
public record SearchSummary(long queries, long memory, int k, int memoryBlocks, int queryPartitions, double seconds,
                            String out) {
    /** Queries answered per second of wall time. */
    public double queriesPerSecond() {
        return queries / seconds;
    }

    /** The fields plus {@code queriesPerSecond}, as indented JSON. */
    public String toJson() {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = om.valueToTree(this);
        root.put("queriesPerSecond", queriesPerSecond());
        try {
            return om.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

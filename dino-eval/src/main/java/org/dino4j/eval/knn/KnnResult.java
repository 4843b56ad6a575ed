package org.dino4j.eval.knn;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Result of a weighted k-NN evaluation: one {@link PerK} entry per k, in the order of {@link KnnOptions#ks()}.
 *
 * @param memorySize  N, number of labelled memory (train) rows
 * @param numQueries  M, number of query (test) rows
 * @param numClasses  C, number of classes
 * @param temperature T used for the vote weights
 * @param perK        results per k
 */
public record KnnResult(int memorySize, int numQueries, int numClasses, double temperature, List<PerK> perK) {
    /** Copies the list. */
    public KnnResult {
        perK = List.copyOf(perK);
    }

    /**
     * Results for one k.
     *
     * @param k                 neighbour count
     * @param top1              fraction of queries whose highest-scoring class is their label, in [0, 1]
     * @param top5              fraction whose label is among the min(5, C) highest-scoring classes, in [0, 1]
     * @param perClassAccuracy  top-1 accuracy per true class {@code double[C]}; NaN for a class with no query
     * @param confusion         {@code confusion[true][predicted]} counts, {@code long[C][C]}
     * @param predictions       top-1 predicted class of each query {@code int[M]} in query order; empty when the
     *                          producer kept them elsewhere (dino-spark writes them to a table instead)
     */
    public record PerK(int k, double top1, double top5, double[] perClassAccuracy, long[][] confusion,
                       int[] predictions) {
    }

    /** The entry for {@code k}; IllegalArgumentException if k was not evaluated. */
    public PerK forK(int k) {
        for (PerK p : perK) {
            if (p.k() == k) {
                return p;
            }
        }
        throw new IllegalArgumentException("k = " + k + " was not evaluated; evaluated: "
                + perK.stream().map(p -> String.valueOf(p.k())).toList());
    }

    /**
     * JSON: {@code {"memorySize","numQueries","numClasses","temperature","results":[{"k","top1","top5",
     * "perClassAccuracy":[..., null for no query],"confusion":[[...]]}]}}; accuracies as fractions in [0, 1].
     * Predictions are not written.
     */
    public String toJson() {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = om.createObjectNode();
        root.put("memorySize", memorySize).put("numQueries", numQueries).put("numClasses", numClasses)
                .put("temperature", temperature);
        ArrayNode results = root.putArray("results");
        for (PerK p : perK) {
            ObjectNode o = results.addObject();
            o.put("k", p.k()).put("top1", p.top1()).put("top5", p.top5());
            ArrayNode pc = o.putArray("perClassAccuracy");
            for (double a : p.perClassAccuracy()) {
                if (Double.isNaN(a)) {
                    pc.addNull();
                } else {
                    pc.add(a);
                }
            }
            ArrayNode cm = o.putArray("confusion");
            for (long[] row : p.confusion()) {
                ArrayNode r = cm.addArray();
                for (long v : row) {
                    r.add(v);
                }
            }
        }
        try {
            return om.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package org.dino4j.eval.linear;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Result of a linear probe.
 *
 * @param trainAccuracy   top-1 accuracy on the training features, in [0, 1]
 * @param testAccuracy    top-1 accuracy on the test features, in [0, 1]
 * @param trainLoss       final mean cross-entropy on the training features (without the L2 term)
 * @param weights         {@code [C][D]} weights: logits {@code z = W x + b}
 * @param bias            {@code [C]} biases
 * @param testPredictions predicted class per test row {@code int[M]} (argmax, ties to the lower class)
 */
public record LinearProbeResult(double trainAccuracy, double testAccuracy, double trainLoss, double[][] weights,
                                double[] bias, int[] testPredictions) {
    /** JSON with the accuracies and the loss (weights and predictions omitted). */
    public String toJson() {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode o = om.createObjectNode();
        o.put("trainAccuracy", trainAccuracy).put("testAccuracy", testAccuracy).put("trainLoss", trainLoss)
                .put("numClasses", bias.length).put("dim", weights.length == 0 ? 0 : weights[0].length);
        try {
            return om.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

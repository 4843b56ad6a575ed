package org.dino4j.eval.tsne;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The numbers shown beside a t-SNE picture.
 *
 * @param points           N
 * @param inputDim         D of the input features
 * @param trustworthiness  trustworthiness with k = {@link #TRUST_K} of the 2-D map w.r.t. the input features
 * @param silhouette       mean silhouette of the 2-D map by label
 * @param klDivergence     final KL(P‖Q) of the run
 * @param millis           t-SNE wall time in ms
 * @param options          the options used
 */
public record TsneSummary(int points, int inputDim, double trustworthiness, double silhouette, double klDivergence,
                          long millis, TsneOptions options) {
    /** Neighbourhood size of the reported trustworthiness. */
    public static final int TRUST_K = 5;

    /** JSON object with all fields (options nested). */
    public String toJson() {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode o = om.createObjectNode();
        o.put("points", points).put("inputDim", inputDim).put("trustworthinessK", TRUST_K)
                .put("trustworthiness", trustworthiness).put("silhouette", silhouette)
                .put("klDivergence", klDivergence).put("millis", millis);
        o.set("options", om.valueToTree(options));
        try {
            return om.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

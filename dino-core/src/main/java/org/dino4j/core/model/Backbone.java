package org.dino4j.core.model;

import java.io.Serializable;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Extension point for the feature extractor f of DINO (Caron et al. 2021, Sec. 3.1: g = h ∘ f).
 *
 * <p>A backbone builds, inside a SameDiff graph, the function images {@code [B, C, H, W]} → features
 * {@code [B, D]} for every {@code H, W >= minInputSize()}. {@link #define} creates the parameters once
 * (as VARIABLE-type variables under {@code scope}) and returns an {@link Instance} whose
 * {@link Instance#apply} may be called several times — e.g. once on the global-crop placeholder
 * ({@code 28²}) and once on the local-crop placeholder ({@code 12²–16²}) — sharing those parameters.
 *
 * <p>Implementations are immutable and {@link Serializable} (they are written into checkpoints as the
 * architecture description). Parameter initial values must come only from the given
 * {@link Random}: same seed → same parameters.
 */
public interface Backbone extends Serializable {

    /** Short architecture name, e.g. {@code "smallresnet"}. */
    String name();

    /** Number of input channels C. */
    int inChannels();

    /** Feature dimension D of the output {@code [B, D]}. */
    int featureDim();

    /** Smallest allowed input height/width in pixels. */
    int minInputSize();

    /**
     * Creates this backbone's parameters in {@code sd} (names prefixed by {@code scope + "/"}) with the
     * data type {@code dataType}, initialised from {@code rng}, and returns the function that applies it.
     *
     * @param sd graph to define the parameters in
     * @param scope name prefix of every variable this backbone creates (e.g. {@code "backbone"})
     * @param dataType floating point type of the parameters (FLOAT for training, DOUBLE for gradient checks)
     * @param rng seeded source of every initial value
     * @return the shared-parameter function images {@code [B,C,H,W]} → features {@code [B,D]}
     */
    Instance define(SameDiff sd, String scope, org.nd4j.linalg.api.buffer.DataType dataType, Random rng);

    /**
     * As {@link #define(SameDiff, String, org.nd4j.linalg.api.buffer.DataType, Random)}, and declares to
     * {@code fusions} the regions of the graph an execution plan may run as fused Java kernels
     * ({@link org.dino4j.core.exec.FusedOp}, e.g. GroupNorm + ReLU). The graph is the same either way; the default
     * declares nothing.
     *
     * @param sd graph to define the parameters in
     * @param scope name prefix of every variable this backbone creates
     * @param dataType floating point type of the parameters
     * @param rng seeded source of every initial value
     * @param fusions collector of the fusable regions of every {@link Instance#apply} call
     * @return the shared-parameter function images {@code [B,C,H,W]} → features {@code [B,D]}
     */
    default Instance define(SameDiff sd, String scope, org.nd4j.linalg.api.buffer.DataType dataType, Random rng,
                            org.dino4j.core.exec.Fusions fusions) {
        return define(sd, scope, dataType, rng);
    }

    /** The backbone function bound to one set of graph parameters. */
    @FunctionalInterface
    interface Instance {
        /**
         * Applies the backbone.
         *
         * @param images {@code [B, C, H, W]} variable (placeholder or intermediate)
         * @return features {@code [B, D]}
         */
        SDVariable apply(SDVariable images);
    }
}

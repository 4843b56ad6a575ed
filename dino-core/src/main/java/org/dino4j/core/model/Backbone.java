package org.dino4j.core.model;

import java.io.Serializable;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Extension point for the feature extractor f of DINO (Caron et al. 2021, Sec. 3.1: g = h ∘ f).
 *
 * <p>A backbone builds, inside a SameDiff graph, the function images {@code [B, C, H, W]} → features
 * {@code [B, D]} for every {@code H, W >= minInputSize()}. {@link #define} creates the parameters once
 * (as VARIABLE-type variables under the scope's name) and returns an {@link Instance} whose
 * {@link Instance#apply} may be called several times — e.g. once on the global-crop placeholder
 * ({@code 28²}) and once on the local-crop placeholder ({@code 12²–16²}) — sharing those parameters.
 *
 * <p>Implementations are immutable and {@link Serializable} (they are written into model files as the
 * architecture description). Parameter initial values must come only from the scope's seeded
 * {@link Random}: same seed → same parameters. A new backbone is one class: this interface, a nested options
 * record and a nested {@link BackboneFactory} registered in {@link Backbones} (see {@link SmallResNet}).
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
     * Creates this backbone's parameters in {@code g} ({@link GraphScope#param}, names under {@link GraphScope#scope()},
     * initial values from {@link GraphScope#rng()}, each declared with or without weight decay) and returns the
     * function that applies it. Per-call inputs the backbone needs besides the images (e.g. drop-path factors) are
     * {@link GraphScope#stepInput}s: the model feeds them from the training step's seeded {@link Random}, or their
     * inference values. Regions an execution plan may run as fused kernels go to {@link GraphScope#fusions()}.
     *
     * @param g where to define the backbone
     * @return the shared-parameter function images {@code [B,C,H,W]} → features {@code [B,D]}
     */
    Instance define(GraphScope g);

    /**
     * @return the backbone for inference graphs (exported backbones): the same parameters without training-only
     *         step inputs; default this backbone
     */
    default Backbone forInference() {
        return this;
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

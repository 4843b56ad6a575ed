package org.dino4j.core.model;

/**
 * A kind of {@link Backbone} that configurations can name: its registry name, the record of its options (the
 * {@code model.<name>} section of a dino-train config, one field per key) and how to build it for images with a given
 * number of channels. Registered in {@link Backbones}: built-ins, {@link java.util.ServiceLoader} providers
 * ({@code META-INF/services/org.dino4j.core.model.BackboneFactory}) and {@link Backbones#register} calls.
 *
 * <p>A new backbone is one class: the {@link Backbone} implementation with a nested options record and a nested
 * factory (see {@link SmallResNet.Factory}).
 *
 * @param <O> the options record; immutable, validated in its constructor (messages name the field)
 */
public interface BackboneFactory<O extends Record> {

    /** @return the name configurations use ({@code model.backbone}), e.g. {@code "small-resnet"} */
    String name();

    /** @return the options record type (read from and written to config files field by field) */
    Class<O> optionsType();

    /** @return the options a config gets when it selects this backbone without a section of its own */
    O defaultOptions();

    /**
     * @param options validated options
     * @param inChannels image channels C (from the data)
     * @return the backbone
     */
    Backbone create(O options, int inChannels);
}

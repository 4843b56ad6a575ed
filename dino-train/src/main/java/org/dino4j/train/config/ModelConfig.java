package org.dino4j.train.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import org.dino4j.core.model.Backbone;
import org.dino4j.core.model.BackboneFactory;
import org.dino4j.core.model.Backbones;
import org.dino4j.core.model.DinoHeadConfig;

/**
 * The network: a backbone from dino-core's registry ({@link Backbones}) followed by the DINO projection head
 * (Caron et al. 2021, §3.1 and App. "Projection head"). In a config file:
 * <pre>
 * model:
 *   backbone: small-resnet        # a registered name: small-resnet, vit, or one added with Backbones.register
 *   small-resnet:                 # the section named after the backbone: its options record, field for field
 *     stem: 16
 *     widths: [16, 32, 64]
 *     blocksPerStage: 0
 *     groups: 8
 *     poolGrid: 1                 # features: the last maps averaged over a poolGrid x poolGrid grid (1 = global)
 *   head:                         # dino-core's DinoHeadConfig, field for field
 *     hiddenDim: 256
 *     ...
 * </pre>
 * A config holds the section of its own backbone only; selecting another backbone ({@code --set model.backbone=vit})
 * starts from that backbone's default options.
 *
 * @param backbone        registered backbone name ({@link BackboneFactory#name()}).
 * @param backboneOptions the backbone's options, an instance of its factory's {@link BackboneFactory#optionsType()}.
 * @param head            the projection head (official: hidden 2048, bottleneck 256, K 65536, 3 layers, weight-normalised
 *                        last layer with its gain frozen at 1; {@code useBn} is the official {@code --use_bn_in_head}, needed
 *                        by the small GroupNorm CNNs on 28×28 data: docs/training.md, "Quality").
 */
@JsonSerialize(using = ModelConfigJson.Writer.class)
@JsonDeserialize(using = ModelConfigJson.Reader.class)
public record ModelConfig(String backbone, Record backboneOptions, DinoHeadConfig head) {

    /** Validates the backbone name, the type of its options and the head. */
    public ModelConfig {
        Checks.notNull("model.backbone", backbone);
        BackboneFactory<?> f;
        try {
            f = Backbones.get(backbone);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model." + e.getMessage(), e);
        }
        if (backboneOptions == null) backboneOptions = f.defaultOptions();
        if (!f.optionsType().isInstance(backboneOptions)) {
            throw new IllegalArgumentException("model." + backbone + " must be " + f.optionsType().getName() + ", got "
                    + backboneOptions.getClass().getName());
        }
        Checks.notNull("model.head", head);
    }

    /**
     * @param backbone registered backbone name
     * @param head     projection head
     * @return a config with the backbone's default options
     */
    public static ModelConfig of(String backbone, DinoHeadConfig head) {
        return new ModelConfig(backbone, null, head);
    }

    /**
     * @param type the backbone's options type
     * @param <O>  that type
     * @return the options, cast
     * @throws IllegalArgumentException when the options are of another type (another backbone)
     */
    public <O extends Record> O backboneOptions(Class<O> type) {
        if (!type.isInstance(backboneOptions)) {
            throw new IllegalArgumentException("model." + backbone + " holds " + backboneOptions.getClass().getSimpleName()
                    + ", not " + type.getSimpleName());
        }
        return type.cast(backboneOptions);
    }

    /** @return this config with another backbone, at that backbone's default options (the head kept) */
    public ModelConfig withBackbone(String name) {
        return name.equals(backbone) ? this : new ModelConfig(name, null, head);
    }

    /** @return this config with other options of the same backbone */
    public ModelConfig withBackboneOptions(Record options) {
        return new ModelConfig(backbone, options, head);
    }

    /** @return this config with another head */
    public ModelConfig withHead(DinoHeadConfig h) {
        return new ModelConfig(backbone, backboneOptions, h);
    }

    /**
     * @param channels image channels (from the data)
     * @return the backbone this config describes
     */
    public Backbone createBackbone(int channels) {
        return Backbones.create(backbone, backboneOptions, channels);
    }

    /** @return K, the head's output dimension */
    public int outDim() {
        return head.outDim();
    }

    /** @return a one-line description of the backbone, e.g. {@code small-resnet [16, 32, 64] 8 groups} */
    public String describeBackbone() {
        return backbone + " " + backboneOptions;
    }

    /** @return the smallest crop side the backbone accepts */
    public int minInputSize() {
        return createBackbone(1).minInputSize();
    }
}

package org.dino4j.core.model;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.dino4j.core.model.vit.VisionTransformer;

/**
 * The backbone registry: name → {@link BackboneFactory}. Holds the built-ins ({@code small-resnet}
 * {@link SmallResNet}, {@code vit} {@link VisionTransformer}), every {@link ServiceLoader} provider of
 * {@link BackboneFactory} on the class path, and factories added with {@link #register}. Thread-safe.
 */
public final class Backbones {
    private static final Map<String, BackboneFactory<?>> FACTORIES = new TreeMap<>();

    static {
        register(new SmallResNet.Factory());
        register(new VisionTransformer.Factory());
        for (BackboneFactory<?> f : ServiceLoader.load(BackboneFactory.class, Backbones.class.getClassLoader())) {
            register(f);
        }
    }

    private Backbones() {
    }

    /**
     * Adds a factory under its {@link BackboneFactory#name()}; registering the same factory class again is a no-op.
     *
     * @param factory the factory
     * @throws IllegalArgumentException when another factory class already has that name
     */
    public static synchronized void register(BackboneFactory<?> factory) {
        String name = factory.name();
        if (name == null || !name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("backbone name must be lower-case letters, digits and '-', got \"" + name + "\"");
        }
        BackboneFactory<?> old = FACTORIES.get(name);
        if (old != null && old.getClass() != factory.getClass()) {
            throw new IllegalArgumentException("backbone name \"" + name + "\" is already registered by " + old.getClass().getName());
        }
        if (!factory.optionsType().isInstance(factory.defaultOptions())) {
            throw new IllegalArgumentException("backbone " + name + ": defaultOptions() must be a " + factory.optionsType().getName());
        }
        FACTORIES.put(name, factory);
    }

    /** @return the registered names, sorted */
    public static synchronized List<String> names() {
        return List.copyOf(FACTORIES.keySet());
    }

    /**
     * @param name a registered name
     * @return its factory
     * @throws IllegalArgumentException naming the registered names when there is none of that name
     */
    public static synchronized BackboneFactory<?> get(String name) {
        BackboneFactory<?> f = FACTORIES.get(name);
        if (f == null) {
            throw new IllegalArgumentException("backbone must be one of " + names() + ", got \"" + name + "\"");
        }
        return f;
    }

    /**
     * Builds a backbone from a name and options of its factory's type.
     *
     * @param name registered name
     * @param options an instance of the factory's {@link BackboneFactory#optionsType()}
     * @param inChannels image channels
     * @return the backbone
     * @throws IllegalArgumentException for an unknown name or options of another type
     */
    public static Backbone create(String name, Record options, int inChannels) {
        return createWith(get(name), options, inChannels);
    }

    private static <O extends Record> Backbone createWith(BackboneFactory<O> f, Record options, int inChannels) {
        if (!f.optionsType().isInstance(options)) {
            throw new IllegalArgumentException("options of backbone " + f.name() + " must be a "
                    + f.optionsType().getSimpleName() + ", got " + (options == null ? "null" : options.getClass().getSimpleName()));
        }
        return f.create(f.optionsType().cast(options), inChannels);
    }
}

package org.dino4j.train.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Named starting configurations: YAML resources {@code org/dino4j/train/config/presets/NAME.yaml} in dino-train's jar,
 * read by {@link ConfigLoader} exactly like a user's {@code --config} file (a preset names its base with
 * {@code preset:} and holds the keys it changes; the base of all is {@code default}, which is complete). Each file
 * says in comments what the preset is for and what it measured.
 *
 * <ul>
 *   <li>{@code default}: the official {@code main_dino.py} hyperparameters on the small CNN;</li>
 *   <li>{@code synthetic-main}, {@code synthetic-quick}, {@code synthetic-long}: the built-in synthetic dataset (the
 *       README's main job and {@code dino train}'s default on it; the short run {@code dino ablate} starts from; the
 *       long record run);</li>
 *   <li>{@code images}: the default for a user's own images ({@code images:DIR}, {@code idx:DIR}): DINO's
 *       augmentations, adapted to the number of images ({@code run.adaptToData}, {@link DataScaling});</li>
 *   <li>{@code fashion-mnist}, {@code fashion-mnist-long}, {@code fashion-mnist-hour}: Fashion-MNIST quality runs (one
 *       epoch; 8 epochs; under an hour on 2 cores, keeping every epoch's checkpoint for {@code dino eval curve});</li>
 *   <li>{@code reference}: the training-step benchmark's config;</li>
 *   <li>{@code tiny}: a few-second config for tests;</li>
 *   <li>{@code vit-tiny28}, {@code vit-fashion-mnist}: the same with the ViT backbone.</li>
 * </ul>
 * To add one: put {@code NAME.yaml} next to the others and list it in {@link #NAMES}.
 */
public final class Presets {
    /** The base of every preset. */
    public static final String DEFAULT = "default";

    /** The names of the preset resources, sorted. */
    private static final List<String> NAMES = List.of(DEFAULT, "fashion-mnist", "fashion-mnist-hour", "fashion-mnist-long", "images", "reference",
            "synthetic-long", "synthetic-main", "synthetic-quick", "tiny", "vit-fashion-mnist", "vit-tiny28");

    private Presets() {}

    /** The names accepted by {@link #get(String)}. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * The preset of that name.
     *
     * @throws IllegalArgumentException naming the preset and the accepted names.
     */
    public static DinoConfig get(String name) {
        try {
            return ConfigLoader.load(name, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The preset's YAML text. */
    static byte[] read(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("preset must be one of " + NAMES + ", got \"" + name + "\"");
        }
        String resource = "presets/" + name + ".yaml";
        try (InputStream in = Presets.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("preset resource " + resource + " is missing from the class path");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read preset resource " + resource, e);
        }
    }
}

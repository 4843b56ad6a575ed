package org.dino4j.train.run;

import java.util.Locale;
import org.dino4j.core.exec.Execution;
import org.dino4j.core.model.DinoModel;

/**
 * The {@code -Ddino4j.*} system properties the {@code dino} command (and the benchmarks built on dino-train) accept as
 * overrides of dino-core's explicit options. The library itself reads no system property; this class is the one place
 * that does, and it applies what it read through dino-core's API.
 *
 * <ul>
 *   <li>{@code dino4j.loss=fused|graph}: {@link DinoModel#setFusedLoss} of every network built by
 *       {@link org.dino4j.train.CoreNetwork#create} (default fused).</li>
 *   <li>{@code dino4j.exec=fused|plan|session}: {@link DinoModel#setExecution} of the same networks (default fused;
 *       {@link Execution#fromProperty}).</li>
 * </ul>
 */
public final class RuntimeOverrides {
    private RuntimeOverrides() {
    }

    /**
     * Applies the per-model overrides to a freshly built model.
     *
     * @param m the model
     * @return {@code m}
     * @throws IllegalArgumentException naming the property for a value it does not accept
     */
    public static DinoModel applyTo(DinoModel m) {
        m.setExecution(Execution.fromProperty());
        m.setFusedLoss(switch (property("dino4j.loss", "fused")) {
            case "fused" -> true;
            case "graph" -> false;
            default -> throw bad("dino4j.loss", "fused or graph");
        });
        return m;
    }

    private static String property(String name, String def) {
        return System.getProperty(name, def).trim().toLowerCase(Locale.ROOT);
    }

    private static IllegalArgumentException bad(String name, String expected) {
        return new IllegalArgumentException("system property " + name + " must be " + expected + ", got '"
                + System.getProperty(name) + "'");
    }
}

package org.dino4j.train;

import java.io.Serializable;
import java.util.Objects;
import org.dino4j.core.model.Backbone;
import org.dino4j.core.model.BackboneFactory;
import org.dino4j.core.model.GraphScope;
import org.dino4j.core.model.Init;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A backbone added in one file — everything a new backbone needs, and nothing elsewhere changes: the
 * {@link Backbone} itself, its options record (the {@code model.toy} section of a config) and its registry entry
 * ({@link Factory}; registered with {@code Backbones.register(new ToyBackbone.Factory())}, or listed in
 * {@code META-INF/services/org.dino4j.core.model.BackboneFactory} of its jar).
 *
 * <p>Images {@code [B, C, H, W]} → per-channel mean and max over H, W {@code [B, 2C]} → linear {@code [2C, D]} + bias →
 * ReLU → times a per-row gain {@code [1, D]} → times a per-sample dropout mask {@code [B, D]} (each unit kept with
 * probability {@code keep} and scaled by 1/keep in training calls, ones otherwise). The mask is a step input: the
 * model draws it from the training step's seeded Random. The gain is named {@code scale_b} yet takes weight decay,
 * which only its declaration can say.
 */
public final class ToyBackbone implements Backbone {
    private static final long serialVersionUID = 1L;

    /**
     * @param width feature dimension D, &gt;= 1
     * @param keep  dropout keep probability in (0, 1] (1 = no dropout)
     */
    public record Options(int width, double keep) implements Serializable {
        /** Validates (messages name the field). */
        public Options {
            if (width < 1) throw new IllegalArgumentException("width must be >= 1, got " + width);
            if (!(keep > 0 && keep <= 1)) throw new IllegalArgumentException("keep must be in (0, 1], got " + keep);
        }
    }

    /** Registry entry {@code toy}: width 16, keep 0.8 by default. */
    public static final class Factory implements BackboneFactory<Options> {
        @Override
        public String name() {
            return "toy";
        }

        @Override
        public Class<Options> optionsType() {
            return Options.class;
        }

        @Override
        public Options defaultOptions() {
            return new Options(16, 0.8);
        }

        @Override
        public Backbone create(Options options, int inChannels) {
            return new ToyBackbone(options, inChannels);
        }
    }

    private final Options options;
    private final int channels;

    ToyBackbone(Options options, int channels) {
        this.options = Objects.requireNonNull(options, "options");
        this.channels = channels;
    }

    @Override
    public String name() {
        return "toy";
    }

    @Override
    public int inChannels() {
        return channels;
    }

    @Override
    public int featureDim() {
        return options.width();
    }

    @Override
    public int minInputSize() {
        return 1;
    }

    @Override
    public Instance define(GraphScope g) {
        SameDiff sd = g.sd();
        DataType dt = g.dataType();
        int d = options.width();
        SDVariable w = g.param("proj_w", Init.normal(g.rng(), 1 / Math.sqrt(2.0 * channels), dt, 2L * channels, d), true);
        SDVariable b = g.param("proj_b", Init.fill(0, dt, d), false);
        SDVariable gain = g.param("scale_b", Init.fill(1, dt, 1, d), true);
        int[] applied = {0};
        return images -> {
            int k = applied[0]++;
            SDVariable pooled = sd.concat(1, sd.mean(images, 2, 3), sd.max(images, 2, 3));
            SDVariable h = sd.nn.relu(pooled.mmul(w).add(b), 0).mul(gain);
            SDVariable mask = g.stepInput("mask_" + k, images, d, (rows, training, type) -> {
                if (training == null || options.keep() == 1) return Nd4j.ones(type, rows, d);
                double[] m = new double[Math.toIntExact(rows * d)];
                for (int i = 0; i < m.length; i++) m[i] = training.nextDouble() < options.keep() ? 1 / options.keep() : 0;
                return Nd4j.createFromArray(m).castTo(type).reshape(rows, d);
            });
            return h.mul(mask);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ToyBackbone t && t.options.equals(options) && t.channels == channels;
    }

    @Override
    public int hashCode() {
        return options.hashCode() * 31 + channels;
    }
}

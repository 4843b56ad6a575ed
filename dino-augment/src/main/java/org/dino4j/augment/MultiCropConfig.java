package org.dino4j.augment;

import org.dino4j.augment.transform.Checks;
import org.dino4j.augment.transform.ColorJitterSpec;
import org.dino4j.augment.transform.Normalization;
import org.dino4j.augment.transform.ViewSpec;

/**
 * DINO's multi-crop recipe (Caron et al. 2021, §3.1 "multi-crop", Appendix "data augmentation";
 * {@code main_dino.py: DataAugmentationDINO}): two global views and {@code numLocal} local views per image.
 * Every view: RandomResizedCrop(scale, ratio 3/4–4/3, bilinear) → horizontal flip (p {@code flipP}) →
 * colour jitter ({@link ColorJitterSpec}) → random grayscale (p {@code grayscaleP}, RGB only) → Gaussian
 * blur (σ ~ U(blurSigmaMin, blurSigmaMax), p per view) → solarization (p per view) → normalisation.
 * Optionally (not in DINO's recipe, off by default) the crop box is rotated by
 * θ ~ U(−rotationDegrees, +rotationDegrees) about its centre before it is resampled
 * ({@link org.dino4j.augment.transform.ViewOps#resizeBilinearRotated}).
 *
 * @param global1       global view 1 (DINO: scale (0.4, 1), blur p 1.0, solarize p 0)
 * @param global2       global view 2 (DINO: scale (0.4, 1), blur p 0.1, solarize p 0.2); same size as global1
 * @param local         every local view (DINO: scale (0.05, 0.4), blur p 0.5, solarize p 0)
 * @param numLocal      number of local views N &ge; 0 (DINO: 8 at 224/96)
 * @param ratioMin      lower crop aspect ratio w/h, &gt; 0 (DINO 3/4)
 * @param ratioMax      upper crop aspect ratio, &ge; ratioMin (DINO 4/3)
 * @param flipP         horizontal flip probability (DINO 0.5)
 * @param jitter        colour jitter (DINO {@link ColorJitterSpec#DINO})
 * @param grayscaleP    random-grayscale probability for RGB images (DINO 0.2); ignored for 1 channel
 * @param blurSigmaMin  lower blur σ in pixels, &gt; 0 (DINO 0.1)
 * @param blurSigmaMax  upper blur σ, &ge; blurSigmaMin (DINO 2.0)
 * @param normalization per-channel mean/std applied last
 * @param rotationDegrees largest random rotation of a crop, in degrees, in [0, 180]; 0 (default, DINO) = no
 *                      rotation and no extra random draw, so the views are those of the recipe without it. Not in
 *                      the official recipe; useful when the classes are rotation-invariant.
 */
public record MultiCropConfig(ViewSpec global1, ViewSpec global2, ViewSpec local, int numLocal,
                              double ratioMin, double ratioMax, double flipP, ColorJitterSpec jitter,
                              double grayscaleP, double blurSigmaMin, double blurSigmaMax,
                              Normalization normalization, double rotationDegrees) {

    /** Global crop area range of DINO. */
    public static final double GLOBAL_SCALE_MIN = 0.4, GLOBAL_SCALE_MAX = 1.0;
    /** Local crop area range of DINO. */
    public static final double LOCAL_SCALE_MIN = 0.05, LOCAL_SCALE_MAX = 0.4;

    /** Validates; a bad value throws one {@link IllegalArgumentException} naming the field and the value. */
    public MultiCropConfig {
        if (global1 == null) throw new IllegalArgumentException("global1 must not be null");
        if (global2 == null) throw new IllegalArgumentException("global2 must not be null");
        if (local == null) throw new IllegalArgumentException("local must not be null");
        if (global1.size() != global2.size())
            throw new IllegalArgumentException("global2.size must equal global1.size (" + global1.size() + "), got " + global2.size());
        Checks.atLeast("numLocal", numLocal, 0);
        if (!(ratioMin > 0 && Double.isFinite(ratioMin))) throw new IllegalArgumentException("ratioMin must be > 0, got " + ratioMin);
        if (!(ratioMax >= ratioMin && Double.isFinite(ratioMax)))
            throw new IllegalArgumentException("ratioMax must be >= ratioMin (" + ratioMin + "), got " + ratioMax);
        Checks.probability("flipP", flipP);
        if (jitter == null) throw new IllegalArgumentException("jitter must not be null");
        Checks.probability("grayscaleP", grayscaleP);
        if (!(blurSigmaMin > 0 && Double.isFinite(blurSigmaMin)))
            throw new IllegalArgumentException("blurSigmaMin must be > 0, got " + blurSigmaMin);
        if (!(blurSigmaMax >= blurSigmaMin && Double.isFinite(blurSigmaMax)))
            throw new IllegalArgumentException("blurSigmaMax must be >= blurSigmaMin (" + blurSigmaMin + "), got " + blurSigmaMax);
        if (normalization == null) throw new IllegalArgumentException("normalization must not be null");
        if (!(rotationDegrees >= 0 && rotationDegrees <= 180))
            throw new IllegalArgumentException("rotationDegrees must be in [0, 180], got " + rotationDegrees);
    }

    /**
     * Preset for 28×28 data (Fashion-MNIST, the synthetic set): 2 global views of 28, 6 local views of 12,
     * DINO scales, mean 0.5 / std 0.5 on every channel. σ range is DINO's [0.1, 2] pixels, which is
     * relatively strong at 28 px (documented in docs/augment.md).
     */
    public static MultiCropConfig preset28() {
        return builder().globalSize(28).localSize(12).numLocal(6).normalization(Normalization.HALF).build();
    }

    /** DINO's ImageNet preset: 2 global views of 224, 8 local views of 96, ImageNet mean/std. */
    public static MultiCropConfig preset224() {
        return builder().build();
    }

    /** @return the global view side (both global views share it). */
    public int globalSize() {
        return global1.size();
    }

    /** @return the local view side. */
    public int localSize() {
        return local.size();
    }

    /** @return a copy with another number of local views. */
    public MultiCropConfig withNumLocal(int n) {
        return toBuilder().numLocal(n).build();
    }

    /** @return a copy with another local view size (e.g. 14 instead of 12 for the 28 preset). */
    public MultiCropConfig withLocalSize(int size) {
        return toBuilder().localSize(size).build();
    }

    /** @return a copy with another normalisation. */
    public MultiCropConfig withNormalization(Normalization norm) {
        return toBuilder().normalization(norm).build();
    }

    /**
     * @param degrees largest random rotation in degrees, in [0, 180] (0 = none, DINO's recipe)
     * @return a copy with another random-rotation range
     */
    public MultiCropConfig withRotationDegrees(double degrees) {
        return toBuilder().rotationDegrees(degrees).build();
    }

    /**
     * Checks the view sizes against the smallest input the backbone accepts.
     *
     * @param backboneMin smallest side the backbone accepts
     * @throws IllegalArgumentException naming {@code global1.size} or {@code local.size} when one is smaller
     */
    public MultiCropConfig requireMinSize(int backboneMin) {
        if (globalSize() < backboneMin)
            throw new IllegalArgumentException("global1.size must be >= the backbone minimum " + backboneMin + ", got " + globalSize());
        if (numLocal > 0 && localSize() < backboneMin)
            throw new IllegalArgumentException("local.size must be >= the backbone minimum " + backboneMin + ", got " + localSize());
        return this;
    }

    /**
     * @return a builder starting from DINO's recipe at 224/96 px ({@link #preset224()}: 8 local views, ImageNet
     *         normalisation, no rotation)
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this record's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A {@link MultiCropConfig} under construction: starts from the defaults or from a record, validated by {@link #build()}. */
    public static final class Builder {
        private ViewSpec global1 = new ViewSpec(224, GLOBAL_SCALE_MIN, GLOBAL_SCALE_MAX, 1.0, 0.0);
        private ViewSpec global2 = new ViewSpec(224, GLOBAL_SCALE_MIN, GLOBAL_SCALE_MAX, 0.1, 0.2);
        private ViewSpec local = new ViewSpec(96, LOCAL_SCALE_MIN, LOCAL_SCALE_MAX, 0.5, 0.0);
        private int numLocal = 8;
        private double ratioMin = 3.0 / 4.0;
        private double ratioMax = 4.0 / 3.0;
        private double flipP = 0.5;
        private ColorJitterSpec jitter = ColorJitterSpec.DINO;
        private double grayscaleP = 0.2;
        private double blurSigmaMin = 0.1;
        private double blurSigmaMax = 2.0;
        private Normalization normalization = Normalization.IMAGENET;
        private double rotationDegrees = 0.0;

        private Builder() {
        }

        private Builder(MultiCropConfig r) {
            global1 = r.global1;
            global2 = r.global2;
            local = r.local;
            numLocal = r.numLocal;
            ratioMin = r.ratioMin;
            ratioMax = r.ratioMax;
            flipP = r.flipP;
            jitter = r.jitter;
            grayscaleP = r.grayscaleP;
            blurSigmaMin = r.blurSigmaMin;
            blurSigmaMax = r.blurSigmaMax;
            normalization = r.normalization;
            rotationDegrees = r.rotationDegrees;
        }

        /** Sets {@link MultiCropConfig#global1()}; returns this builder. */
        public Builder global1(ViewSpec v) {
            global1 = v;
            return this;
        }

        /** Sets {@link MultiCropConfig#global2()}; returns this builder. */
        public Builder global2(ViewSpec v) {
            global2 = v;
            return this;
        }

        /** Sets {@link MultiCropConfig#local()}; returns this builder. */
        public Builder local(ViewSpec v) {
            local = v;
            return this;
        }

        /** Sets {@link MultiCropConfig#numLocal()}; returns this builder. */
        public Builder numLocal(int v) {
            numLocal = v;
            return this;
        }

        /** Sets {@link MultiCropConfig#ratioMin()}; returns this builder. */
        public Builder ratioMin(double v) {
            ratioMin = v;
            return this;
        }

        /** Sets {@link MultiCropConfig#ratioMax()}; returns this builder. */
        public Builder ratioMax(double v) {
            ratioMax = v;
            return this;
        }

        /** Sets {@link MultiCropConfig#flipP()}; returns this builder. */
        public Builder flipP(double v) {
            flipP = v;
            return this;
        }

        /** Sets {@link MultiCropConfig#jitter()}; returns this builder. */
        public Builder jitter(ColorJitterSpec v) {
            jitter = v;
            return this;
        }

        /** Sets {@link MultiCropConfig#grayscaleP()}; returns this builder. */
        public Builder grayscaleP(double v) {
            grayscaleP = v;
            return this;
        }

        /** Sets {@link MultiCropConfig#blurSigmaMin()}; returns this builder. */
        public Builder blurSigmaMin(double v) {
            blurSigmaMin = v;
            return this;
        }

        /** Sets {@link MultiCropConfig#blurSigmaMax()}; returns this builder. */
        public Builder blurSigmaMax(double v) {
            blurSigmaMax = v;
            return this;
        }

        /** Sets {@link MultiCropConfig#normalization()}; returns this builder. */
        public Builder normalization(Normalization v) {
            normalization = v;
            return this;
        }

        /** Sets {@link MultiCropConfig#rotationDegrees()}; returns this builder. */
        public Builder rotationDegrees(double v) {
            rotationDegrees = v;
            return this;
        }

        /** Sets the side of both global views; returns this builder. */
        public Builder globalSize(int size) {
            global1 = new ViewSpec(size, global1.scaleMin(), global1.scaleMax(), global1.blurP(), global1.solarizeP());
            global2 = new ViewSpec(size, global2.scaleMin(), global2.scaleMax(), global2.blurP(), global2.solarizeP());
            return this;
        }

        /** Sets the side of the local views; returns this builder. */
        public Builder localSize(int size) {
            local = new ViewSpec(size, local.scaleMin(), local.scaleMax(), local.blurP(), local.solarizeP());
            return this;
        }

        /** Sets the crop-area range of both global views; returns this builder. */
        public Builder globalScale(double min, double max) {
            global1 = new ViewSpec(global1.size(), min, max, global1.blurP(), global1.solarizeP());
            global2 = new ViewSpec(global2.size(), min, max, global2.blurP(), global2.solarizeP());
            return this;
        }

        /** Sets the crop-area range of the local views; returns this builder. */
        public Builder localScale(double min, double max) {
            local = new ViewSpec(local.size(), min, max, local.blurP(), local.solarizeP());
            return this;
        }

        /** Builds and validates the record (the record's constructor throws on a bad value, naming the field). */
        public MultiCropConfig build() {
            return new MultiCropConfig(global1, global2, local, numLocal, ratioMin, ratioMax, flipP, jitter, grayscaleP, blurSigmaMin, blurSigmaMax, normalization, rotationDegrees);
        }
    }
}

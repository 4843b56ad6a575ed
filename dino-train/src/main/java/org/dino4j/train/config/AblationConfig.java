package org.dino4j.train.config;

/**
 * DINO's tricks that {@code dino ablate} switches off one at a time (Caron et al. 2021, §5.3 and Table 7); every
 * field is {@code true} in a normal run. Sharpening (τ_t = τ_s) and multi-crop ({@code data.crops.numLocal = 0}) are
 * switched off through their own keys, so they have no field here.
 *
 * @param ema          the teacher follows the student by an EMA with the momentum schedule. {@code false}: the
 *                     teacher is set to the student's current weights after every step (momentum 0), the targets
 *                     stay data (stop-gradient kept).
 * @param centering    the teacher logits are centred by c ← m·c + (1−m)·mean(z_t). {@code false}: c stays 0.
 * @param stopGradient the teacher's output is data for the student's loss. {@code false}: the teacher IS the
 *                     student — p_t = softmax((z_s,global − c)/τ_t) is computed inside the student graph and the
 *                     gradient flows through both branches; this needs {@code ema = false} (a separate EMA teacher
 *                     that receives gradients has no meaning).
 */
public record AblationConfig(boolean ema, boolean centering, boolean stopGradient) {

    /** Validates the combination. */
    public AblationConfig {
        if (!stopGradient && ema) {
            throw new IllegalArgumentException("ablation.ema must be false when ablation.stopGradient is false (the teacher "
                    + "is then the student itself), got true");
        }
    }

    /** Full DINO: every trick on. */
    public static AblationConfig full() {
        return new AblationConfig(true, true, true);
    }

    /** @return true when every trick is on */
    public boolean allOn() {
        return ema && centering && stopGradient;
    }
}

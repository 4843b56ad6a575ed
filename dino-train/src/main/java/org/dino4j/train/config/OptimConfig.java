package org.dino4j.train.config;

/**
 * AdamW and its schedules (official {@code main_dino.py} defaults; Loshchilov &amp; Hutter 2019 for the decoupled decay).
 *
 * @param lr              base learning rate at batch 256; the peak rate is {@code lr · batchSize / 256} (linear
 *                        scaling rule, official 5e-4).
 * @param minLr           final learning rate of the cosine decay (official 1e-6).
 * @param warmupEpochs    epochs of linear warm-up from 0 to the peak rate (official 10); a fraction is allowed (0.25 =
 *                        a quarter of an epoch's iterations, rounded), e.g. for a run of one long epoch.
 * @param weightDecay     weight decay at the start of the cosine schedule (official 0.04).
 * @param weightDecayEnd  weight decay at the end (official 0.4).
 * @param clipGrad        per-parameter-tensor gradient norm limit; 0 disables clipping (official 3.0).
 * @param freezeLastLayer epochs during which the head's last layer gets no update (official 1).
 * @param beta1           AdamW β₁ (PyTorch default 0.9).
 * @param beta2           AdamW β₂ (PyTorch default 0.999).
 * @param eps             AdamW ε (PyTorch default 1e-8).
 */
public record OptimConfig(double lr, double minLr, double warmupEpochs, double weightDecay, double weightDecayEnd,
                          double clipGrad, int freezeLastLayer, double beta1, double beta2, double eps) {

    /** Validates every field. */
    public OptimConfig {
        Checks.positive("optim.lr", lr);
        Checks.nonNegative("optim.minLr", minLr);
        Checks.nonNegative("optim.warmupEpochs", warmupEpochs);
        Checks.nonNegative("optim.weightDecay", weightDecay);
        Checks.nonNegative("optim.weightDecayEnd", weightDecayEnd);
        Checks.nonNegative("optim.clipGrad", clipGrad);
        Checks.nonNegative("optim.freezeLastLayer", freezeLastLayer);
        Checks.halfOpen("optim.beta1", beta1, 0, 1);
        Checks.halfOpen("optim.beta2", beta2, 0, 1);
        Checks.positive("optim.eps", eps);
    }

    /** The official defaults. */
    public static OptimConfig official() {
        return new OptimConfig(5e-4, 1e-6, 10, 0.04, 0.4, 3.0, 1, 0.9, 0.999, 1e-8);
    }
}

package org.dino4j.core.pretrained;

/**
 * How {@link PretrainedCheckpoints#load} picks and interprets a checkpoint's weights.
 *
 * @param checkpointKey the entry of a training checkpoint to load ({@code teacher}, {@code student}); null =
 *        {@code teacher} when the file has one (as the official evaluation scripts), else the file's state dict
 * @param heads attention heads of a ViT; 0 = infer (a Hugging Face {@code config.json} beside the file, the
 *        training checkpoint's {@code args.arch}, else embed dim / 64 as in every official DINO ViT)
 */
public record LoadOptions(String checkpointKey, int heads) {
    /** Validates. */
    public LoadOptions {
        if (heads < 0) {
            throw new IllegalArgumentException("heads must be >= 0 (0 = infer), got " + heads);
        }
        if (checkpointKey != null && checkpointKey.isBlank()) {
            throw new IllegalArgumentException("checkpointKey must not be blank (null = default)");
        }
    }

    /** @return the defaults: teacher if present, heads inferred */
    public static LoadOptions defaults() {
        return new LoadOptions(null, 0);
    }

    /**
     * @param key checkpoint entry
     * @return these options with another checkpoint key
     */
    public LoadOptions withCheckpointKey(String key) {
        return new LoadOptions(key, heads);
    }

    /**
     * @param n heads
     * @return these options with an explicit head count
     */
    public LoadOptions withHeads(int n) {
        return new LoadOptions(checkpointKey, n);
    }
}

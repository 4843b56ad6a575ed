package org.dino4j.train.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.dino4j.core.DinoRuntime;
import org.dino4j.core.pretrained.LoadOptions;
import org.dino4j.core.pretrained.PretrainedDino;
import picocli.CommandLine.Option;

/** The options that load a pretrained DINO checkpoint ({@code --weights}, {@code --checkpoint-key}, {@code --heads}). */
final class WeightsOptions {
    @Option(names = "--checkpoint-key", paramLabel = "KEY",
            description = "Entry of a training checkpoint to load: teacher (default when present) or student.")
    String checkpointKey;

    @Option(names = "--heads", paramLabel = "N", defaultValue = "0",
            description = "Attention heads of a ViT (default: the safetensors metadata of a dino export, config.json "
                    + "beside a Hugging Face file, the training checkpoint's args.arch, else embed dim / 64 as every "
                    + "official DINO ViT).")
    int heads;

    /** Loads {@code weights} and sets the thread count. */
    PretrainedDino load(Path weights, int threads) throws IOException {
        if (heads < 0) {
            throw new IllegalArgumentException("--heads must be >= 1 (or 0 = infer), got " + heads);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        DinoRuntime.setThreads(threads);
        return PretrainedDino.load(weights, new LoadOptions(checkpointKey, heads));
    }
}

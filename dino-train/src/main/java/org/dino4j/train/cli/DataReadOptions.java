package org.dino4j.train.cli;

import org.dino4j.augment.data.FolderDataset;
import org.dino4j.train.run.DataOptions;
import picocli.CommandLine.Option;

/** How the commands read image folders (a picocli mixin): what to do with corrupt images, the largest image. */
final class DataReadOptions {
    @Option(names = "--skip-corrupt", description = "Leave out unreadable or corrupt images (each is named; default: the first one is an error).")
    boolean skipCorrupt;

    @Option(names = "--max-image-pixels", paramLabel = "N", description = "Largest width x height an image may declare in its header "
            + "(checked before decoding; default " + FolderDataset.DEFAULT_MAX_PIXELS + ").")
    long maxImagePixels = FolderDataset.DEFAULT_MAX_PIXELS;

    /** The options as the run package's record (queries required). */
    DataOptions toOptions() {
        return new DataOptions(skipCorrupt, maxImagePixels, true);
    }
}

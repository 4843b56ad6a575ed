package org.dino4j.train.run;

import org.dino4j.augment.data.FolderDataset;

/**
 * How {@link TrainData#open} reads the data, beyond the config: what to do with corrupt images of an
 * {@code images:DIR} source, the largest image it decodes, and whether a held-out query set is required.
 *
 * @param skipCorrupt    leave out unreadable, corrupt or too large images (each named on stderr and in the run's
 *                       {@code data.json}) instead of failing on the first one ({@code --skip-corrupt})
 * @param maxImagePixels largest width × height an image header may declare, checked before decoding
 *                       ({@code --max-image-pixels}; default {@link FolderDataset#DEFAULT_MAX_PIXELS})
 * @param needQueries    fail (before any training) when the held-out query set is empty: the online and final
 *                       k-NN, t-SNE and the evaluation commands need it
 */
public record DataOptions(boolean skipCorrupt, long maxImagePixels, boolean needQueries) {
    /** Failing on corrupt images, the default pixel limit, queries required. */
    public static final DataOptions DEFAULTS = new DataOptions(false, FolderDataset.DEFAULT_MAX_PIXELS, true);

    /** Validates the limit. */
    public DataOptions {
        if (maxImagePixels < 1 || maxImagePixels > FolderDataset.MAX_PIXELS_LIMIT) {
            throw new IllegalArgumentException("--max-image-pixels must be in [1, " + FolderDataset.MAX_PIXELS_LIMIT + "], got "
                    + maxImagePixels);
        }
    }

    /** @return these options with another {@link #needQueries()} */
    public DataOptions withNeedQueries(boolean need) {
        return new DataOptions(skipCorrupt, maxImagePixels, need);
    }
}

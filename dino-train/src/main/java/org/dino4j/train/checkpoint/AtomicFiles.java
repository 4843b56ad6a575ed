package org.dino4j.train.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Crash-safe file writes for the run directory: the same as dino-core's {@link org.dino4j.core.io.AtomicFiles}
 * (temporary file in the same directory, fsync, atomic rename; a failed write leaves the old file and no
 * temporary), which every output of dino4j goes through.
 */
public final class AtomicFiles {
    /** Prefix of temporary files; files with it are leftovers of an interrupted write and may be deleted. */
    public static final String TMP_PREFIX = org.dino4j.core.io.AtomicFiles.TMP_PREFIX;

    private AtomicFiles() {}

    /** The body of a write. */
    @FunctionalInterface
    public interface Body extends org.dino4j.core.io.AtomicFiles.Body {}

    /** Atomically replaces {@code target} by what {@code body} writes. */
    public static void write(Path target, Body body) throws IOException {
        org.dino4j.core.io.AtomicFiles.write(target, body);
    }

    /** Atomically replaces {@code target} by a UTF-8 string. */
    public static void writeString(Path target, String s) throws IOException {
        org.dino4j.core.io.AtomicFiles.writeString(target, s);
    }

    /** Deletes leftovers of interrupted writes in {@code dir}. */
    public static void deleteLeftovers(Path dir) throws IOException {
        org.dino4j.core.io.AtomicFiles.deleteLeftovers(dir);
    }
}

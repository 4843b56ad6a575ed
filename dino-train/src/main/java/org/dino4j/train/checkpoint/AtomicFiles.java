package org.dino4j.train.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file writes: the content goes to a temporary file in the same directory, is forced to disk, and is
 * then renamed over the target with {@link StandardCopyOption#ATOMIC_MOVE}. A reader sees either the old file or
 * the complete new one, whatever moment the process dies (kill -9 included); a failed write deletes its temporary.
 */
public final class AtomicFiles {
    /** Prefix of temporary files; files with it are leftovers of an interrupted write and may be deleted. */
    public static final String TMP_PREFIX = ".tmp-";

    private AtomicFiles() {}

    /** The body of a write. */
    @FunctionalInterface
    public interface Body {
        /** Writes the content. */
        void write(OutputStream out) throws IOException;
    }

    /** Atomically replaces {@code target} by what {@code body} writes. */
    public static void write(Path target, Body body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, TMP_PREFIX + target.getFileName() + "-", "");
        boolean ok = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
                body.write(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot write " + target + " atomically: the file system does not support atomic moves", e);
            }
            ok = true;
            syncDirectory(dir);
        } finally {
            if (!ok) Files.deleteIfExists(tmp);
        }
    }

    /** Atomically replaces {@code target} by a UTF-8 string. */
    public static void writeString(Path target, String s) throws IOException {
        write(target, out -> out.write(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** Deletes leftovers of interrupted writes in {@code dir}. */
    public static void deleteLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith(TMP_PREFIX)) Files.deleteIfExists(p);
            }
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Directory fsync is not supported everywhere; the rename itself is still atomic.
        }
    }
}

package org.dino4j.core.io;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.RenderedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe file writes: the content goes to a temporary file in the same directory, is forced to disk, and is
 * then renamed over the target with {@link StandardCopyOption#ATOMIC_MOVE}. A reader sees either the old file or
 * the complete new one, whatever moment the process dies (kill -9 included) or whenever the disk fills up; a
 * failed write deletes its temporary and leaves the old file in place. The temporary file is created with the
 * default permissions (the process's umask), as a plain {@code Files.newOutputStream} would, so every output of a
 * run has the same permissions. Failures are {@link IOException}s naming the target and the reason
 * ({@link IoErrors}).
 */
public final class AtomicFiles {
    /** Prefix of temporary files; files with it are leftovers of an interrupted write and may be deleted. */
    public static final String TMP_PREFIX = ".tmp-";

    private AtomicFiles() {}

    /** The body of a write. */
    @FunctionalInterface
    public interface Body {
        /**
         * Writes the content.
         *
         * @param out the temporary file's stream (buffered; closed by the caller)
         * @throws IOException on a failed write
         */
        void write(OutputStream out) throws IOException;
    }

    /**
     * Atomically replaces {@code target} by what {@code body} writes (creating parent folders).
     *
     * @param target the file to write
     * @param body   writes the content
     * @throws IOException naming {@code target} and the reason; the old file is then unchanged
     */
    public static void write(Path target, Body body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot write " + target + ": " + dir + " exists and is a file (a directory was expected)", e);
        } catch (FileSystemException e) {
            throw new IOException("cannot write " + target + ": " + IoErrors.describe(e), e);
        }
        Path tmp = null;
        boolean ok = false;
        try {
            tmp = createTemp(dir, target.getFileName().toString());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
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
        } catch (FileSystemException e) {
            throw new IOException("cannot write " + target + ": " + (e.getFile() != null && e.getFile().equals(String.valueOf(tmp))
                    ? IoErrors.reason(e) : IoErrors.describe(e)), e);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("cannot write ")) throw e;
            throw new IOException("cannot write " + target + ": " + IoErrors.rootReason(e), e);
        } finally {
            if (!ok && tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temporary keeps its prefix; deleteLeftovers removes it later
                }
            }
        }
    }

    /**
     * Atomically replaces {@code target} by a UTF-8 string.
     *
     * @param target the file
     * @param s      its new content
     * @throws IOException naming the target and the reason
     */
    public static void writeString(Path target, String s) throws IOException {
        write(target, out -> out.write(s.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Atomically replaces {@code target} by a PNG of {@code img}. The encoder works in memory (no ImageIO cache
     * file in the temporary directory), so a full disk fails with an {@link IOException}, never half a picture.
     *
     * @param target the .png file
     * @param img    the picture
     * @throws IOException naming the target and the reason
     */
    public static void writePng(Path target, RenderedImage img) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) throw new IOException("cannot write " + target + ": no PNG encoder in this JVM");
        write(target, out -> {
            ImageWriter w = writers.next();
            try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
                w.setOutput(ios);
                w.write(null, new IIOImage(img, null, null), null);
            } finally {
                w.dispose();
            }
        });
    }

    /**
     * Deletes leftovers of interrupted writes in {@code dir}.
     *
     * @param dir a folder (nothing happens when it does not exist)
     * @throws IOException when the folder cannot be listed
     */
    public static void deleteLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith(TMP_PREFIX)) Files.deleteIfExists(p);
            }
        }
    }

    /** A new empty file next to the target, with the default permissions (umask), unlike Files.createTempFile (0600). */
    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(TMP_PREFIX + name + "-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) throw e;
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

package org.dino4j.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aFailedWriteKeepsTheOldFileAndLeavesNoTemporary() throws Exception {
        Path f = tmp.resolve("tsne.png");
        AtomicFiles.writeString(f, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[100_000]);
            throw new IOException("No space left on device");
        }));
        assertEquals("cannot write " + f + ": No space left on device", e.getMessage());
        assertEquals("old", Files.readString(f));
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no temporary file left");
        }
    }

    @Test
    void filesGetTheDefaultPermissionsOfTheProcess() throws Exception {
        Path plain = Files.createFile(tmp.resolve("plain"));
        Path atomic = tmp.resolve("atomic");
        AtomicFiles.writeString(atomic, "x");
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
        assertEquals(expected, Files.getPosixFilePermissions(atomic), "as a file created the ordinary way (umask), not 0600");
        AtomicFiles.writePng(tmp.resolve("p.png"), new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB));
        assertEquals(expected, Files.getPosixFilePermissions(tmp.resolve("p.png")));
        assertEquals(4, javax.imageio.ImageIO.read(tmp.resolve("p.png").toFile()).getWidth());
    }

    @Test
    void aParentThatIsAFileIsNamed() throws Exception {
        Path file = Files.writeString(tmp.resolve("f"), "x");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(file.resolve("a.json"), "{}"));
        assertTrue(e.getMessage().contains(file + " exists and is a file (a directory was expected)"), e.getMessage());
    }

    @Test
    void fileSystemErrorsAreDescribedInWords() {
        assertEquals("a/b: permission denied", IoErrors.describe(new AccessDeniedException("a/b")));
        assertEquals("a/b: no such file or directory", IoErrors.describe(new NoSuchFileException("a/b")));
        assertEquals("a/b: read-only file system", IoErrors.describe(new FileSystemException("a/b", null, "Read-only file system")));
        assertEquals("File too large", IoErrors.rootReason(new IOException("I/O error writing PNG file!", new IOException("File too large"))));
        assertEquals("plain message", IoErrors.describe(new IOException("plain message", new IOException("inner"))));
    }
}

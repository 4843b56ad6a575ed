package org.dino4j.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One-line, user-facing descriptions of I/O failures. Java's file-system exceptions carry only a path as their
 * message ({@code NoSuchFileException: runs/x}); {@link #describe} names the path and what is wrong with it
 * ("exists and is a file", "permission denied", "no space left on device").
 */
public final class IoErrors {
    private IoErrors() {}

    /**
     * Describes an I/O failure in one line: the file and the reason.
     *
     * @param e an {@link IOException}, an {@link UncheckedIOException} or anything else (its message)
     * @return e.g. {@code "runs/x: permission denied"}
     */
    public static String describe(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) return describe(u.getCause());
        if (e instanceof FileSystemException f) {
            String file = f.getFile() == null ? "" : f.getFile();
            String what = reason(f);
            String other = f.getOtherFile() == null ? "" : " (and " + f.getOtherFile() + ")";
            return file.isEmpty() ? what : file + other + ": " + what + namesHint(file);
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) return e.getClass().getSimpleName();
        return m.replace('\n', ' ');
    }

    /**
     * The innermost reason of a failed write or read: wrappers such as ImageIO's "I/O error writing PNG file!" hide
     * it ("No space left on device", "File too large"), so the deepest {@link IOException} with a message is
     * described.
     *
     * @param e the failure
     * @return one line
     */
    public static String rootReason(Throwable e) {
        Throwable deepest = e;
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof IOException && t.getMessage() != null && !t.getMessage().isBlank()) deepest = t;
        }
        return describe(deepest);
    }

    /** The reason of a file-system exception, in words. */
    public static String reason(FileSystemException f) {
        if (f instanceof AccessDeniedException) return "permission denied";
        if (f instanceof NoSuchFileException) return "no such file or directory";
        if (f instanceof NotDirectoryException) return "not a directory";
        if (f instanceof DirectoryNotEmptyException) return "directory not empty";
        if (f instanceof FileAlreadyExistsException) {
            if (f.getFile() != null) {
                Path p = Path.of(f.getFile());
                if (Files.isRegularFile(p)) return "exists and is a file (a directory was expected)";
                if (Files.isDirectory(p)) return "already exists (a directory)";
            }
            return "already exists";
        }
        String r = f.getReason();
        return r == null || r.isBlank() ? f.getClass().getSimpleName() : r.toLowerCase(Locale.ROOT);
    }

    /**
     * When the JVM decodes file names in a charset that cannot hold every character (e.g. ASCII under
     * {@code LANG=C}), a hint that names with other characters are mangled; empty otherwise.
     */
    static String namesHint(String file) {
        String jnu = System.getProperty("sun.jnu.encoding", "UTF-8");
        boolean unicode;
        try {
            unicode = Charset.forName(jnu).name().toUpperCase(Locale.ROOT).startsWith("UTF");
        } catch (RuntimeException ex) {
            unicode = false;
        }
        if (unicode || !(file.contains("?") || file.contains("\uFFFD"))) return "";
        return " (the JVM decodes file names as " + jnu + "; run under a UTF-8 locale, e.g. LC_ALL=C.UTF-8)";
    }
}

package org.dino4j.train.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * An exclusive lock on a run directory while a process writes it ({@code dino train}, {@code dino ablate}): an
 * operating-system lock on {@code DIR/.lock} (released by the OS when the process dies, kill -9 included), which
 * also holds the holder's process id for the message another process gets. Two processes resuming one run would
 * otherwise interleave their checkpoints and metrics. Within one JVM a second lock on the same directory is refused
 * as well. The file stays after the lock is released (deleting it could let two processes lock two different
 * files of the same name).
 */
public final class RunLock implements AutoCloseable {
    /** The lock file's name. */
    public static final String FILE = ".lock";
    private static final Set<Path> HELD = new HashSet<>();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks an existing directory.
     *
     * @param dir  the run directory (must exist)
     * @param what what the holder does, e.g. {@code "dino train"} (written into the lock file)
     * @throws IllegalArgumentException when another process (or this one) holds the lock, naming it
     * @throws IOException              when the lock file cannot be created
     */
    public static RunLock acquire(Path dir, String what) throws IOException {
        Path key = dir.toRealPath();
        synchronized (HELD) {
            if (HELD.contains(key)) throw inUse(dir, "this process");
            Path file = key.resolve(FILE);
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            if (l == null) {
                String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
                ch.close();
                throw inUse(dir, holder.isEmpty() ? "another process" : holder);
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " (" + what + ")\n").getBytes(StandardCharsets.UTF_8)), 0);
            HELD.add(key);
            return new RunLock(key, ch, l);
        }
    }

    private static IllegalArgumentException inUse(Path dir, String holder) {
        return new IllegalArgumentException("run directory " + dir + " is in use by " + holder
                + "; wait until it ends (or stop it) before writing to this directory");
    }

    /** Releases the lock. */
    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            try {
                if (lock.isValid()) lock.release();
                channel.close();
            } finally {
                HELD.remove(key);
            }
        }
    }
}

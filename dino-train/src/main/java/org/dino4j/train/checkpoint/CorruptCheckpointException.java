package org.dino4j.train.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The latest checkpoint of a run cannot be read (cut short by a copy, a full disk or a bad sector); names it and,
 * when there is one, the newest older checkpoint that loads, so the user can continue from that one.
 */
public final class CorruptCheckpointException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final transient Path intactPrevious;
    private final String reason;

    /**
     * @param file           the unreadable checkpoint
     * @param intactPrevious the newest older checkpoint that loads, or null
     * @param reason         why it cannot be read
     * @param cause          the failure
     */
    public CorruptCheckpointException(Path file, Path intactPrevious, String reason, Throwable cause) {
        super(message(file, intactPrevious, reason, "--resume-from"), cause);
        this.file = file;
        this.intactPrevious = intactPrevious;
        this.reason = reason;
    }

    /** @return the unreadable checkpoint */
    public Path file() {
        return file;
    }

    /** @return the newest older checkpoint that loads, if any */
    public Optional<Path> intactPrevious() {
        return Optional.ofNullable(intactPrevious);
    }

    /**
     * The message with another option to name the intact checkpoint (e.g. {@code --checkpoint} for evaluations).
     *
     * @param option the option that takes a checkpoint file
     * @return one line
     */
    public String message(String option) {
        return message(file, intactPrevious, reason, option);
    }

    private static String message(Path file, Path previous, String reason, String option) {
        return "checkpoint " + file + " is incomplete or corrupt (" + reason + ")"
                + (previous == null ? "; no older checkpoint of this run is intact"
                : "; the previous checkpoint " + previous.getFileName() + " is intact: " + option + " " + previous);
    }
}

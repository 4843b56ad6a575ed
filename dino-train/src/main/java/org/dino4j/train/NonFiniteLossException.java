package org.dino4j.train;

/** The loss became NaN or infinite: the run stops and the last good checkpoint stays the latest. */
public final class NonFiniteLossException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened, where, and what was kept. */
    public NonFiniteLossException(String message) {
        super(message);
    }
}

package io.tribune.raft.internal.core;

/**
 * The core refused a request (a proposal, a read, a change); nothing changed. The driver maps it
 * to the SPI's exceptions.
 */
public final class Rejected extends RuntimeException {
    /** Why. */
    public enum Reason {
        /** Only the leader may do this. */
        NOT_LEADER,
        /** The request is invalid or conflicts with one in progress. */
        REFUSED
    }

    private final Reason reason;

    public Rejected(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

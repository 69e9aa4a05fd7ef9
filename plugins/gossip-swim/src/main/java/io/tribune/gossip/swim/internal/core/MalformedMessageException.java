package io.tribune.gossip.swim.internal.core;

/** A packet or stream frame that is truncated, oversized, of an unknown version or otherwise invalid. */
public final class MalformedMessageException extends Exception {
    /** With a message saying what was wrong. */
    public MalformedMessageException(String message) {
        super(message, null, false, false);
    }
}

package io.tribune.api.storage;

/** What a log entry carries. */
public enum EntryKind {
    /** A state-machine command, handed to {@link io.tribune.api.consensus.StateMachine#apply}. */
    COMMAND,
    /** A cluster configuration (the set of servers), encoded by the consensus plugin. */
    CONFIGURATION,
    /** An entry with no payload, e.g. the one a new leader appends to commit its term. */
    NOOP;

    private static final EntryKind[] VALUES = values();

    /** The kind with the given ordinal, for decoding. */
    public static EntryKind ofOrdinal(int ordinal) {
        if (ordinal < 0 || ordinal >= VALUES.length) {
            throw new IllegalArgumentException("unknown entry kind " + ordinal);
        }
        return VALUES[ordinal];
    }
}

package io.tribune.api.storage;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of the replicated log.
 *
 * <p>The {@code data} array is owned by the entry once constructed: callers must not modify it
 * afterwards, and stores may keep a reference instead of copying.
 *
 * @param index position in the log, starting at 1
 * @param term  the term of the leader that created the entry, at least 1
 * @param kind  what the entry carries
 * @param data  payload; empty for {@link EntryKind#NOOP}
 */
public record LogEntry(long index, long term, EntryKind kind, byte[] data) {
    private static final byte[] EMPTY = new byte[0];

    public LogEntry {
        if (index < 1) {
            throw new IllegalArgumentException("log index must be >= 1, got " + index);
        }
        if (term < 1) {
            throw new IllegalArgumentException("term must be >= 1, got " + term);
        }
        Objects.requireNonNull(kind, "kind");
        data = data == null ? EMPTY : data;
    }

    /** The payload size in bytes. */
    public int size() {
        return data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogEntry e && e.index == index && e.term == term && e.kind == kind
                && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, term, kind, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "LogEntry[" + index + "@" + term + " " + kind + " " + data.length + "B]";
    }
}

package io.tribune.api.storage;

import java.util.List;
import java.util.Optional;

/**
 * The consensus log: a contiguous run of entries {@code firstIndex()..lastIndex()}.
 *
 * <p><b>Threading.</b> Thread-safe. Writes ({@link #append}, {@link #truncateSuffix},
 * {@link #truncatePrefix}, {@link #reset}) are issued by one writer thread at a time; reads may
 * run concurrently with writes and with each other, and a read concurrent with a write sees the
 * log either before or after that write, never a torn entry.
 *
 * <p><b>Durability.</b> For a durable store every write method returns only after its effect is
 * on stable storage; one {@link #append} of a batch costs one fsync (group commit). After a crash
 * the log is a prefix of what was appended (possibly missing a suffix of the last, unacknowledged
 * batch), never with a gap.
 */
public interface LogStore {

    /** Index of the first entry, or 0 when the log is empty. */
    long firstIndex();

    /** Index of the last entry, or 0 when the log is empty. */
    long lastIndex();

    /**
     * The entry at {@code index}, or empty when it is outside {@code firstIndex()..lastIndex()}.
     *
     * @throws CorruptionException when the stored record fails its checksum
     */
    Optional<LogEntry> get(long index);

    /**
     * Entries from {@code fromIndex} to {@code toIndex} inclusive, in order, stopping early once
     * their payloads exceed {@code maxBytes} (but always returning at least one entry when
     * {@code fromIndex} is within the log). Indices outside the log are clipped.
     */
    List<LogEntry> range(long fromIndex, long toIndex, long maxBytes);

    /**
     * Appends {@code entries}, which must have consecutive indices. On a non-empty log the first
     * must be {@code lastIndex() + 1}; on an empty log it may be any index, which becomes
     * {@code firstIndex()}. An empty list is a no-op.
     *
     * @throws IllegalArgumentException on a gap, an overlap or non-consecutive indices; nothing is written
     * @throws StorageException         on an I/O failure
     */
    void append(List<LogEntry> entries);

    /**
     * Removes entries with index {@code >= fromIndex} (a conflict found by consensus). A
     * {@code fromIndex} above {@code lastIndex()} is a no-op; {@code fromIndex == firstIndex()}
     * empties the log.
     *
     * @throws IllegalArgumentException when {@code fromIndex < firstIndex()} on a non-empty log
     *                                  (those entries are compacted); nothing is removed
     */
    void truncateSuffix(long fromIndex);

    /**
     * Removes entries with index {@code <= toIndex} (compaction after a snapshot). A
     * {@code toIndex} at or above {@code lastIndex()} empties the log.
     */
    void truncatePrefix(long toIndex);

    /**
     * Discards every entry; the next append may start at any index. Used when a follower installs a
     * snapshot newer than its whole log.
     */
    default void reset() {
        long last = lastIndex();
        if (last > 0) {
            truncatePrefix(last);
        }
    }
}

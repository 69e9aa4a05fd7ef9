package io.tribune.api.storage;

/**
 * The three stores one consensus instance uses. Created by a {@link StorageFactory}; the caller
 * closes it. After {@link #close()} every store method fails with {@link StorageException}.
 */
public interface Storage extends AutoCloseable {

    /** The log. */
    LogStore log();

    /** Term, vote and other small durable values. */
    StableStore stable();

    /** Snapshots. */
    SnapshotStore snapshots();

    /** Releases files and handles; blocks until pending writes finish. Idempotent. */
    @Override
    void close();
}

package io.tribune.storage.memory.internal;

import io.tribune.api.storage.LogStore;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.StableStore;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageException;

/** The three heap stores of one consensus instance, sharing one open/closed flag. */
public final class InMemoryStorage implements Storage {
    private final Lifecycle lifecycle = new Lifecycle();
    private final InMemoryLogStore log;
    private final InMemoryStableStore stable;
    private final InMemorySnapshotStore snapshots;

    /** Empty stores with {@code settings}. */
    public InMemoryStorage(MemorySettings settings) {
        this.log = new InMemoryLogStore(lifecycle, settings.maxEntryBytes());
        this.stable = new InMemoryStableStore(lifecycle);
        this.snapshots = new InMemorySnapshotStore(lifecycle, settings.snapshotsRetain(), settings.maxSnapshotBytes());
    }

    @Override
    public LogStore log() {
        return log;
    }

    @Override
    public StableStore stable() {
        return stable;
    }

    @Override
    public SnapshotStore snapshots() {
        return snapshots;
    }

    @Override
    public void close() {
        lifecycle.close();
    }

    /** Whether {@link #close()} has been called; every store method fails after it. */
    static final class Lifecycle {
        private volatile boolean closed;

        void close() {
            closed = true;
        }

        void check() {
            if (closed) {
                throw new StorageException("storage-memory: the storage is closed");
            }
        }
    }
}

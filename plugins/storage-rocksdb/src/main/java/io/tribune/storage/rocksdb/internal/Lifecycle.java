package io.tribune.storage.rocksdb.internal;

import io.tribune.api.storage.StorageException;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Guards native handles against use after close: every operation holds the shared side while it
 * touches RocksDB, and close takes the exclusive side. A RocksDB handle used after close crashes
 * the JVM instead of throwing, so this is not optional.
 */
final class Lifecycle {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final String what;
    private volatile boolean closed;

    Lifecycle(String what) {
        this.what = what;
    }

    /** Enters an operation; the caller must {@link #exit()} in a finally block. */
    void enter() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw new StorageException(what + " is closed");
        }
    }

    void exit() {
        lock.readLock().unlock();
    }

    /**
     * Marks closed and waits for running operations to finish.
     *
     * @return false when it was already closed
     */
    boolean closeAndWait() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }
}

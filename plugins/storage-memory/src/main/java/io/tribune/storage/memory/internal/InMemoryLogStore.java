package io.tribune.storage.memory.internal;

import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The log as an array list of entries plus the index of the first one. A read/write lock gives
 * readers a consistent view: a read concurrent with a write sees it entirely or not at all.
 */
final class InMemoryLogStore implements LogStore {
    private final InMemoryStorage.Lifecycle lifecycle;
    private final int maxEntryBytes;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final ArrayList<LogEntry> entries = new ArrayList<>();
    /** Index of entries.get(0); meaningless while the list is empty. */
    private long first;

    InMemoryLogStore(InMemoryStorage.Lifecycle lifecycle, int maxEntryBytes) {
        this.lifecycle = lifecycle;
        this.maxEntryBytes = maxEntryBytes;
    }

    @Override
    public long firstIndex() {
        lifecycle.check();
        lock.readLock().lock();
        try {
            return entries.isEmpty() ? 0 : first;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long lastIndex() {
        lifecycle.check();
        lock.readLock().lock();
        try {
            return lastLocked();
        } finally {
            lock.readLock().unlock();
        }
    }

    private long lastLocked() {
        return entries.isEmpty() ? 0 : first + entries.size() - 1;
    }

    @Override
    public Optional<LogEntry> get(long index) {
        lifecycle.check();
        lock.readLock().lock();
        try {
            if (entries.isEmpty() || index < first || index > lastLocked()) {
                return Optional.empty();
            }
            return Optional.of(entries.get((int) (index - first)));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<LogEntry> range(long fromIndex, long toIndex, long maxBytes) {
        lifecycle.check();
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
        lock.readLock().lock();
        try {
            List<LogEntry> out = new ArrayList<>();
            if (entries.isEmpty()) {
                return out;
            }
            long from = Math.max(fromIndex, first);
            long to = Math.min(toIndex, lastLocked());
            long bytes = 0;
            for (long i = from; i <= to; i++) {
                LogEntry e = entries.get((int) (i - first));
                if (!out.isEmpty() && bytes + e.size() > maxBytes) {
                    break;
                }
                bytes += e.size();
                out.add(e);
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void append(List<LogEntry> batch) {
        lifecycle.check();
        Objects.requireNonNull(batch, "entries");
        if (batch.isEmpty()) {
            return;
        }
        validateBatch(batch, maxEntryBytes);
        lock.writeLock().lock();
        try {
            long expected = lastLocked() + 1;
            long start = batch.get(0).index();
            if (!entries.isEmpty() && start != expected) {
                throw new IllegalArgumentException("append must start at index " + expected + " (lastIndex + 1), got "
                        + start + (start < expected ? " (overlap)" : " (gap)"));
            }
            if (entries.isEmpty()) {
                first = start;
            }
            entries.addAll(batch);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Checks a batch on its own (no nulls, consecutive indices, bounded sizes) before any change. */
    static void validateBatch(List<LogEntry> batch, int maxEntryBytes) {
        long prev = -1;
        for (int i = 0; i < batch.size(); i++) {
            LogEntry e = batch.get(i);
            if (e == null) {
                throw new IllegalArgumentException("entry " + i + " of the batch is null");
            }
            if (prev != -1 && e.index() != prev + 1) {
                throw new IllegalArgumentException("batch indices are not consecutive: " + prev + " then " + e.index());
            }
            if (e.size() > maxEntryBytes) {
                throw new IllegalArgumentException("entry " + e.index() + " has " + e.size()
                        + " payload bytes, above the limit of " + maxEntryBytes);
            }
            prev = e.index();
        }
        if (batch.get(batch.size() - 1).index() == Long.MAX_VALUE) {
            throw new IllegalArgumentException("log index " + Long.MAX_VALUE + " leaves no room for a successor");
        }
    }

    @Override
    public void truncateSuffix(long fromIndex) {
        lifecycle.check();
        lock.writeLock().lock();
        try {
            if (entries.isEmpty() || fromIndex > lastLocked()) {
                return;
            }
            if (fromIndex < first) {
                throw new IllegalArgumentException("cannot truncate the suffix from " + fromIndex
                        + ": entries before firstIndex " + first + " are already compacted");
            }
            entries.subList((int) (fromIndex - first), entries.size()).clear();
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void truncatePrefix(long toIndex) {
        lifecycle.check();
        if (toIndex < 0) {
            throw new IllegalArgumentException("truncatePrefix index must be >= 0, got " + toIndex);
        }
        lock.writeLock().lock();
        try {
            if (entries.isEmpty() || toIndex < first) {
                return;
            }
            if (toIndex >= lastLocked()) {
                entries.clear();
                entries.trimToSize();
                return;
            }
            entries.subList(0, (int) (toIndex - first + 1)).clear();
            first = toIndex + 1;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void reset() {
        lifecycle.check();
        lock.writeLock().lock();
        try {
            entries.clear();
            entries.trimToSize();
        } finally {
            lock.writeLock().unlock();
        }
    }
}

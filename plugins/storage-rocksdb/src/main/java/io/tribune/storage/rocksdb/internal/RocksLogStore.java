package io.tribune.storage.rocksdb.internal;

import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The log in the {@code log} column family, one record per index (see {@link LogCodec}).
 *
 * <p>Every write is one {@link WriteBatch} written with {@code sync=true}: a batch of entries costs
 * one fsync of the write-ahead log and is atomic across a crash. {@code firstIndex}/{@code lastIndex}
 * are cached in volatile fields, read from the database at open and updated only after a write
 * succeeded, so a failed write leaves them (and the log) as they were.
 *
 * <p>After a prefix truncation the deleted range is compacted on one background thread owned by
 * this store (RocksDB I/O must not run on platform scheduler threads); requests arriving while one
 * runs are merged into one more run, so compaction never queues up behind a busy writer.
 */
final class RocksLogStore implements LogStore {
    private final RocksDB db;
    private final ColumnFamilyHandle cf;
    private final List<ColumnFamilyHandle> allCfs;
    private final WriteOptions syncWrites;
    private final Lifecycle lifecycle;
    private final int maxEntryBytes;
    private final String where;
    private final System.Logger logger;
    private final Object writeLock = new Object();
    private final ExecutorService compactor;
    private final AtomicBoolean compactionPending = new AtomicBoolean();
    private volatile long first;
    private volatile long last;

    RocksLogStore(RocksDB db, ColumnFamilyHandle cf, List<ColumnFamilyHandle> allCfs, WriteOptions syncWrites,
                  Lifecycle lifecycle, RocksSettings settings, String where, System.Logger logger) {
        this.db = db;
        this.cf = cf;
        this.allCfs = List.copyOf(allCfs);
        this.syncWrites = syncWrites;
        this.lifecycle = lifecycle;
        this.maxEntryBytes = settings.maxEntryBytes();
        this.where = where;
        this.logger = logger;
        if (settings.compactionEnabled()) {
            this.compactor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "storage-rocksdb-compaction");
                t.setDaemon(true);
                return t;
            });
        } else {
            this.compactor = null;
        }
        loadBounds();
    }

    private void loadBounds() {
        try (RocksIterator it = db.newIterator(cf)) {
            it.seekToFirst();
            checkIterator(it);
            if (!it.isValid()) {
                first = 0;
                last = 0;
                return;
            }
            first = LogCodec.index(it.key());
            it.seekToLast();
            checkIterator(it);
            last = LogCodec.index(it.key());
        }
        // Writes are whole batches of consecutive keys and truncations remove ranges, so the keys
        // between the bounds are contiguous; a missing one is reported as corruption by get/range
        // rather than scanning the whole log here at every start.
    }

    private void checkIterator(RocksIterator it) {
        try {
            it.status();
        } catch (RocksDBException e) {
            throw RocksStorage.translate(where + ": reading the log", e);
        }
    }

    @Override
    public long firstIndex() {
        lifecycle.enter();
        try {
            return last == 0 ? 0 : first;
        } finally {
            lifecycle.exit();
        }
    }

    @Override
    public long lastIndex() {
        lifecycle.enter();
        try {
            return last;
        } finally {
            lifecycle.exit();
        }
    }

    @Override
    public Optional<LogEntry> get(long index) {
        lifecycle.enter();
        try {
            long l = last;
            if (l == 0 || index < first || index > l) {
                return Optional.empty();
            }
            byte[] v = db.get(cf, LogCodec.key(index));
            if (v == null) {
                // Raced with a truncation, or the record is missing inside the bounds.
                long f2 = first;
                long l2 = last;
                if (l2 != 0 && index >= f2 && index <= l2) {
                    throw new io.tribune.api.storage.CorruptionException(where + ": log record at index " + index
                            + " is missing although the log spans " + f2 + ".." + l2);
                }
                return Optional.empty();
            }
            return Optional.of(LogCodec.decode(index, v, where));
        } catch (RocksDBException e) {
            throw RocksStorage.translate(where + ": reading log index " + index, e);
        } finally {
            lifecycle.exit();
        }
    }

    @Override
    public List<LogEntry> range(long fromIndex, long toIndex, long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
        lifecycle.enter();
        try {
            List<LogEntry> out = new ArrayList<>();
            if (fromIndex > toIndex || toIndex < 1) {
                return out;
            }
            long from = Math.max(fromIndex, 1);
            // An iterator reads one consistent point-in-time view, so a concurrent write is seen
            // entirely or not at all.
            try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(cf, ro)) {
                long expected = -1;
                long bytes = 0;
                for (it.seek(LogCodec.key(from)); it.isValid(); it.next()) {
                    long index = LogCodec.index(it.key());
                    if (index > toIndex) {
                        break;
                    }
                    if (expected != -1 && index != expected) {
                        throw new io.tribune.api.storage.CorruptionException(where + ": log records " + expected
                                + ".." + (index - 1) + " are missing");
                    }
                    LogEntry e = LogCodec.decode(index, it.value(), where);
                    if (!out.isEmpty() && bytes + e.size() > maxBytes) {
                        break;
                    }
                    bytes += e.size();
                    out.add(e);
                    expected = index + 1;
                }
                checkIterator(it);
            }
            return out;
        } finally {
            lifecycle.exit();
        }
    }

    @Override
    public void append(List<LogEntry> batch) {
        Objects.requireNonNull(batch, "entries");
        if (batch.isEmpty()) {
            lifecycle.enter();
            lifecycle.exit();
            return;
        }
        validateBatch(batch);
        lifecycle.enter();
        try {
            synchronized (writeLock) {
                long l = last;
                long start = batch.get(0).index();
                if (l != 0 && start != l + 1) {
                    throw new IllegalArgumentException("append must start at index " + (l + 1)
                            + " (lastIndex + 1), got " + start + (start <= l ? " (overlap)" : " (gap)"));
                }
                try (WriteBatch wb = new WriteBatch()) {
                    for (LogEntry e : batch) {
                        wb.put(cf, LogCodec.key(e.index()), LogCodec.encode(e));
                    }
                    db.write(syncWrites, wb);
                } catch (RocksDBException e) {
                    throw RocksStorage.translate(where + ": appending entries " + start + ".."
                            + batch.get(batch.size() - 1).index() + " failed; nothing was acknowledged", e);
                }
                if (l == 0) {
                    first = start;
                }
                last = batch.get(batch.size() - 1).index();
            }
        } finally {
            lifecycle.exit();
        }
    }

    private void validateBatch(List<LogEntry> batch) {
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
                        + " payload bytes, above the limit of " + maxEntryBytes + " (storage-rocksdb.log.max-entry-bytes)");
            }
            prev = e.index();
        }
        if (prev == Long.MAX_VALUE) {
            throw new IllegalArgumentException("log index " + Long.MAX_VALUE + " leaves no room for a successor");
        }
    }

    @Override
    public void truncateSuffix(long fromIndex) {
        lifecycle.enter();
        try {
            synchronized (writeLock) {
                long f = first;
                long l = last;
                if (l == 0 || fromIndex > l) {
                    return;
                }
                if (fromIndex < f) {
                    throw new IllegalArgumentException("cannot truncate the suffix from " + fromIndex
                            + ": entries before firstIndex " + f + " are already compacted");
                }
                deleteRange(fromIndex, l, "truncating the suffix from " + fromIndex);
                if (fromIndex == f) {
                    first = 0;
                    last = 0;
                } else {
                    last = fromIndex - 1;
                }
            }
        } finally {
            lifecycle.exit();
        }
    }

    @Override
    public void truncatePrefix(long toIndex) {
        if (toIndex < 0) {
            throw new IllegalArgumentException("truncatePrefix index must be >= 0, got " + toIndex);
        }
        lifecycle.enter();
        try {
            synchronized (writeLock) {
                long f = first;
                long l = last;
                if (l == 0 || toIndex < f) {
                    return;
                }
                long to = Math.min(toIndex, l);
                deleteRange(f, to, "truncating the prefix up to " + toIndex);
                if (to == l) {
                    first = 0;
                    last = 0;
                } else {
                    first = to + 1;
                }
                requestCompaction();
            }
        } finally {
            lifecycle.exit();
        }
    }

    @Override
    public void reset() {
        lifecycle.enter();
        try {
            synchronized (writeLock) {
                long l = last;
                if (l == 0) {
                    return;
                }
                deleteRange(first, l, "resetting the log");
                first = 0;
                last = 0;
                requestCompaction();
            }
        } finally {
            lifecycle.exit();
        }
    }

    /** Deletes keys {@code from..to} inclusive in one synced batch. */
    private void deleteRange(long from, long to, String what) {
        try (WriteBatch wb = new WriteBatch()) {
            // deleteRange's end is exclusive; to + 1 cannot overflow since appends stop below Long.MAX_VALUE.
            wb.deleteRange(cf, LogCodec.key(from), LogCodec.key(to + 1));
            db.write(syncWrites, wb);
        } catch (RocksDBException e) {
            throw RocksStorage.translate(where + ": " + what + " failed; the log is unchanged", e);
        }
    }

    private void requestCompaction() {
        if (compactor == null || compactor.isShutdown() || !compactionPending.compareAndSet(false, true)) {
            return;
        }
        try {
            compactor.execute(this::compactNow);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            compactionPending.set(false);
        }
    }

    /**
     * Flushes the memtables (so the deleted entries and their WAL segments leave memory and disk) and
     * compacts the whole log key range, which drops the range tombstone and the records under it.
     */
    private void compactNow() {
        compactionPending.set(false);
        try {
            lifecycle.enter();
        } catch (RuntimeException closed) {
            return;
        }
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            // Every column family: a WAL file is deleted only once no family has unflushed data in it.
            db.flush(fo, allCfs);
            db.compactRange(cf);
        } catch (RocksDBException e) {
            // Compaction only reclaims space; the log stays correct without it. Say so and go on.
            logger.log(System.Logger.Level.WARNING, where + ": background compaction after truncation failed: " + e);
        } finally {
            lifecycle.exit();
        }
    }

    /** Stops the compaction thread, waiting for a running compaction to finish. */
    void stopCompactions() {
        if (compactor == null) {
            return;
        }
        compactor.shutdown();
        try {
            if (!compactor.awaitTermination(60, TimeUnit.SECONDS)) {
                logger.log(System.Logger.Level.WARNING, where + ": compaction still running after 60 s at close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

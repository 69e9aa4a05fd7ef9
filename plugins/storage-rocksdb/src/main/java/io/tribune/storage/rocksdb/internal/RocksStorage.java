package io.tribune.storage.rocksdb.internal;

import io.tribune.api.storage.CorruptionException;
import io.tribune.api.storage.LogStore;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.StableStore;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.WriteOptions;

/**
 * One durable storage: a RocksDB database in {@code <dataDir>/rocksdb} with a {@code log} and a
 * {@code stable} column family, and a {@link FileSnapshotStore} in {@code <dataDir>/snapshots}.
 *
 * <p>Keeping both in one database lets them share one write-ahead log, so a term change and an
 * append are ordered on disk as they were issued.
 */
public final class RocksStorage implements Storage {
    /** Column family of the log. */
    public static final String LOG_CF = "log";
    /** Column family of the stable store. */
    public static final String STABLE_CF = "stable";
    /** Key in the default column family holding the on-disk format version. */
    static final byte[] FORMAT_KEY = "tribune.storage.format".getBytes(StandardCharsets.UTF_8);
    static final byte[] FORMAT_VERSION = {1};

    static {
        // Once per class loader: a second bundle or module layer gets its own copy of the classes and loads again.
        RocksDB.loadLibrary();
    }

    private final Lifecycle lifecycle;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions defaultCfOptions;
    private final ColumnFamilyOptions logCfOptions;
    private final ColumnFamilyOptions stableCfOptions;
    private final WriteOptions syncWrites;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    private final RocksLogStore log;
    private final RocksStableStore stable;
    private final FileSnapshotStore snapshots;

    private RocksStorage(Path dataDir, RocksSettings settings, System.Logger logger) {
        Path dbDir = dataDir.resolve("rocksdb");
        String where = "storage-rocksdb at " + dbDir;
        this.lifecycle = new Lifecycle(where);
        this.dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setParanoidChecks(true)
                // Bounds the WAL kept for column families that are rarely flushed (stable).
                .setMaxTotalWalSize(64L << 20)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL).setKeepLogFileNum(3).setMaxLogFileSize(1L << 20);
        this.defaultCfOptions = new ColumnFamilyOptions();
        this.logCfOptions = new ColumnFamilyOptions().setWriteBufferSize(settings.writeBufferBytes());
        this.stableCfOptions = new ColumnFamilyOptions().setWriteBufferSize(1L << 20);
        this.syncWrites = new WriteOptions().setSync(true);
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, defaultCfOptions),
                new ColumnFamilyDescriptor(LOG_CF.getBytes(StandardCharsets.UTF_8), logCfOptions),
                new ColumnFamilyDescriptor(STABLE_CF.getBytes(StandardCharsets.UTF_8), stableCfOptions));
        this.handles = new ArrayList<>();
        RocksDB opened = null;
        try {
            Files.createDirectories(dbDir);
            opened = RocksDB.open(dbOptions, dbDir.toString(), descriptors, handles);
            checkFormat(opened, where);
            this.db = opened;
            this.log = new RocksLogStore(db, handles.get(1), handles, syncWrites, lifecycle, settings, where, logger);
            this.stable = new RocksStableStore(db, handles.get(2), syncWrites, lifecycle, where);
            this.snapshots = new FileSnapshotStore(dataDir.resolve("snapshots"), settings, lifecycle);
        } catch (RocksDBException e) {
            closeNative(opened);
            throw translate("cannot open " + where, e);
        } catch (java.io.IOException e) {
            closeNative(opened);
            throw new StorageException("cannot open " + where + ": " + e, e);
        } catch (RuntimeException e) {
            closeNative(opened);
            throw e;
        }
    }

    /**
     * Opens the storage in {@code dataDir}.
     *
     * @throws StorageException when the files cannot be opened or are corrupt
     */
    public static RocksStorage open(Path dataDir, RocksSettings settings, System.Logger logger) {
        return new RocksStorage(dataDir, settings, logger);
    }

    private void checkFormat(RocksDB opened, String where) throws RocksDBException {
        byte[] v = opened.get(FORMAT_KEY);
        if (v == null) {
            opened.put(syncWrites, FORMAT_KEY, FORMAT_VERSION);
        } else if (!Arrays.equals(v, FORMAT_VERSION)) {
            throw new CorruptionException(where + " has storage format " + Arrays.toString(v)
                    + ", this plugin reads format " + Arrays.toString(FORMAT_VERSION));
        }
    }

    /**
     * A {@link StorageException} for a RocksDB failure, saying plainly when the disk is full or an
     * I/O error occurred, since those need an operator.
     */
    static StorageException translate(String what, RocksDBException e) {
        Status s = e.getStatus();
        String code = s == null ? "unknown" : s.getCodeString();
        String detail = e.getMessage();
        if (s != null && (s.getSubCode() == Status.SubCode.NoSpace || String.valueOf(detail).contains("No space left"))) {
            return new StorageException(what + ": the disk is full (" + detail + ")", e);
        }
        if (s != null && s.getCode() == Status.Code.Corruption) {
            return new CorruptionException(what + ": RocksDB reports corruption: " + detail, e);
        }
        if (s != null && s.getCode() == Status.Code.IOError) {
            return new StorageException(what + ": I/O error: " + detail, e);
        }
        return new StorageException(what + ": " + code + ": " + detail, e);
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

    /** Waits for running operations and the background compaction, then frees every native handle. */
    @Override
    public void close() {
        log.stopCompactions();
        if (!lifecycle.closeAndWait()) {
            return;
        }
        snapshots.abortOpenWriters();
        closeNative(db);
    }

    private void closeNative(RocksDB opened) {
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        handles.clear();
        if (opened != null) {
            opened.close();
        }
        syncWrites.close();
        logCfOptions.close();
        stableCfOptions.close();
        defaultCfOptions.close();
        dbOptions.close();
    }
}

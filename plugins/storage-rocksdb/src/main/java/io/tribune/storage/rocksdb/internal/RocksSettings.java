package io.tribune.storage.rocksdb.internal;

import io.tribune.api.PluginConfig;
import java.util.List;

/**
 * Typed settings of the {@code storage-rocksdb} plugin, parsed and validated from its configuration.
 *
 * @param snapshotsRetain   committed snapshots kept, newest first ({@code storage-rocksdb.snapshots.retain},
 *                          default 2: the newest plus one to fall back on if the newest proves unreadable)
 * @param maxSnapshotBytes  largest accepted snapshot in bytes ({@code storage-rocksdb.snapshots.max-bytes},
 *                          default 64 GiB: a runaway writer fails before it fills the disk)
 * @param maxEntryBytes     largest accepted log entry payload in bytes ({@code storage-rocksdb.log.max-entry-bytes},
 *                          default 16 MiB)
 * @param writeBufferBytes  memtable size of the log column family in bytes
 *                          ({@code storage-rocksdb.log.write-buffer-bytes}, default 8 MiB, at least 1 MiB)
 * @param compactionEnabled compact after prefix truncation ({@code storage-rocksdb.compaction.enabled}, default true)
 */
public record RocksSettings(int snapshotsRetain, long maxSnapshotBytes, int maxEntryBytes, long writeBufferBytes,
                            boolean compactionEnabled) {
    static final String PREFIX = "storage-rocksdb.";
    /** Config key of {@link #snapshotsRetain()}. */
    public static final String RETAIN = PREFIX + "snapshots.retain";
    static final String MAX_SNAPSHOT = PREFIX + "snapshots.max-bytes";
    static final String MAX_ENTRY = PREFIX + "log.max-entry-bytes";
    static final String WRITE_BUFFER = PREFIX + "log.write-buffer-bytes";
    static final String COMPACTION = PREFIX + "compaction.enabled";
    private static final List<String> KNOWN = List.of(RETAIN, MAX_SNAPSHOT, MAX_ENTRY, WRITE_BUFFER, COMPACTION);

    /** Validates the values, naming the config key of a bad one. */
    public RocksSettings {
        if (snapshotsRetain < 1 || snapshotsRetain > 1000) {
            throw new IllegalArgumentException("config key '" + RETAIN + "': " + snapshotsRetain
                    + " is out of range 1..1000");
        }
        if (maxSnapshotBytes < 1) {
            throw new IllegalArgumentException("config key '" + MAX_SNAPSHOT + "': " + maxSnapshotBytes + " must be >= 1");
        }
        // A payload must fit in one RocksDB value with our header; 1 GiB is far beyond any sane entry.
        if (maxEntryBytes < 1 || maxEntryBytes > (1 << 30)) {
            throw new IllegalArgumentException("config key '" + MAX_ENTRY + "': " + maxEntryBytes
                    + " is out of range 1.." + (1 << 30));
        }
        if (writeBufferBytes < (1 << 20) || writeBufferBytes > (1L << 32)) {
            throw new IllegalArgumentException("config key '" + WRITE_BUFFER + "': " + writeBufferBytes
                    + " is out of range " + (1 << 20) + ".." + (1L << 32));
        }
    }

    /** Reads the plugin's keys from {@code config}; an unknown key under the prefix is refused (likely a typo). */
    public static RocksSettings from(PluginConfig config) {
        for (String key : config.keys()) {
            if (key.startsWith(PREFIX) && !KNOWN.contains(key)) {
                throw new IllegalArgumentException("config key '" + key + "' is unknown; known keys: " + KNOWN);
            }
        }
        return new RocksSettings(config.getInt(RETAIN, 2), config.getLong(MAX_SNAPSHOT, 64L << 30),
                config.getInt(MAX_ENTRY, 16 << 20), config.getLong(WRITE_BUFFER, 8L << 20),
                config.getBoolean(COMPACTION, true));
    }
}

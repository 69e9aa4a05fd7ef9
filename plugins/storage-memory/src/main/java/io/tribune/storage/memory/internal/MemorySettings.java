package io.tribune.storage.memory.internal;

import io.tribune.api.PluginConfig;

/**
 * Typed settings of the {@code storage-memory} plugin, parsed and validated from its configuration.
 *
 * @param snapshotsRetain  committed snapshots kept, newest first ({@code storage-memory.snapshots.retain},
 *                         default 2: the newest plus one to fall back on while a follower still reads it)
 * @param maxEntryBytes    largest accepted log entry payload in bytes ({@code storage-memory.log.max-entry-bytes},
 *                         default 16 MiB: far above any sane command, low enough to stop a runaway caller)
 * @param maxSnapshotBytes largest accepted snapshot in bytes ({@code storage-memory.snapshots.max-bytes},
 *                         default 1 GiB; at most {@code Integer.MAX_VALUE - 8} since it lives in one array)
 */
public record MemorySettings(int snapshotsRetain, int maxEntryBytes, long maxSnapshotBytes) {
    static final String PREFIX = "storage-memory.";
    static final String RETAIN = PREFIX + "snapshots.retain";
    static final String MAX_ENTRY = PREFIX + "log.max-entry-bytes";
    static final String MAX_SNAPSHOT = PREFIX + "snapshots.max-bytes";
    private static final long ARRAY_LIMIT = Integer.MAX_VALUE - 8L;

    /** Validates the values, naming the config key of a bad one. */
    public MemorySettings {
        if (snapshotsRetain < 1 || snapshotsRetain > 1000) {
            throw new IllegalArgumentException("config key '" + RETAIN + "': " + snapshotsRetain
                    + " is out of range 1..1000");
        }
        if (maxEntryBytes < 1) {
            throw new IllegalArgumentException("config key '" + MAX_ENTRY + "': " + maxEntryBytes + " must be >= 1");
        }
        if (maxSnapshotBytes < 1 || maxSnapshotBytes > ARRAY_LIMIT) {
            throw new IllegalArgumentException("config key '" + MAX_SNAPSHOT + "': " + maxSnapshotBytes
                    + " is out of range 1.." + ARRAY_LIMIT);
        }
    }

    /**
     * Reads the plugin's keys from {@code config}; unknown keys under the prefix are refused so that a
     * typo does not silently fall back to a default.
     */
    public static MemorySettings from(PluginConfig config) {
        for (String key : config.keys()) {
            if (key.startsWith(PREFIX) && !key.equals(RETAIN) && !key.equals(MAX_ENTRY) && !key.equals(MAX_SNAPSHOT)) {
                throw new IllegalArgumentException("config key '" + key + "' is unknown; known keys: "
                        + RETAIN + ", " + MAX_ENTRY + ", " + MAX_SNAPSHOT);
            }
        }
        return new MemorySettings(config.getInt(RETAIN, 2), config.getInt(MAX_ENTRY, 16 << 20),
                config.getLong(MAX_SNAPSHOT, 1L << 30));
    }
}

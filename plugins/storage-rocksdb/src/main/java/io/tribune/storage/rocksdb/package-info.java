/**
 * Entry point of the {@code storage-rocksdb} plugin: {@link io.tribune.storage.rocksdb.RocksStoragePlugin}
 * and its factory {@link io.tribune.storage.rocksdb.RocksStorageFactory}.
 *
 * <p>Files under the plugin's data directory: {@code rocksdb/} (column families {@code log} and
 * {@code stable}) and {@code snapshots/} ({@code *.snap} files; {@code *.tmp} are unfinished writes,
 * removed at start-up).
 *
 * <p>Configuration keys (all optional):
 * <ul>
 *   <li>{@code storage-rocksdb.snapshots.retain}: committed snapshots kept, newest first; default 2, 1..1000.</li>
 *   <li>{@code storage-rocksdb.snapshots.max-bytes}: largest accepted snapshot; default 64 GiB.</li>
 *   <li>{@code storage-rocksdb.log.max-entry-bytes}: largest accepted entry payload; default 16 MiB.</li>
 *   <li>{@code storage-rocksdb.log.write-buffer-bytes}: memtable size of the log column family;
 *       default 8 MiB (bounds the memory and the WAL replayed at start-up; at 6,000 entries/s of
 *       ~200 bytes a memtable still holds several seconds of log).</li>
 *   <li>{@code storage-rocksdb.compaction.enabled}: compact the log's key range on a background
 *       thread after a prefix truncation, so disk use follows the live log; default true.</li>
 * </ul>
 */
package io.tribune.storage.rocksdb;

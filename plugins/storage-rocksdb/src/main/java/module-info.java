/**
 * The {@code storage-rocksdb} plugin: durable Raft storage. The log and the stable store live in
 * RocksDB column families written with {@code sync=true} (one fsync per appended batch); snapshots
 * are checksummed files written under a temporary name, fsynced and renamed atomically. Every
 * stored record carries a CRC-32C, so corruption is reported with its location.
 *
 * <p>Provides {@link io.tribune.api.Plugin} (through {@code ServiceLoader}, and as an OSGi service
 * registered by its bundle activator). Exports {@code io.tribune.storage.rocksdb}, which holds the
 * plugin entry point and its {@link io.tribune.api.storage.StorageFactory}; the implementation is
 * internal. Requires {@code rocksdbjni} (an automatic module).
 */
module io.tribune.storage.rocksdb {
    requires transitive io.tribune.api;
    requires rocksdbjni;
    requires static osgi.core;

    exports io.tribune.storage.rocksdb;

    provides io.tribune.api.Plugin with io.tribune.storage.rocksdb.RocksStoragePlugin;
}

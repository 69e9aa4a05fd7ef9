package io.tribune.storage.rocksdb;

import io.tribune.api.storage.StorageFactory;
import io.tribune.tck.storage.SnapshotStoreConformanceTest;

/** Runs the kit's snapshot store suite against {@code storage-rocksdb}. */
class RocksSnapshotStoreTest extends SnapshotStoreConformanceTest {
    @Override
    protected StorageFactory factory() {
        return new RocksStorageFactory();
    }
}

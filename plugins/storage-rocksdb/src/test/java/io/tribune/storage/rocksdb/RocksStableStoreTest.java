package io.tribune.storage.rocksdb;

import io.tribune.api.storage.StorageFactory;
import io.tribune.tck.storage.StableStoreConformanceTest;

/** Runs the kit's stable store suite against {@code storage-rocksdb}. */
class RocksStableStoreTest extends StableStoreConformanceTest {
    @Override
    protected StorageFactory factory() {
        return new RocksStorageFactory();
    }
}

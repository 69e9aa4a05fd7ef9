package io.tribune.storage.rocksdb;

import io.tribune.api.storage.StorageFactory;
import io.tribune.tck.storage.LogStoreConformanceTest;

/** Runs the kit's log store suite against {@code storage-rocksdb}. */
class RocksLogStoreTest extends LogStoreConformanceTest {
    @Override
    protected StorageFactory factory() {
        return new RocksStorageFactory();
    }
}

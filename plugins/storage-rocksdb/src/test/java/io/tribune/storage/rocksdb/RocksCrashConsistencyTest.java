package io.tribune.storage.rocksdb;

import io.tribune.api.storage.StorageFactory;
import io.tribune.tck.storage.CrashConsistencyConformanceTest;

/** Runs the kit's crash-consistency suite against {@code storage-rocksdb}. */
class RocksCrashConsistencyTest extends CrashConsistencyConformanceTest {
    @Override
    protected StorageFactory factory() {
        return new RocksStorageFactory();
    }
}

package io.tribune.storage.memory;

import io.tribune.api.storage.StorageFactory;
import io.tribune.tck.storage.StableStoreConformanceTest;

/** Runs the kit's stable store suite against {@code storage-memory}. */
class InMemoryStableStoreTest extends StableStoreConformanceTest {
    @Override
    protected StorageFactory factory() {
        return new InMemoryStorageFactory();
    }
}

package io.tribune.storage.memory;

import io.tribune.api.storage.StorageFactory;
import io.tribune.tck.storage.LogStoreConformanceTest;

/** Runs the kit's log store suite against {@code storage-memory}. */
class InMemoryLogStoreTest extends LogStoreConformanceTest {
    @Override
    protected StorageFactory factory() {
        return new InMemoryStorageFactory();
    }
}

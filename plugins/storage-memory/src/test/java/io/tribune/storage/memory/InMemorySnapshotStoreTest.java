package io.tribune.storage.memory;

import io.tribune.api.storage.StorageFactory;
import io.tribune.tck.storage.SnapshotStoreConformanceTest;

/** Runs the kit's snapshot store suite against {@code storage-memory}. */
class InMemorySnapshotStoreTest extends SnapshotStoreConformanceTest {
    @Override
    protected StorageFactory factory() {
        return new InMemoryStorageFactory();
    }
}

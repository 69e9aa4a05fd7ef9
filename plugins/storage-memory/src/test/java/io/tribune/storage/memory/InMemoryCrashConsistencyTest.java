package io.tribune.storage.memory;

import io.tribune.api.storage.StorageFactory;
import io.tribune.tck.storage.CrashConsistencyConformanceTest;

/** Runs the kit's crash consistency (skipped with its reason: this plugin is not durable) suite against {@code storage-memory}. */
class InMemoryCrashConsistencyTest extends CrashConsistencyConformanceTest {
    @Override
    protected StorageFactory factory() {
        return new InMemoryStorageFactory();
    }
}

package com.example.journal;

import io.tribune.api.storage.StorageFactory;
import io.tribune.tck.storage.SnapshotStoreConformanceTest;

/** Runs the storage conformance kit's SnapshotStore suite against storage-journal. */
class JournalSnapshotStoreTest extends SnapshotStoreConformanceTest {
    @Override
    protected StorageFactory factory() {
        return new JournalPlugin().storageFactories().get(0);
    }
}

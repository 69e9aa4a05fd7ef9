package com.example.journal;

import io.tribune.api.storage.StorageFactory;
import io.tribune.tck.storage.StableStoreConformanceTest;

/** Runs the storage conformance kit's StableStore suite against storage-journal. */
class JournalStableStoreTest extends StableStoreConformanceTest {
    @Override
    protected StorageFactory factory() {
        return new JournalPlugin().storageFactories().get(0);
    }
}

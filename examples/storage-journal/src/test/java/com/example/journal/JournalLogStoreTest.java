package com.example.journal;

import io.tribune.api.storage.StorageFactory;
import io.tribune.tck.storage.LogStoreConformanceTest;

/** Runs the storage conformance kit's LogStore suite against storage-journal. */
class JournalLogStoreTest extends LogStoreConformanceTest {
    @Override
    protected StorageFactory factory() {
        return new JournalPlugin().storageFactories().get(0);
    }
}

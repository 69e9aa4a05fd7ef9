package com.example.journal;

import io.tribune.api.storage.StorageFactory;
import io.tribune.tck.storage.CrashConsistencyConformanceTest;

/** Runs the storage conformance kit's CrashConsistency suite against storage-journal. */
class JournalCrashConsistencyTest extends CrashConsistencyConformanceTest {
    @Override
    protected StorageFactory factory() {
        return new JournalPlugin().storageFactories().get(0);
    }
}

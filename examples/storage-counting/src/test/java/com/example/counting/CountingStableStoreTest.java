package com.example.counting;

import io.tribune.api.Metrics;
import io.tribune.api.PluginContext;
import io.tribune.api.storage.StorageFactory;
import io.tribune.tck.storage.StableStoreConformanceTest;
import java.nio.file.Path;

/** The storage kit's StableStore suite over storage-counting wrapping storage-memory. */
class CountingStableStoreTest extends StableStoreConformanceTest {
    @Override
    protected StorageFactory factory() {
        return new CountingPlugin().storageFactories().get(0);
    }

    @Override
    protected PluginContext context(Path dir) {
        return new HostContext(super.context(dir), Metrics.noop());
    }
}

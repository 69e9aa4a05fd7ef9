package io.tribune.storage.rocksdb;

import io.tribune.api.Capability;
import io.tribune.api.Plugin;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import io.tribune.api.storage.StorageFactory;
import java.util.List;

/**
 * The {@code storage-rocksdb} plugin: offers one durable {@link StorageFactory},
 * {@link RocksStorageFactory}.
 *
 * <p>Cheap to construct: the native library is loaded only when a storage is first created.
 */
public final class RocksStoragePlugin implements Plugin {
    /** The plugin's (and its factory's) name. */
    public static final String NAME = "storage-rocksdb";

    private static final PluginDescriptor DESCRIPTOR = PluginDescriptor.of(NAME, "0.1.0",
            "Durable Raft log and stable store on RocksDB (fsync per batch), checksummed snapshot files",
            SpiKind.STORAGE).withCapabilities(Capability.DURABLE);

    private final RocksStorageFactory factory = new RocksStorageFactory();

    /** Creates the plugin; used by {@code ServiceLoader} and by the OSGi activator. */
    public RocksStoragePlugin() {
    }

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public List<StorageFactory> storageFactories() {
        return List.of(factory);
    }
}

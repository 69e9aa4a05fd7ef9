package io.tribune.storage.memory;

import io.tribune.api.Plugin;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import io.tribune.api.storage.StorageFactory;
import java.util.List;

/**
 * The {@code storage-memory} plugin: offers one {@link StorageFactory}, {@link InMemoryStorageFactory}.
 * Its descriptor is not durable.
 *
 * <p>Cheap to construct, holds no resources; the host may create it once per process.
 */
public final class InMemoryStoragePlugin implements Plugin {
    /** The plugin's (and its factory's) name. */
    public static final String NAME = "storage-memory";

    private static final PluginDescriptor DESCRIPTOR = PluginDescriptor.of(NAME, "0.1.0",
            "In-memory Raft log, stable and snapshot stores for -dev and tests; NOT durable: data is lost on exit",
            SpiKind.STORAGE).withCapabilities(); // capabilities: none (not durable, restart to update)

    private final InMemoryStorageFactory factory = new InMemoryStorageFactory();

    /** Creates the plugin; used by {@code ServiceLoader} and by the OSGi activator. */
    public InMemoryStoragePlugin() {
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

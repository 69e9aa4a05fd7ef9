package io.tribune.storage.memory;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageFactory;
import io.tribune.storage.memory.internal.InMemoryStorage;
import io.tribune.storage.memory.internal.MemorySettings;

/**
 * Creates heap-only {@link Storage} instances. Not {@link #durable() durable}; ignores
 * {@link PluginContext#dataDir()}. Each {@link #create} returns a new, empty storage.
 *
 * <p>Thread-safe and stateless.
 */
public final class InMemoryStorageFactory implements StorageFactory {

    /** Creates the factory. */
    public InMemoryStorageFactory() {
    }

    @Override
    public String name() {
        return InMemoryStoragePlugin.NAME;
    }

    /** Always {@code false}: nothing survives the process. */
    @Override
    public boolean durable() {
        return false;
    }

    /**
     * A new, empty storage configured from the keys prefixed {@code storage-memory.}.
     *
     * @throws IllegalArgumentException for a bad value, naming the key
     */
    @Override
    public Storage create(PluginConfig config, PluginContext context) {
        return new InMemoryStorage(MemorySettings.from(config));
    }

    /**
     * A new, empty storage with default settings, for tests of other modules that need a store and
     * no platform context.
     */
    public static Storage newStorage() {
        return new InMemoryStorage(MemorySettings.from(PluginConfig.empty()));
    }
}

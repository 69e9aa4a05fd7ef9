package io.tribune.api.storage;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.ProviderFactory;

/**
 * Creates {@link Storage} instances. Implemented by storage plugins.
 *
 * <p>Configuration keys are prefixed with the factory's name, e.g.
 * {@code storage-rocksdb.snapshots.retain}.
 */
public interface StorageFactory extends ProviderFactory {

    /** Whether data written survives a crash (fsync on every write). */
    boolean durable();

    /**
     * Opens (creating if needed) the storage of one consensus instance. A durable factory keeps its
     * files under {@link PluginContext#dataDir()} and fails when it is empty.
     *
     * @throws IllegalArgumentException for bad configuration, naming the key
     * @throws StorageException         when the files cannot be opened or are corrupt
     */
    Storage create(PluginConfig config, PluginContext context);
}

package io.tribune.storage.rocksdb;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageException;
import io.tribune.api.storage.StorageFactory;
import io.tribune.storage.rocksdb.internal.RocksSettings;
import io.tribune.storage.rocksdb.internal.RocksStorage;
import java.nio.file.Path;

/**
 * Opens durable storages under {@link PluginContext#dataDir()}. A data directory may be opened by
 * one storage at a time (RocksDB locks it; a second open fails with {@link StorageException}).
 *
 * <p>Thread-safe and stateless.
 */
public final class RocksStorageFactory implements StorageFactory {

    /** Creates the factory. */
    public RocksStorageFactory() {
    }

    @Override
    public String name() {
        return RocksStoragePlugin.NAME;
    }

    /** Always {@code true}: every write method returns after an fsync. */
    @Override
    public boolean durable() {
        return true;
    }

    /**
     * Opens (creating if needed) the storage in the context's data directory.
     *
     * @throws IllegalArgumentException for a bad configuration value, naming the key
     * @throws StorageException         when there is no data directory, or the files cannot be opened
     *                                  or are corrupt
     */
    @Override
    public Storage create(PluginConfig config, PluginContext context) {
        RocksSettings settings = RocksSettings.from(config);
        Path dir = context.dataDir().orElseThrow(() -> new StorageException(RocksStoragePlugin.NAME
                + " is durable and needs a data directory, but the agent runs without one (dev mode?); "
                + "set a data directory or select storage-memory"));
        return RocksStorage.open(dir, settings, context.logger(RocksStoragePlugin.NAME));
    }
}

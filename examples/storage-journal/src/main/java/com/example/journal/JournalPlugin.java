package com.example.journal;

import com.example.journal.internal.JournalStorage;
import io.tribune.api.Plugin;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageException;
import io.tribune.api.storage.StorageFactory;
import java.util.List;

/**
 * The plugin's entry point: one storage factory named {@code storage-journal}.
 *
 * <p>Durability: every write returns after an fsync of the journal, so the plugin declares itself
 * durable. Throughput is bounded by one fsync per write call; batch your appends.
 */
public final class JournalPlugin implements Plugin {
    private static final PluginDescriptor DESCRIPTOR = PluginDescriptor.of("storage-journal", "1.0.0",
            "Example storage plugin: a single fsynced journal file, replayed at open", SpiKind.STORAGE)
            .withDurable(true);

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public List<StorageFactory> storageFactories() {
        return List.of(new StorageFactory() {
            @Override
            public String name() {
                return "storage-journal";
            }

            @Override
            public boolean durable() {
                return true;
            }

            @Override
            public Storage create(PluginConfig config, PluginContext context) {
                int retain = config.getInt("storage-journal.snapshots.retain", 2);
                if (retain < 1) {
                    throw new IllegalArgumentException("config key 'storage-journal.snapshots.retain' must be >= 1");
                }
                return new JournalStorage(context.dataDir().orElseThrow(() -> new StorageException(
                        "storage-journal is durable and needs a data directory (-data-dir)")), retain);
            }
        });
    }
}

package com.example.counting;

import io.tribune.api.Clock;
import io.tribune.api.Metrics;
import io.tribune.api.PluginContext;
import io.tribune.api.ProviderFactory;
import io.tribune.api.Scheduler;
import io.tribune.api.SpiKind;
import io.tribune.api.storage.StorageFactory;
import io.tribune.storage.memory.InMemoryStoragePlugin;
import java.nio.file.Path;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * A context as a host hands it: the kit's context for everything, and {@link #factory} answering
 * with the storage plugins "installed" here (storage-memory), as the agent's registry would.
 */
final class HostContext implements PluginContext {
    private final PluginContext base;
    private final Metrics metrics;

    HostContext(PluginContext base, Metrics metrics) {
        this.base = base;
        this.metrics = metrics;
    }

    @Override
    public <F extends ProviderFactory> Optional<F> factory(SpiKind kind, Class<F> type, String name) {
        if (kind != SpiKind.STORAGE) {
            return Optional.empty();
        }
        for (StorageFactory f : new InMemoryStoragePlugin().storageFactories()) {
            if (f.name().equals(name) && type.isInstance(f)) {
                return Optional.of(type.cast(f));
            }
        }
        return Optional.empty();
    }

    @Override
    public String nodeName() {
        return base.nodeName();
    }

    @Override
    public String datacenter() {
        return base.datacenter();
    }

    @Override
    public Clock clock() {
        return base.clock();
    }

    @Override
    public Scheduler scheduler() {
        return base.scheduler();
    }

    @Override
    public RandomGenerator random() {
        return base.random();
    }

    @Override
    public System.Logger logger(String name) {
        return base.logger(name);
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public Optional<Path> dataDir() {
        return base.dataDir();
    }
}

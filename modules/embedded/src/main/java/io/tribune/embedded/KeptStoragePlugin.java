package io.tribune.embedded;

import io.tribune.api.Capability;
import io.tribune.api.Plugin;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import io.tribune.api.storage.LogStore;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.StableStore;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The storage of an {@link EmbeddedCluster}: {@code storage-memory} stores, one per node, kept by
 * the cluster across a {@linkplain EmbeddedCluster.Node#kill() kill} and
 * {@linkplain EmbeddedCluster.Node#restart() restart} of its agent, as a server's disk survives a
 * crash of its process. Raft assumes exactly that (a restarted server remembers its term, vote and
 * log); a restart on an empty heap store could vote twice in one term. The stores are dropped when
 * the cluster closes.
 *
 * <p>Not registered as a service: the cluster hands it to its agents' plugin registry, so it is
 * never offered to other agents. Thread-safe: agents of one cluster may open stores concurrently.
 */
final class KeptStoragePlugin implements Plugin {
    static final String NAME = "storage-embedded";
    private static final PluginDescriptor DESCRIPTOR = PluginDescriptor.of(NAME, "0.1.0",
            "storage-memory stores kept by an embedded cluster across restarts of its agents",
            SpiKind.STORAGE).withCapabilities(Capability.DURABLE);

    private final Map<String, Storage> byNode = new LinkedHashMap<>();
    private final Factory factory = new Factory();

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public List<StorageFactory> storageFactories() {
        return List.of(factory);
    }

    /** Closes every kept store; called by the cluster after its agents are stopped. */
    void closeAll() {
        List<Storage> all;
        synchronized (byNode) {
            all = new ArrayList<>(byNode.values());
            byNode.clear();
        }
        for (Storage s : all) {
            s.close();
        }
    }

    private final class Factory implements StorageFactory {
        @Override
        public String name() {
            return NAME;
        }

        /** True within the cluster's life: what an agent wrote survives its restart. */
        @Override
        public boolean durable() {
            return true;
        }

        /**
         * The node's kept store, created from {@code storage-memory} on first use.
         *
         * @throws IllegalArgumentException when {@code storage-memory} is not installed
         */
        @Override
        public Storage create(PluginConfig config, PluginContext context) {
            synchronized (byNode) {
                Storage s = byNode.get(context.nodeName());
                if (s == null) {
                    StorageFactory inner = context.factory(SpiKind.STORAGE, StorageFactory.class, "storage-memory")
                            .orElseThrow(() -> new IllegalArgumentException("the embedded cluster needs the "
                                    + "storage-memory plugin on the class path"));
                    s = inner.create(PluginConfig.empty(), context);
                    byNode.put(context.nodeName(), s);
                }
                return new Kept(s);
            }
        }
    }

    /** The node's store, whose close by the agent leaves the data for the next start. */
    private record Kept(Storage inner) implements Storage {
        @Override
        public LogStore log() {
            return inner.log();
        }

        @Override
        public StableStore stable() {
            return inner.stable();
        }

        @Override
        public SnapshotStore snapshots() {
            return inner.snapshots();
        }

        @Override
        public void close() {
            // kept: the cluster closes the store (closeAll)
        }
    }
}

package io.tribune.agent.testing.sim;

import io.tribune.api.Plugin;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.LogStore;
import io.tribune.api.storage.SnapshotMeta;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.StableStore;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageException;
import io.tribune.api.storage.StorageFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Disks that outlive their agents, for simulated restarts: plugin {@value #PLUGIN_NAME} wraps
 * {@code storage-memory} and keeps one heap storage per node name for the whole simulation, so a
 * server restarted under the same name finds its Raft log, term, vote and snapshots as it left them,
 * as a durable store would after a crash.
 *
 * <p>Each {@code create} hands out a <em>handle</em> on the node's storage. {@link #crash(String)}
 * fences the current handle: every later call through it fails with {@link StorageException}, so a
 * crashed agent whose work was still in flight can write nothing more, as a dead process cannot.
 * Closing a handle (the agent's shutdown) fences it too and keeps the data. A write is durable when
 * its call returns: the model of a disk with a completed fsync (torn and lost writes are the raft
 * plugin's own simulation's subject, not this one's). The factory says it is durable so that the
 * agent treats it as one.
 *
 * <p>Threading: the wrapped stores are thread-safe; the handle's fence is a volatile flag.
 */
public final class SimDisk {
    /** The storage plugin's name, as agents select it ({@code plugins.storage}). */
    public static final String PLUGIN_NAME = "storage-sim";

    private final StorageFactory inner;
    private final LinkedHashMap<String, Storage> disks = new LinkedHashMap<>();
    private final LinkedHashMap<String, Handle> handles = new LinkedHashMap<>();

    /** Disks made by {@code inner} (normally {@code storage-memory}), one per node, kept across restarts. */
    public SimDisk(StorageFactory inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    /** A plugin offering the factory, to register beside the plugins on the class path. */
    public Plugin plugin() {
        StorageFactory f = new StorageFactory() {
            @Override
            public String name() {
                return PLUGIN_NAME;
            }

            @Override
            public boolean durable() {
                return true;
            }

            @Override
            public Storage create(PluginConfig config, PluginContext context) {
                return open(context.nodeName(), context);
            }
        };
        return new Plugin() {
            @Override
            public PluginDescriptor descriptor() {
                return PluginDescriptor.of(PLUGIN_NAME, "test", "storage-memory kept across simulated restarts",
                        SpiKind.STORAGE);
            }

            @Override
            public List<StorageFactory> storageFactories() {
                return List.of(f);
            }
        };
    }

    /**
     * Fences the handle {@code node}'s agent holds: nothing more reaches its disk through it.
     * A no-op for a node without a disk.
     */
    public synchronized void crash(String node) {
        Handle h = handles.get(node);
        if (h != null) {
            h.fenced = true;
        }
    }

    /** The log's last index on {@code node}'s disk, 0 when empty or absent; for traces. */
    public synchronized long lastIndex(String node) {
        Storage s = disks.get(node);
        return s == null ? 0 : s.log().lastIndex();
    }

    private synchronized Storage open(String node, PluginContext context) {
        Handle old = handles.get(node);
        if (old != null && !old.fenced) {
            throw new StorageException(PLUGIN_NAME + ": the disk of " + node + " is in use by a running agent");
        }
        Storage disk = disks.computeIfAbsent(node, n -> inner.create(PluginConfig.empty(), context));
        Handle h = new Handle(disk);
        handles.put(node, h);
        return h;
    }

    /** One agent's access to a disk, until it is fenced. */
    private static final class Handle implements Storage {
        private final Storage disk;
        private volatile boolean fenced;
        private final LogStore log;
        private final StableStore stable;
        private final SnapshotStore snapshots;

        Handle(Storage disk) {
            this.disk = disk;
            this.log = new LogStore() {
                @Override
                public long firstIndex() {
                    check();
                    return disk.log().firstIndex();
                }

                @Override
                public long lastIndex() {
                    check();
                    return disk.log().lastIndex();
                }

                @Override
                public Optional<LogEntry> get(long index) {
                    check();
                    return disk.log().get(index);
                }

                @Override
                public List<LogEntry> range(long fromIndex, long toIndex, long maxBytes) {
                    check();
                    return disk.log().range(fromIndex, toIndex, maxBytes);
                }

                @Override
                public void append(List<LogEntry> entries) {
                    check();
                    disk.log().append(entries);
                }

                @Override
                public void truncateSuffix(long fromIndex) {
                    check();
                    disk.log().truncateSuffix(fromIndex);
                }

                @Override
                public void truncatePrefix(long toIndex) {
                    check();
                    disk.log().truncatePrefix(toIndex);
                }

                @Override
                public void reset() {
                    check();
                    disk.log().reset();
                }
            };
            this.stable = new StableStore() {
                @Override
                public Optional<byte[]> get(String key) {
                    check();
                    return disk.stable().get(key);
                }

                @Override
                public void put(Map<String, byte[]> values) {
                    check();
                    disk.stable().put(values);
                }
            };
            this.snapshots = new SnapshotStore() {
                @Override
                public Writer create(long index, long term, byte[] configuration) {
                    check();
                    Writer w = disk.snapshots().create(index, term, configuration);
                    return new Writer() {
                        @Override
                        public OutputStream stream() {
                            return w.stream();
                        }

                        @Override
                        public SnapshotMeta commit() throws IOException {
                            if (fenced) {
                                // A crash before the rename: the snapshot never becomes visible.
                                w.abort();
                                check();
                            }
                            return w.commit();
                        }

                        @Override
                        public void abort() {
                            w.abort();
                        }
                    };
                }

                @Override
                public List<SnapshotMeta> list() {
                    check();
                    return disk.snapshots().list();
                }

                @Override
                public Optional<Reader> open(String id) {
                    check();
                    return disk.snapshots().open(id);
                }
            };
        }

        private void check() {
            if (fenced) {
                throw new StorageException(PLUGIN_NAME + ": this agent crashed or closed; its disk is not reachable "
                        + "through this handle any more");
            }
        }

        @Override
        public LogStore log() {
            return log;
        }

        @Override
        public StableStore stable() {
            return stable;
        }

        @Override
        public SnapshotStore snapshots() {
            return snapshots;
        }

        /** Fences the handle and keeps the data, which outlives the agent. */
        @Override
        public void close() {
            fenced = true;
        }
    }
}

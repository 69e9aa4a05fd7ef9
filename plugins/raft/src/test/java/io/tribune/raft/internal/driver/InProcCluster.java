package io.tribune.raft.internal.driver;

import io.tribune.api.PluginConfig;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusSetup;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.storage.Storage;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportSetup;
import io.tribune.storage.memory.InMemoryStorageFactory;
import io.tribune.tck.consensus.RecordingStateMachine;
import io.tribune.testkit.RealScheduler;
import io.tribune.testkit.TestContext;
import io.tribune.transport.inproc.InProcTransportFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Real Raft servers on real threads, {@code storage-memory} and {@code transport-inproc}, for
 * driver tests and the benchmark. Closes everything it made.
 */
final class InProcCluster implements AutoCloseable {
    private static final AtomicInteger HUBS = new AtomicInteger();
    final String hub = "raft-driver-" + HUBS.incrementAndGet();
    final Map<String, Node> nodes = new LinkedHashMap<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final PluginConfig config;
    private final Supplier<Storage> storages;
    private long seedBase;

    /** One server. */
    final class Node {
        final String id;
        final Storage storage;
        final Transport transport;
        final RealScheduler scheduler;
        final RecordingStateMachine sm = new RecordingStateMachine();
        final Consensus consensus;

        Node(String id) {
            this.id = id;
            this.storage = storages.get();
            this.scheduler = new RealScheduler(id);
            TestContext ctx = TestContext.builder(id).clock(scheduler).scheduler(scheduler).seed(seedBase * 1_000_003L + id.hashCode())
                    .build();
            Transport transport = new InProcTransportFactory().create(TransportSetup.plain(new Endpoint("127.0.0.1", 0)),
                    PluginConfig.of(Map.of(InProcTransportFactory.HUB_KEY, hub)), ctx);
            this.transport = wrapper.apply(transport);
            this.transport.start();
            this.consensus = new RaftConsensusFactory().create(
                    new ConsensusSetup(id, sm, storage, Optional.of(this.transport)), config, ctx);
            resources.add(consensus);
            resources.add(transport);
            resources.add(storage);
            resources.add(scheduler);
        }

        ServerInfo info() {
            return new ServerInfo(id, transport.localEndpoint(), true);
        }
    }

    InProcCluster(PluginConfig config) {
        this(config, InMemoryStorageFactory::newStorage);
    }

    InProcCluster(PluginConfig config, Supplier<Storage> storages) {
        this.config = config;
        this.storages = storages;
    }

    private java.util.function.UnaryOperator<Transport> wrapper = t -> t;

    /** Wraps the transport of every server created from now on (e.g. to take a feature away). */
    InProcCluster wrapTransports(java.util.function.UnaryOperator<Transport> wrapper) {
        this.wrapper = wrapper;
        return this;
    }

    /** Varies the servers' random seeds (election jitter) between runs. */
    InProcCluster seed(long base) {
        this.seedBase = base;
        return this;
    }

    /** Creates, bootstraps and starts {@code n} servers. */
    InProcCluster start(int n) {
        List<Node> created = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            created.add(add("s" + i));
        }
        List<ServerInfo> cfg = created.stream().map(Node::info).toList();
        for (Node node : created) {
            node.consensus.bootstrap(cfg);
        }
        for (Node node : created) {
            node.consensus.start();
        }
        return this;
    }

    /** Creates a server that is not bootstrapped or started. */
    Node add(String id) {
        Node node = new Node(id);
        nodes.put(id, node);
        return node;
    }

    /** The single live leader, waiting up to {@code millis}. */
    Node awaitLeader(long millis) {
        Node[] found = new Node[1];
        await(millis, () -> {
            for (Node n : nodes.values()) {
                if (n.consensus.isLeader()) {
                    found[0] = n;
                    return true;
                }
            }
            return false;
        });
        if (found[0] == null) {
            throw new AssertionError("no leader within " + millis + " ms");
        }
        return found[0];
    }

    static boolean await(long millis, BooleanSupplier condition) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            // Polling interval of a bounded wait on a condition, not synchronisation.
            java.util.concurrent.locks.LockSupport.parkNanos(500_000);
        }
        return true;
    }

    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                // Best effort during teardown.
            }
        }
    }
}

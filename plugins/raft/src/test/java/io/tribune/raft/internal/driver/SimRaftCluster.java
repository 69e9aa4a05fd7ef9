package io.tribune.raft.internal.driver;

import io.tribune.api.PluginConfig;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusSetup;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.consensus.StateMachine;
import io.tribune.api.storage.Storage;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportSetup;
import io.tribune.storage.memory.InMemoryStorageFactory;
import io.tribune.tck.consensus.RecordingStateMachine;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.TestContext;
import io.tribune.transport.inproc.InProcTransportFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real Raft servers (the whole driver: {@link RaftConsensus}, its loop, links and shipping) on
 * storage-memory and transport-inproc, all on one {@link SimScheduler}: virtual time, one thread,
 * the same run every time for a seed. Log and snapshot writes run on the scheduler
 * ({@code raft.storage.own-threads=false}).
 */
final class SimRaftCluster implements AutoCloseable {
    private static final AtomicInteger HUBS = new AtomicInteger();
    private static final Duration T = Duration.ofSeconds(5);
    final SimScheduler sim = new SimScheduler();
    final List<Node> nodes = new ArrayList<>();
    private final String hub = "raft-sim-driver-" + HUBS.incrementAndGet();

    /** One server. */
    final class Node {
        final String id;
        final Storage storage = InMemoryStorageFactory.newStorage();
        final Transport transport;
        final RecordingStateMachine sm;
        final Consensus consensus;

        Node(String id, long seed, StateMachine stateMachine, RecordingStateMachine recording, PluginConfig config) {
            this.id = id;
            this.sm = recording;
            TestContext ctx = TestContext.simulated(id, sim, seed);
            this.transport = wrapper.apply(new InProcTransportFactory().create(
                    TransportSetup.plain(new Endpoint("127.0.0.1", 0)),
                    PluginConfig.of(Map.of(InProcTransportFactory.HUB_KEY, hub)), ctx));
            transport.start();
            this.consensus = new RaftConsensusFactory().create(
                    new ConsensusSetup(id, stateMachine, storage, Optional.of(transport)), config, ctx);
        }

        ServerInfo info() {
            return new ServerInfo(id, transport.localEndpoint(), true);
        }
    }

    /** {@code n} bootstrapped, started servers with recording state machines. */
    SimRaftCluster(int n, long seed) {
        this(n, seed, null, RaftFailStopTest.config());
    }

    /** One server with {@code stateMachine} (which must record into nothing the cluster reads). */
    SimRaftCluster(int n, long seed, StateMachine stateMachine) {
        this(n, seed, stateMachine, RaftFailStopTest.config());
    }

    SimRaftCluster(int n, long seed, StateMachine stateMachine, PluginConfig config) {
        this(n, seed, stateMachine, config, t -> t);
    }

    private final java.util.function.UnaryOperator<Transport> wrapper;

    /** As above, with every server's transport wrapped (to observe or disturb what is sent). */
    SimRaftCluster(int n, long seed, StateMachine stateMachine, PluginConfig config,
                   java.util.function.UnaryOperator<Transport> wrapper) {
        this.wrapper = wrapper;
        for (int i = 1; i <= n; i++) {
            RecordingStateMachine recording = new RecordingStateMachine();
            nodes.add(new Node("s" + i, seed * 1_000 + i, stateMachine != null ? stateMachine : recording, recording,
                    config));
        }
        List<ServerInfo> cfg = nodes.stream().map(Node::info).toList();
        for (Node node : nodes) {
            node.consensus.bootstrap(cfg);
        }
        for (Node node : nodes) {
            node.consensus.start();
        }
    }

    /** Runs until one server leads (in virtual time), and returns it. */
    Node awaitLeader() {
        Node[] found = new Node[1];
        boolean ok = sim.runUntil(() -> {
            for (Node n : nodes) {
                if (n.consensus.isLeader()) {
                    found[0] = n;
                    return true;
                }
            }
            return false;
        }, Duration.ofSeconds(10));
        if (!ok) {
            throw new AssertionError("no leader within 10 s of virtual time");
        }
        return found[0];
    }

    /** Proposes {@code command} on {@code leader} and runs until it is applied there. */
    Applied commit(Node leader, String command) {
        CompletableFuture<Applied> f = leader.consensus.apply(RecordingStateMachine.command(command), T);
        if (!sim.runUntil(f::isDone, T)) {
            throw new AssertionError(command + " did not complete");
        }
        return f.join();
    }

    /** The servers other than {@code n}. */
    List<Node> others(Node n) {
        return nodes.stream().filter(x -> x != n).toList();
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            n.consensus.close();
            n.transport.close();
            n.storage.close();
        }
    }
}

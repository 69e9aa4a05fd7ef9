package io.tribune.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.cluster.ServerTags;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.api.PluginConfig;
import io.tribune.api.SpiKind;
import io.tribune.api.consensus.ConsensusFactory;
import io.tribune.api.storage.StorageFactory;
import io.tribune.api.transport.TransportFactory;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusSetup;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.storage.Storage;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportSetup;
import io.tribune.state.HealthStatus;
import io.tribune.state.StateStore;
import io.tribune.testkit.RealScheduler;
import io.tribune.testkit.TestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Server duties against real Raft servers (in-process transport, in-memory storage) and a scripted
 * gossip view: bootstrap_expect, the leader adding and removing servers, and the catalog's
 * serfHealth following membership.
 */
@Timeout(120)
class ServerDutiesTest {
    static final String HUB = "server-duties-" + System.nanoTime();
    static final PluginRegistry PLUGINS = PluginRegistry.of(
            new ServiceLoaderPluginSource(ServerDutiesTest.class.getClassLoader()).load());

    static <F extends io.tribune.api.ProviderFactory> F plugin(SpiKind kind, Class<F> type, String name) {
        return PLUGINS.select(kind, type, Optional.of(name), Optional.empty());
    }
    final ScriptedMembership.View view = new ScriptedMembership.View();
    final List<Server> servers = new ArrayList<>();
    final RealScheduler scheduler = new RealScheduler("duties");
    final ExecutorService notifier = Executors.newSingleThreadExecutor();

    /** One server: transport, storage, state store, raft, bootstrap and reconciler. */
    final class Server {
        final String name;
        final Transport transport;
        final Storage storage;
        final StateStore state;
        final Consensus consensus;
        final ServerBootstrap bootstrap;
        final LeaderReconciler reconciler;

        Server(String name, int port, int expect) {
            this.name = name;
            TestContext ctx = TestContext.builder(name).clock(scheduler).scheduler(scheduler).seed(name.hashCode())
                    .build();
            Endpoint ep = new Endpoint("127.0.0.1", port);
            transport = plugin(SpiKind.TRANSPORT, TransportFactory.class, "transport-inproc").create(TransportSetup.plain(ep),
                    PluginConfig.of(Map.of("transport-inproc.hub", HUB)), ctx);
            transport.start();
            storage = plugin(SpiKind.STORAGE, StorageFactory.class, "storage-memory").create(PluginConfig.empty(), ctx);
            state = new StateStore(notifier);
            consensus = plugin(SpiKind.CONSENSUS, ConsensusFactory.class, "raft").create(
                    new ConsensusSetup(name, state, storage, Optional.of(transport)),
                    PluginConfig.of(Map.of("raft.leave.transfer", "false")), ctx);
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put(ServerTags.ROLE, ServerTags.SERVER);
            tags.put(ServerTags.DC, "dc1");
            tags.put(ServerTags.PORT, Integer.toString(port));
            tags.put(ServerTags.EXPECT, Integer.toString(expect));
            view.put(new Member(name, "127.0.0.1", 8301, tags, MemberStatus.ALIVE, 1));
            ScriptedMembership lan = new ScriptedMembership(view, name);
            bootstrap = new ServerBootstrap(consensus, lan, "dc1", name, expect, scheduler);
            reconciler = new LeaderReconciler(consensus, state, lan, "dc1", name, scheduler, scheduler,
                    new LeaderReconciler.Settings(Duration.ofMillis(100), 32, Duration.ofMillis(500)));
        }

        void begin() {
            bootstrap.begin(false, List.of());
            reconciler.start();
        }

        void close() {
            reconciler.close();
            bootstrap.close();
            consensus.close();
            transport.close();
            storage.close();
        }
    }

    @AfterEach
    void stop() {
        servers.forEach(Server::close);
        scheduler.close();
        notifier.shutdownNow();
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    Server leader() {
        return servers.stream().filter(s -> s.consensus.isLeader()).findFirst().orElse(null);
    }

    Optional<HealthStatus> serfHealth(Server s, String node) {
        return s.state.nodeChecks(node).value().stream().filter(c -> c.checkId().equals("serfHealth"))
                .map(c -> c.status()).findFirst();
    }

    @Test
    void expectedServersBootstrapAndTheLeaderReconcilesMembership() throws Exception {
        for (int i = 1; i <= 3; i++) {
            servers.add(new Server("s" + i, 19300 + i, 3));
        }
        // Two of three seen: nobody bootstraps yet.
        Member s3 = view.get("s3");
        view.remove("s3");
        servers.get(0).begin();
        servers.get(1).begin();
        Thread.sleep(500);
        assertFalse(servers.get(0).bootstrap.started(), "bootstrapped with 2 of 3 expected servers");
        view.put(s3);
        servers.get(2).begin();
        await("a leader", () -> leader() != null);
        for (Server s : servers) {
            await(s.name + " started", s.bootstrap::started);
            assertEquals(List.of("s1", "s2", "s3"), s.consensus.configuration().stream().map(ServerInfo::id).toList());
        }

        // A client agent appears: every server's catalog gets its node with serfHealth passing.
        view.put(new Member("c1", "127.0.0.9", 8301, Map.of(ServerTags.ROLE, "node", ServerTags.DC, "dc1"),
                MemberStatus.ALIVE, 1));
        for (Server s : servers) {
            await("c1 passing on " + s.name, () -> serfHealth(s, "c1").orElse(null) == HealthStatus.PASSING);
            await("s1..s3 in the catalog of " + s.name, () -> serfHealth(s, "s1").isPresent()
                    && serfHealth(s, "s2").isPresent() && serfHealth(s, "s3").isPresent());
        }
        view.setStatus("c1", MemberStatus.FAILED);
        await("c1 critical", () -> serfHealth(leader(), "c1").orElse(null) == HealthStatus.CRITICAL);
        view.setStatus("c1", MemberStatus.LEFT);
        await("c1 deregistered", () -> leader().state.node("c1").value().isEmpty());

        // A server the gossip view does not know (a leader just restarted has not heard of everyone
        // yet) is not taken for one that left: removing it could leave a configuration without a
        // reachable majority. Ten reconcile rounds, then it is still a voter.
        Member s3Again = view.get("s3");
        view.remove("s3");
        Thread.sleep(1_000);
        assertTrue(leader() != null && leader().consensus.configuration().stream().anyMatch(x -> x.id().equals("s3")),
                "a server absent from the gossip view was removed");
        view.put(s3Again);

        // A fourth server joins a running cluster: it does not bootstrap, the leader adds it.
        Server s4 = new Server("s4", 19304, 3);
        servers.add(s4);
        s4.begin();
        await("s4 added as a voter", () -> leader() != null && leader().consensus.configuration().stream()
                .anyMatch(x -> x.id().equals("s4") && x.voter()));
        await("s4 catches up with the catalog", () -> s4.state.node("s1").value().isPresent());

        // It leaves gracefully and is then reaped from the pool: removed from the configuration and the catalog.
        view.setStatus("s4", MemberStatus.LEFT);
        await("s4 seen leaving", () -> leader() != null && leader().state.node("s4").value().isEmpty());
        view.remove("s4");
        await("s4 removed", () -> leader() != null && leader().consensus.configuration().stream()
                .noneMatch(x -> x.id().equals("s4")));
        await("s4 deregistered", () -> leader().state.node("s4").value().isEmpty());

        // A failed follower is removed after the dead-server timeout, as the others keep a majority.
        String victim = servers.stream().filter(s -> !s.consensus.isLeader() && !s.name.equals("s4")).findFirst()
                .orElseThrow().name;
        view.setStatus(victim, MemberStatus.FAILED);
        await(victim + " removed as dead", () -> leader() != null && leader().consensus.configuration().stream()
                .noneMatch(x -> x.id().equals(victim)));
        assertTrue(serfHealth(leader(), victim).isPresent());
    }
}

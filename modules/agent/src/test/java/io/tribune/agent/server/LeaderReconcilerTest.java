package io.tribune.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.tribune.agent.cluster.ServerTags;
import io.tribune.api.Subscription;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.transport.Endpoint;
import io.tribune.state.Command;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.StateStore;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The leader's reconciliation of the Raft configuration with the gossip pool, against a consensus
 * double whose membership changes complete when the test says so: the orders of events that a
 * real cluster produces only by chance under load.
 */
class LeaderReconcilerTest {
    private final VirtualClock clock = new VirtualClock();
    private final SimScheduler sim = new SimScheduler(clock);
    private final ScriptedMembership.View view = new ScriptedMembership.View();
    private final List<ServerInfo> config = new CopyOnWriteArrayList<>();
    private final List<String> removed = new ArrayList<>();

    private static Member server(String name, int port) {
        return new Member(name, "127.0.0.1", 8301, Map.of(ServerTags.ROLE, ServerTags.SERVER, ServerTags.DC, "dc1",
                ServerTags.PORT, Integer.toString(port)), MemberStatus.ALIVE, 1);
    }

    private final java.util.concurrent.atomic.AtomicBoolean leading = new java.util.concurrent.atomic.AtomicBoolean(true);

    private Consensus consensus(CompletableFuture<Void> addition) {
        Consensus c = mock(Consensus.class);
        when(c.isLeader()).thenAnswer(i -> leading.get());
        when(c.configuration()).thenAnswer(i -> List.copyOf(config));
        when(c.addVoter(any(), any())).thenAnswer(i -> {
            config.add(i.getArgument(0));
            return addition;
        });
        when(c.removeServer(any(), any())).thenAnswer(i -> {
            String id = i.getArgument(0);
            removed.add(id);
            config.removeIf(s -> s.id().equals(id));
            return CompletableFuture.completedFuture(null);
        });
        when(c.apply(any(), any())).thenReturn(new CompletableFuture<>());
        when(c.onLeadershipChange(any())).thenReturn(mock(Subscription.class));
        return c;
    }

    @Test
    void aServerThatLeavesAndIsReapedWhileItsAdditionIsStillInFlightIsRemovedAfterwards() {
        for (int i = 1; i <= 3; i++) {
            view.put(server("s" + i, 8300 + i));
            config.add(new ServerInfo("s" + i, new Endpoint("127.0.0.1", 8300 + i), true));
        }
        CompletableFuture<Void> addition = new CompletableFuture<>();
        LeaderReconciler r = new LeaderReconciler(consensus(addition), new StateStore(Runnable::run),
                new ScriptedMembership(view, "s1"), "dc1", "s1", sim, clock,
                new LeaderReconciler.Settings(Duration.ofMillis(100), 32, Duration.ofSeconds(30)));
        r.start();
        view.put(server("s4", 8304));
        sim.runFor(Duration.ofSeconds(1));
        assertTrue(config.stream().anyMatch(s -> s.id().equals("s4")), "s4 is in the configuration");

        // The addition has not completed (a slow catch-up) when s4 leaves and the pool reaps it.
        view.setStatus("s4", MemberStatus.LEFT);
        sim.runFor(Duration.ofSeconds(1));
        view.remove("s4");
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(List.of(), removed, "one membership change at a time");

        addition.complete(null);
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(List.of("s4"), removed, "a server seen leaving is removed once the change before it is done");
        r.close();
    }

    @Test
    void aServerThatLeavesAndIsReapedBeforeThisServerLeadsIsRemovedOnceItLeads() {
        for (int i = 1; i <= 4; i++) {
            view.put(server("s" + i, 8300 + i));
            config.add(new ServerInfo("s" + i, new Endpoint("127.0.0.1", 8300 + i), true));
        }
        leading.set(false);
        LeaderReconciler r = new LeaderReconciler(consensus(CompletableFuture.completedFuture(null)),
                new StateStore(Runnable::run), new ScriptedMembership(view, "s1"), "dc1", "s1", sim, clock,
                new LeaderReconciler.Settings(Duration.ofMillis(100), 32, Duration.ofSeconds(30)));
        r.start();
        sim.runFor(Duration.ofSeconds(1));

        // s4 leaves and is reaped while s1 is a follower: no round runs, only the events arrive.
        view.setStatus("s4", MemberStatus.LEFT);
        view.remove("s4");
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(List.of(), removed, "a follower changes nothing");

        leading.set(true);
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(List.of("s4"), removed, "the server seen leaving is removed, though the pool no longer shows it");

        // One merely absent from the pool (never seen leaving) stays a voter.
        view.remove("s3");
        sim.runFor(Duration.ofSeconds(2));
        assertEquals(List.of("s4"), removed, "an absent server that never left is kept");
        r.close();
    }

    @Test
    void withCleanupDeadServersOffAFailedServerStaysButOneThatLeftIsStillRemoved() {
        for (int i = 1; i <= 5; i++) {
            view.put(server("s" + i, 8300 + i));
            config.add(new ServerInfo("s" + i, new Endpoint("127.0.0.1", 8300 + i), true));
        }
        java.util.concurrent.atomic.AtomicBoolean cleanup = new java.util.concurrent.atomic.AtomicBoolean(false);
        LeaderReconciler r = new LeaderReconciler(consensus(CompletableFuture.completedFuture(null)),
                new StateStore(Runnable::run), new ScriptedMembership(view, "s1"), "dc1", "s1", sim, clock,
                new LeaderReconciler.Settings(Duration.ofMillis(100), 32, Duration.ofSeconds(30)), cleanup::get);
        r.start();
        view.setStatus("s5", MemberStatus.FAILED);
        sim.runFor(Duration.ofSeconds(40));
        assertEquals(List.of(), removed, "a failed server stays while CleanupDeadServers is false");
        view.setStatus("s4", MemberStatus.LEFT);
        sim.runFor(Duration.ofSeconds(2));
        assertEquals(List.of("s4"), removed, "a server that left is removed whatever the setting");
        cleanup.set(true);
        sim.runFor(Duration.ofSeconds(2));
        assertEquals(List.of("s4", "s5"), removed, "the failed server goes once the setting is back on");
        r.close();
    }

    @Test
    void aHealthChangeKeepsWhatTheAgentRegisteredForItsNode() {
        view.put(server("s1", 8301));
        config.add(new ServerInfo("s1", new Endpoint("127.0.0.1", 8301), true));
        Member client = new Member("c1", "127.0.0.9", 8301, Map.of(), MemberStatus.ALIVE, 1);
        view.put(client);
        StateStore store = new StateStore(Runnable::run);
        long[] index = {1};
        // The client's own agent registered its node with metadata and a WAN address.
        store.apply(index[0]++, new Command.Register(new Node("", "c1", "127.0.0.9", "dc1",
                Map.of("lan", "127.0.0.9", "wan", "203.0.113.9"), Map.of("rack", "r1"), 0, 0),
                Optional.empty(), List.of(), 0));
        Consensus c = consensus(CompletableFuture.completedFuture(null));
        // Proposals are applied at once, as a committed log would.
        when(c.apply(any(), any())).thenAnswer(i -> CompletableFuture.completedFuture(
                store.apply(index[0]++, 1, i.<byte[]>getArgument(0))));
        LeaderReconciler r = new LeaderReconciler(c, store, new ScriptedMembership(view, "s1"), "dc1", "s1", sim, clock,
                new LeaderReconciler.Settings(Duration.ofMillis(100), 32, Duration.ofSeconds(30)));
        r.start();
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(HealthStatus.PASSING, serfHealth(store, "c1"));
        view.setStatus("c1", MemberStatus.FAILED);
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(HealthStatus.CRITICAL, serfHealth(store, "c1"));
        Node n = store.node("c1").value().orElseThrow();
        assertEquals(Map.of("rack", "r1"), n.meta(), "metadata kept");
        assertEquals("203.0.113.9", n.taggedAddresses().get("wan"), "WAN address kept");

        // Back at another address: the leader registers what it knows of the member, the new address.
        view.put(new Member("c1", "127.0.0.10", 8301, Map.of(), MemberStatus.ALIVE, 2));
        sim.runFor(Duration.ofSeconds(1));
        n = store.node("c1").value().orElseThrow();
        assertEquals(HealthStatus.PASSING, serfHealth(store, "c1"));
        assertEquals("127.0.0.10", n.address());
        assertEquals("127.0.0.10", n.taggedAddresses().get("wan"));
        r.close();
    }

    private static HealthStatus serfHealth(StateStore store, String node) {
        return store.nodeChecks(node).value().stream().filter(h -> h.checkId().equals(HealthCheck.SERF_HEALTH))
                .map(HealthCheck::status).findFirst().orElse(null);
    }
}

package io.tribune.agent.server;

import static io.tribune.agent.testing.DevAgents.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.Agent;
import io.tribune.agent.cluster.NodeIds;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Sessions;
import io.tribune.agent.testing.DevAgents;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.transport.Endpoint;
import io.tribune.state.Command;
import io.tribune.state.Node;
import io.tribune.state.SessionBehavior;
import io.tribune.state.StateStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The leader's duties (session TTLs, KV tombstones) on a dev agent, with a clock the test chooses. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaderDutiesTest {
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static Agent a;

    @BeforeAll
    static void start() throws Exception {
        a = DevAgents.start("duties", 18521);
    }

    @AfterAll
    static void stop() {
        a.shutdown(false);
    }

    private static String key() {
        return "duties/" + KEYS.incrementAndGet();
    }

    private LeaderDuties duties() {
        return new LeaderDuties(a.consensus().orElseThrow(), a.state().orElseThrow(), a.platform().clock()::wallMillis,
                a.platform().clock()::millis);
    }

    @Test
    void leaderInvalidatesTtlSessionsAfterTwiceTheirTtl() throws Exception {
        long now = a.platform().clock().wallMillis();
        String s = call(a, new Sessions.Create("", "", Duration.ZERO, SessionBehavior.RELEASE, Duration.ofSeconds(10),
                Optional.of(List.of()))).value();
        String k = key();
        assertTrue(call(a, new Kv.Acquire(k, "x".getBytes(), 0, s)).value());
        // A sweep driven by a clock we choose, instead of waiting 20 s of real time.
        LeaderDuties duties = duties();
        assertEquals(0, duties.sweep(now + 15_000).get(10, TimeUnit.SECONDS), "TTL passed once: still valid");
        assertTrue(call(a, new Sessions.Info(s)).value().isPresent());
        long after = a.platform().clock().wallMillis();
        assertEquals(1, duties.sweep(after + 20_001).get(10, TimeUnit.SECONDS), "TTL x 2 passed: invalidated");
        assertTrue(call(a, new Sessions.Info(s)).value().isEmpty());
        assertFalse(call(a, new Kv.Get(k)).value().orElseThrow().locked(), "invalidation released the lock");
    }

    @Test
    void leaderReapsTombstonesOnlyAfterTheirTtl() throws Exception {
        LeaderDuties duties = duties();
        String k = key();
        call(a, new Kv.Set(k, "x".getBytes(), 0, OptionalLong.empty()));
        call(a, new Kv.Delete(k, OptionalLong.empty()));
        int before = a.state().orElseThrow().kvTombstoneCount();
        assertTrue(before >= 1);
        long t0 = 1_000_000;
        assertEquals(0L, duties.reapTombstones(t0).get(10, TimeUnit.SECONDS), "first sample: nothing is old enough");
        long ttl = LeaderDuties.TOMBSTONE_TTL.toMillis();
        assertEquals(0L, duties.reapTombstones(t0 + ttl - 1).get(10, TimeUnit.SECONDS));
        assertEquals(before, a.state().orElseThrow().kvTombstoneCount());
        // A tombstone written after the sample at t0 survives the reap of what t0 covered.
        String later = key();
        call(a, new Kv.Set(later, "y".getBytes(), 0, OptionalLong.empty()));
        call(a, new Kv.Delete(later, OptionalLong.empty()));
        assertEquals((long) before, duties.reapTombstones(t0 + ttl).get(10, TimeUnit.SECONDS));
        assertEquals(1, a.state().orElseThrow().kvTombstoneCount());
        assertTrue(call(a, new Kv.Get(k)).value().isEmpty());
    }

    @Test
    void aPeerToRemoveIsFoundByNodeNameNodeIdOrAddress() {
        var cfg = List.of(new ServerInfo("s1", new Endpoint("10.0.0.1", 8300), true),
                new ServerInfo("s2", new Endpoint("10.0.0.2", 8300), true));
        Optional<String> none = Optional.empty();
        StateStore state = new StateStore(Runnable::run);
        // s1's agent set its own node_id; s2 has none in the catalog and goes by the derived one.
        String s1Id = "0f1e2d3c-4b5a-6978-8a9b-acbdcedf0011";
        state.apply(1, new Command.Register(new Node(s1Id, "s1", "10.0.0.1", "dc1", Map.of(), Map.of(), 0, 0),
                Optional.empty(), List.of(), 0));
        assertEquals("s2", ServerEndpoints.find(cfg, state, Optional.of("s2"), none).orElseThrow().id());
        assertEquals("s2", ServerEndpoints.find(cfg, state, Optional.of(NodeIds.of("s2")), none).orElseThrow().id());
        assertEquals("s1", ServerEndpoints.find(cfg, state, Optional.of(s1Id), none).orElseThrow().id());
        assertTrue(ServerEndpoints.find(cfg, state, Optional.of(NodeIds.of("s1")), none).isEmpty(),
                "s1 is known by its own ID, not the derived one");
        assertEquals("s1", ServerEndpoints.find(cfg, state, none, Optional.of("10.0.0.1:8300")).orElseThrow().id());
        assertTrue(ServerEndpoints.find(cfg, state, none, Optional.of("10.0.0.1:8301")).isEmpty());
        assertEquals(s1Id, ServerEndpoints.nodeId(state, "s1"));
        assertEquals(NodeIds.of("s2"), ServerEndpoints.nodeId(state, "s2"));
    }
}

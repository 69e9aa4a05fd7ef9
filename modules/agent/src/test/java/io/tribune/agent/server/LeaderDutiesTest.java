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
import io.tribune.state.SessionBehavior;
import java.time.Duration;
import java.util.List;
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
        assertEquals("s2", ServerEndpoints.find(cfg, Optional.of("s2"), none).orElseThrow().id());
        assertEquals("s2", ServerEndpoints.find(cfg, Optional.of(NodeIds.of("s2")), none).orElseThrow().id());
        assertEquals("s1", ServerEndpoints.find(cfg, none, Optional.of("10.0.0.1:8300")).orElseThrow().id());
        assertTrue(ServerEndpoints.find(cfg, none, Optional.of("10.0.0.1:8301")).isEmpty());
    }
}

package io.tribune.agent.testing.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.Agent;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Response;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.state.KvEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The simulated cluster itself: it forms, serves, fails over, and replays a seed exactly. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SimClusterTest {

    @Test
    void clusterFormsAndAWriteThroughOneClientIsReadThroughTheOther() {
        try (SimCluster c = SimCluster.builder(1).build()) {
            c.start();
            assertEquals(3, c.servers().size());
            assertTrue(c.leader().isPresent());
            CompletableFuture<Response<Boolean>> w = c.agent("c1").requests()
                    .call(new Kv.Set("k", bytes("v"), 0, OptionalLong.empty()), Options.DEFAULT);
            assertTrue(c.await(w, Duration.ofSeconds(30)), "the write did not complete");
            assertTrue(w.join().value());
            CompletableFuture<Response<Optional<KvEntry>>> r = c.agent("c2").requests()
                    .call(new Kv.Get("k"), Options.of(ReadConsistency.CONSISTENT));
            assertTrue(c.await(r, Duration.ofSeconds(30)), "the read did not complete");
            assertEquals("v", new String(r.join().value().orElseThrow().value(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aKilledLeaderIsReplacedAndThePoolFailsItOnlyAfterTheChosenDelay() {
        try (SimCluster c = SimCluster.builder(2).build()) {
            c.start();
            String old = c.leader().orElseThrow().config().nodeName();
            c.kill(old, Duration.ofSeconds(3));
            assertTrue(c.runUntil(() -> c.leader().isPresent(), Duration.ofSeconds(10)), "no new leader");
            assertNotEquals(old, c.leader().orElseThrow().config().nodeName());
            assertEquals(2, c.servers().size());
            assertTrue(c.now().compareTo(Duration.ofSeconds(3)) < 0, "the election did not wait for the pool");
            Agent client = c.agent("c1");
            assertEquals(MemberStatus.ALIVE, status(client, old), "failed before the chosen delay");
            c.runFor(Duration.ofSeconds(4));
            assertEquals(MemberStatus.FAILED, status(client, old));
            CompletableFuture<Response<Boolean>> w = client.requests()
                    .call(new Kv.Set("after", bytes("x"), 0, OptionalLong.empty()), Options.DEFAULT);
            assertTrue(c.await(w, Duration.ofSeconds(30)) && w.join().value(), "no write after the failover");
            assertFalse(c.isRunning(old));
        }
    }

    @Test
    void aRestartedServerKeepsItsRaftStateAndCatchesUp() {
        try (SimCluster c = SimCluster.builder(4).drift(0.05).build()) {
            c.start();
            String follower = c.servers().stream().map(a -> a.config().nodeName())
                    .filter(n -> !n.equals(c.leader().orElseThrow().config().nodeName())).findFirst().orElseThrow();
            CompletableFuture<Response<Boolean>> w = c.agent("c1").requests()
                    .call(new Kv.Set("before", bytes("1"), 0, OptionalLong.empty()), Options.DEFAULT);
            assertTrue(c.await(w, Duration.ofSeconds(30)) && w.join().value());
            c.runFor(Duration.ofSeconds(1));
            long term = c.agent(follower).consensus().orElseThrow().leadership().term();
            c.kill(follower, Duration.ofSeconds(1));
            CompletableFuture<Response<Boolean>> w2 = c.agent("c1").requests()
                    .call(new Kv.Set("while-down", bytes("2"), 0, OptionalLong.empty()), Options.DEFAULT);
            assertTrue(c.await(w2, Duration.ofSeconds(30)) && w2.join().value(), "two of three servers commit");
            c.restart(follower);
            Agent again = c.agent(follower);
            assertTrue(again.consensus().orElseThrow().hasState(), "the Raft state came back from the disk");
            c.runFor(Duration.ofMillis(5)); // less than an election timeout: recovered, not elected
            assertTrue(again.consensus().orElseThrow().leadership().term() >= term,
                    "the term came back from the disk, not from zero");
            assertTrue(c.runUntil(() -> again.state().orElseThrow().kvGet("while-down").value().isPresent(),
                    Duration.ofSeconds(30)), "the restarted server caught up");
            assertTrue(again.state().orElseThrow().kvGet("before").value().isPresent());
            assertTrue(c.leadershipViolations().isEmpty(), c.leadershipViolations().toString());
            assertTrue(c.termsLed() >= 1);
            // The check itself: a second server claiming a term already led is caught.
            long led = c.leader().orElseThrow().consensus().orElseThrow().leadership().term();
            String other = c.servers().stream().map(a -> a.config().nodeName())
                    .filter(n -> !n.equals(c.leader().orElseThrow().config().nodeName())).findFirst().orElseThrow();
            c.observeLeader(led, other);
            assertEquals(1, c.leadershipViolations().size(), c.leadershipViolations().toString());
            assertThrows(IllegalArgumentException.class, () -> c.restart(follower), "it runs");
            assertThrows(IllegalArgumentException.class, () -> c.restart("nobody"));
        }
    }

    @Test
    void clientsJoinAndLeaveAndTheLeaverIsGoneFromThePool() {
        try (SimCluster c = SimCluster.builder(5).build()) {
            c.start();
            c.addClient("c9");
            assertTrue(c.runUntil(() -> status(c.agent("s1"), "c9") == MemberStatus.ALIVE, Duration.ofSeconds(10)));
            c.leave("c9");
            assertFalse(c.isRunning("c9"));
            assertTrue(c.runUntil(() -> status(c.agent("s1"), "c9") == MemberStatus.LEFT, Duration.ofSeconds(10)));
            assertThrows(IllegalArgumentException.class, () -> c.addClient("c9"), "names are not reused");
        }
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SimCluster.builder(1).servers(0));
        assertThrows(IllegalArgumentException.class, () -> SimCluster.builder(1).clients(17));
        assertThrows(IllegalArgumentException.class, () -> SimCluster.builder(1)
                .latency(Duration.ofMillis(5), Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> SimCluster.builder(1)
                .propagation(Duration.ofMillis(-1), Duration.ofMillis(1)));
        try (SimCluster c = SimCluster.builder(3).servers(1).clients(0).build()) {
            c.start();
            assertThrows(IllegalArgumentException.class, () -> c.kill("nobody", Duration.ZERO));
            assertThrows(IllegalStateException.class, c::start);
        }
    }

    private static MemberStatus status(Agent viewer, String name) {
        return viewer.membership().members().stream().filter(m -> m.name().equals(name)).findFirst()
                .map(Member::status).orElse(null);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package io.tribune.raft.internal.driver;

import static io.tribune.testkit.Futures.causeOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.PluginConfig;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.consensus.StateMachine;
import io.tribune.tck.consensus.RecordingStateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fail-stop on the real driver, deterministically: three servers (storage-memory,
 * transport-inproc) on one simulated scheduler. A state machine that cannot apply a committed
 * entry stops its server at once; the others go on without it.
 */
class RaftFailStopTest {
    private static final Duration T = Duration.ofSeconds(5);
    private SimRaftCluster cluster;

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void assertNamesIndex(Throwable t, long index) {
        ConsensusException e = assertInstanceOf(ConsensusException.class, t);
        assertFalse(e instanceof NotLeaderException, "a stopped server does not redirect: " + e);
        assertTrue(e.getMessage().contains("index " + index), "names index " + index + ": " + e.getMessage());
    }

    /** Refuses everything naming the index, leads nothing, says why in stats(). */
    private void assertStopped(SimRaftCluster.Node n, long index) {
        assertFalse(n.consensus.isLeader());
        assertFalse(n.consensus.leadership().isLeader());
        CompletableFuture<Applied> later = n.consensus.apply(RecordingStateMachine.command("later"), T);
        cluster.sim.runFor(Duration.ofMillis(10));
        assertNamesIndex(causeOf(later), index);
        for (ReadConsistency mode : ReadConsistency.values()) {
            CompletableFuture<Long> read = n.consensus.readBarrier(mode, T);
            cluster.sim.runFor(Duration.ofMillis(10));
            assertNamesIndex(causeOf(read), index);
        }
        assertEquals("Stopped", n.consensus.stats().get("state"));
        String why = n.consensus.stats().get("stopped");
        assertNotNull(why, n.consensus.stats().toString());
        assertTrue(why.contains("index " + index) && why.contains("refuses command"), why);
    }

    @Test
    void followerWhoseStateMachineThrowsStopsAndCastsNoFurtherVote() {
        cluster = new SimRaftCluster(3, 11);
        SimRaftCluster.Node leader = cluster.awaitLeader();
        Applied a = cluster.commit(leader, "a");
        List<SimRaftCluster.Node> followers = cluster.others(leader);
        SimRaftCluster.Node victim = followers.get(0);
        SimRaftCluster.Node other = followers.get(1);
        assertTrue(cluster.sim.runUntil(() -> victim.sm.lastIndex() >= a.index(), T));
        victim.sm.failOn("poison");
        Applied poison = cluster.commit(leader, "poison");
        assertTrue(cluster.sim.runUntil(() -> victim.sm.failedAt() == poison.index(), T));
        assertStopped(victim, poison.index());
        long victimTerm = victim.consensus.leadership().term();
        long victimLog = victim.storage.log().lastIndex();

        // The leader and the other follower go on: commits need only the two of them.
        Applied last = null;
        for (int i = 0; i < 20; i++) {
            last = cluster.commit(leader, "w" + i);
        }
        long lastIndex = last.index();
        assertTrue(cluster.sim.runUntil(() -> other.sm.lastIndex() >= lastIndex, T));
        assertEquals(22, other.sm.commands().size());
        assertEquals(List.of("a"), victim.sm.commands(), "nothing after the failed entry is applied");
        assertEquals(victimLog, victim.storage.log().lastIndex(), "the stopped server accepts no entries");

        // Without the leader, the other follower needs the stopped server's vote, and does not get it.
        leader.consensus.close();
        cluster.sim.runFor(Duration.ofSeconds(5));
        assertFalse(other.consensus.isLeader(), "no majority without the stopped server: " + other.consensus.stats());
        assertTrue(other.consensus.leadership().leader().isEmpty(), "and knows no leader");
        assertEquals(victimTerm, victim.consensus.leadership().term(), "the stopped server's term is frozen");
        assertEquals(victimTerm, victim.storage.stable().getLong(RaftConsensus.TERM_KEY, 0), "and it persisted no vote");
    }

    @Test
    void leaderWhoseStateMachineThrowsStopsLeadingAndTheOthersElectANewLeader() {
        cluster = new SimRaftCluster(3, 12);
        SimRaftCluster.Node leader = cluster.awaitLeader();
        cluster.commit(leader, "a");
        long term = leader.consensus.leadership().term();
        leader.sm.failOn("poison");
        // Queued together with two more: the poison's failure fails all three.
        List<CompletableFuture<Applied>> fs = new ArrayList<>();
        for (String c : List.of("poison", "b", "c")) {
            fs.add(leader.consensus.apply(RecordingStateMachine.command(c), T));
        }
        assertTrue(cluster.sim.runUntil(() -> fs.stream().allMatch(CompletableFuture::isDone), T));
        long at = leader.sm.failedAt();
        assertTrue(at > 0);
        for (CompletableFuture<Applied> f : fs) {
            assertNamesIndex(causeOf(f), at);
        }
        assertInstanceOf(IllegalStateException.class, causeOf(fs.get(0)).getCause(), "the state machine's exception is the cause");
        assertFalse(leader.consensus.isLeader(), "a stopped leader leads no more, at once");
        assertStopped(leader, at);
        long oldLog = leader.storage.log().lastIndex();

        SimRaftCluster.Node next = cluster.awaitLeader();
        assertTrue(next != leader && next.consensus.leadership().term() > term);
        Applied after = cluster.commit(next, "after");
        for (SimRaftCluster.Node n : cluster.others(leader)) {
            assertTrue(cluster.sim.runUntil(() -> n.sm.lastIndex() >= after.index(), T));
            assertEquals(List.of("a", "poison", "b", "c", "after"), n.sm.commands(),
                    "the others apply the committed entries the stopped leader could not");
        }
        assertEquals(List.of("a"), leader.sm.commands());
        assertEquals(oldLog, leader.storage.log().lastIndex(), "the stopped leader accepts no entries");
        assertEquals(term, leader.consensus.leadership().term());
    }

    @Test
    void stateMachineThatReturnsNullIsAFailureToo() {
        RecordingStateMachine recording = new RecordingStateMachine();
        StateMachine nullOnX = new StateMachine() {
            @Override
            public byte[] apply(long index, long term, byte[] command) {
                byte[] r = recording.apply(index, term, command);
                return new String(command, java.nio.charset.StandardCharsets.UTF_8).equals("x") ? null : r;
            }

            @Override
            public StateSnapshot snapshot() {
                return recording.snapshot();
            }

            @Override
            public void restore(long index, long term, InputStream in) throws IOException {
                recording.restore(index, term, in);
            }
        };
        cluster = new SimRaftCluster(1, 13, nullOnX);
        SimRaftCluster.Node only = cluster.awaitLeader();
        cluster.commit(only, "a");
        CompletableFuture<Applied> x = only.consensus.apply(RecordingStateMachine.command("x"), T);
        CompletableFuture<Applied> y = only.consensus.apply(RecordingStateMachine.command("y"), T);
        assertTrue(cluster.sim.runUntil(() -> x.isDone() && y.isDone(), T));
        long at = recording.lastIndex();
        assertNamesIndex(causeOf(x), at);
        assertNamesIndex(causeOf(y), at);
        assertTrue(causeOf(x).getMessage().contains("returned null"), causeOf(x).getMessage());
        assertEquals(List.of("a", "x"), recording.commands(), "y is not applied after x's null result");
        assertFalse(only.consensus.isLeader());
        assertTrue(only.consensus.stats().get("stopped").contains("returned null"));
    }

    static PluginConfig config() {
        return PluginConfig.of(Map.of("raft.leave.transfer", "false", "raft.storage.own-threads", "false"));
    }
}

package io.tribune.raft.internal.driver;

import static io.tribune.testkit.Futures.causeOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.Transport;
import io.tribune.raft.internal.core.Message;
import io.tribune.testkit.ForwardingTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reads served by followers (thesis §6.4): three real raft servers on one simulated scheduler.
 * A follower's DEFAULT or CONSISTENT barrier asks the leader for a read index, waits until it
 * has applied it, and completes; without a reachable leader it fails with NotLeaderException.
 */
class FollowerReadTest {
    private static final Duration T = Duration.ofSeconds(5);
    private SimRaftCluster cluster;

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void followerBarriersCoverEveryAcknowledgedWriteAndCompleteOnceItIsAppliedThere() {
        cluster = new SimRaftCluster(3, 21);
        SimRaftCluster.Node leader = cluster.awaitLeader();
        SimRaftCluster.Node follower = cluster.others(leader).get(0);
        for (ReadConsistency mode : List.of(ReadConsistency.DEFAULT, ReadConsistency.CONSISTENT)) {
            Applied w = cluster.commit(leader, "w-" + mode);
            // Read at once after the acknowledgement: the follower may not have the write yet.
            List<String> seen = new ArrayList<>();
            CompletableFuture<Long> barrier = follower.consensus.readBarrier(mode, T);
            barrier.thenRun(() -> seen.addAll(follower.sm.commands()));
            assertTrue(cluster.sim.runUntil(barrier::isDone, T));
            long index = barrier.join();
            assertTrue(index >= w.index(), mode + ": " + index + " before the acknowledged write " + w.index());
            assertTrue(seen.contains("w-" + mode), mode + ": the write is applied when the barrier completes: " + seen);
            assertFalse(follower.consensus.isLeader());
        }
    }

    @Test
    void readsArrivingWhileARequestIsInFlightShareTheNextRequest() {
        AtomicInteger requests = new AtomicInteger();
        cluster = new SimRaftCluster(3, 22, null, RaftFailStopTest.config(), t -> new Counting(t, requests));
        SimRaftCluster.Node leader = cluster.awaitLeader();
        SimRaftCluster.Node follower = cluster.others(leader).get(0);
        Applied w = cluster.commit(leader, "w");
        cluster.sim.runFor(Duration.ofMillis(200));
        int before = requests.get();
        List<CompletableFuture<Long>> reads = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            reads.add(follower.consensus.readBarrier(ReadConsistency.CONSISTENT, T));
        }
        assertTrue(cluster.sim.runUntil(() -> reads.stream().allMatch(CompletableFuture::isDone), T));
        for (CompletableFuture<Long> r : reads) {
            assertTrue(r.join() >= w.index());
        }
        assertEquals(2, requests.get() - before,
                "50 reads at once: the first asks alone, the 49 that waited share the second request");
    }

    @Test
    void aFollowerThatKnowsNoLeaderRefusesWithNotLeader() {
        cluster = new SimRaftCluster(3, 23);
        SimRaftCluster.Node leader = cluster.awaitLeader();
        List<SimRaftCluster.Node> followers = cluster.others(leader);
        SimRaftCluster.Node follower = followers.get(0);
        cluster.commit(leader, "w");
        leader.consensus.close();
        followers.get(1).consensus.close();
        assertTrue(cluster.sim.runUntil(() -> follower.consensus.leadership().leader().isEmpty(), T));
        for (ReadConsistency mode : List.of(ReadConsistency.DEFAULT, ReadConsistency.CONSISTENT)) {
            CompletableFuture<Long> barrier = follower.consensus.readBarrier(mode, T);
            cluster.sim.runFor(Duration.ofMillis(10));
            NotLeaderException e = assertInstanceOf(NotLeaderException.class, causeOf(barrier));
            assertTrue(e.leader().isEmpty(), "no hint when no leader is known");
        }
    }

    @Test
    void aFollowerWhoseLeaderIsGoneRefusesWithNotLeaderWithinAnElectionTimeout() {
        cluster = new SimRaftCluster(3, 24);
        SimRaftCluster.Node leader = cluster.awaitLeader();
        SimRaftCluster.Node follower = cluster.others(leader).get(0);
        cluster.commit(leader, "w");
        cluster.sim.runFor(Duration.ofMillis(200));
        leader.consensus.close(); // the follower still believes it leads
        assertEquals(leader.id, follower.consensus.leadership().leader().orElseThrow().id());
        long start = cluster.sim.clock().nanos();
        CompletableFuture<Long> barrier = follower.consensus.readBarrier(ReadConsistency.CONSISTENT, T);
        assertTrue(cluster.sim.runUntil(barrier::isDone, T));
        NotLeaderException e = assertInstanceOf(NotLeaderException.class, causeOf(barrier));
        e.leader().ifPresent(l -> assertEquals(leader.id, l.id(), "a hint names the leader the follower knew"));
        // 10 ticks of 50 ms: the follower gives up its request, or its leader, within an election timeout.
        assertTrue(cluster.sim.clock().nanos() - start <= Duration.ofMillis(500).toNanos(),
                "refused after " + (cluster.sim.clock().nanos() - start) / 1_000_000 + " ms");
    }

    @Test
    void aFollowerBarrierThatTimesOutFailsWithConsensusException() {
        cluster = new SimRaftCluster(3, 25);
        SimRaftCluster.Node leader = cluster.awaitLeader();
        SimRaftCluster.Node follower = cluster.others(leader).get(0);
        cluster.commit(leader, "w");
        CompletableFuture<Long> barrier = follower.consensus.readBarrier(ReadConsistency.CONSISTENT, Duration.ZERO);
        cluster.sim.runFor(Duration.ofMillis(10));
        Throwable t = causeOf(barrier);
        assertInstanceOf(ConsensusException.class, t);
        assertFalse(t instanceof NotLeaderException, t.toString());
        assertTrue(t.getMessage().contains("timed out"), t.getMessage());
        // The follower still serves the next read.
        CompletableFuture<Long> next = follower.consensus.readBarrier(ReadConsistency.CONSISTENT, T);
        assertTrue(cluster.sim.runUntil(next::isDone, T));
        assertTrue(next.join() > 0);
    }

    @Test
    void withFollowerReadsOffAFollowerRefusesWithTheLeaderHint() {
        cluster = new SimRaftCluster(3, 26, null, io.tribune.api.PluginConfig.of(java.util.Map.of(
                "raft.leave.transfer", "false", "raft.storage.own-threads", "false", "raft.follower-reads", "false")));
        SimRaftCluster.Node leader = cluster.awaitLeader();
        SimRaftCluster.Node follower = cluster.others(leader).get(0);
        cluster.commit(leader, "w");
        cluster.sim.runFor(Duration.ofMillis(200));
        for (ReadConsistency mode : List.of(ReadConsistency.DEFAULT, ReadConsistency.CONSISTENT)) {
            CompletableFuture<Long> barrier = follower.consensus.readBarrier(mode, T);
            cluster.sim.runFor(Duration.ofMillis(10));
            NotLeaderException e = assertInstanceOf(NotLeaderException.class, causeOf(barrier));
            assertEquals(leader.id, e.leader().orElseThrow().id());
        }
        CompletableFuture<Long> stale = follower.consensus.readBarrier(ReadConsistency.STALE, T);
        assertTrue(stale.isDone() && stale.join() > 0, "stale reads are local either way");
    }

    /** Counts the ReadIndex requests a transport sends (streams and unary calls). */
    private static final class Counting extends ForwardingTransport {
        private final AtomicInteger readIndexes;

        Counting(Transport t, AtomicInteger readIndexes) {
            super(t);
            this.readIndexes = readIndexes;
        }

        private void count(byte[] payload) {
            try {
                for (Message m : WireCodec.decode(payload).messages()) {
                    if (m instanceof Message.ReadIndex) {
                        readIndexes.incrementAndGet();
                    }
                }
            } catch (IllegalArgumentException notMessages) {
                // A snapshot chunk.
            }
        }

        @Override
        public CompletableFuture<byte[]> call(Endpoint target, String method, byte[] request, Duration timeout) {
            count(request);
            return delegate.call(target, method, request, timeout);
        }

        @Override
        public OutboundStream openStream(Endpoint target, String method, Duration timeout) {
            OutboundStream s = delegate.openStream(target, method, timeout);
            return new OutboundStream() {
                @Override
                public CompletableFuture<Void> send(byte[] chunk) {
                    count(chunk);
                    return s.send(chunk);
                }

                @Override
                public CompletableFuture<byte[]> finish() {
                    return s.finish();
                }

                @Override
                public void cancel(String reason) {
                    s.cancel(reason);
                }
            };
        }
    }
}

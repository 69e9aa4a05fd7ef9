package io.tribune.raft.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.PluginConfig;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.raft.RaftPlugin;
import io.tribune.tck.consensus.RecordingStateMachine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The driver over real threads, storage-memory and transport-inproc. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RaftConsensusTest {
    private static final Duration T = Duration.ofSeconds(10);

    static PluginConfig fast(String... extra) {
        java.util.Map<String, String> m = new java.util.TreeMap<>(Map.of("raft.tick", "10ms"));
        for (int i = 0; i < extra.length; i += 2) {
            m.put(extra[i], extra[i + 1]);
        }
        return PluginConfig.of(m);
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    /**
     * Runs {@code op} on the current leader, again on the next one when leadership moved under it
     * ({@link NotLeaderException}), for up to 30 s. A command may then be applied twice, which the
     * callers' checks (logs equal on every server) allow.
     */
    static <T> T onLeader(InProcCluster c, java.util.function.Function<InProcCluster.Node, CompletableFuture<T>> op)
            throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return get(op.apply(c.awaitLeader(5_000)));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof NotLeaderException) || System.nanoTime() > end) {
                    throw e;
                }
            }
        }
    }

    @Test
    void descriptorAndFactoryNames() {
        RaftPlugin p = new RaftPlugin();
        assertEquals("raft", p.descriptor().name());
        assertEquals("raft", p.consensusFactories().get(0).name());
        assertTrue(p.consensusFactories().get(0).replicated());
    }

    @Test
    void leaderCrashIsFollowedByANewLeaderThatCommits() throws Exception {
        try (InProcCluster c = new InProcCluster(fast("raft.leave.transfer", "false")).start(3)) {
            InProcCluster.Node leader = c.awaitLeader(5_000);
            Applied a = get(leader.consensus.apply(RecordingStateMachine.command("before"), T));
            long term = leader.consensus.leadership().term();
            leader.consensus.close(); // a crash, as far as the others can tell
            InProcCluster.Node next = c.awaitLeader(5_000);
            assertNotEquals(leader.id, next.id);
            assertTrue(next.consensus.leadership().term() > term);
            Applied b = get(next.consensus.apply(RecordingStateMachine.command("after"), T));
            assertTrue(b.index() > a.index());
            assertEquals(List.of("before", "after"), next.sm.commands());
        }
    }

    @Test
    void lastContactKeepsGrowingWhileNoLeaderIsKnown() throws Exception {
        try (InProcCluster c = new InProcCluster(fast("raft.leave.transfer", "false")).start(3)) {
            InProcCluster.Node leader = c.awaitLeader(5_000);
            InProcCluster.Node other = c.nodes.values().stream().filter(n -> n != leader).findFirst().orElseThrow();
            InProcCluster.Node last = c.nodes.values().stream().filter(n -> n != leader && n != other).findFirst()
                    .orElseThrow();
            long end = System.nanoTime() + 5_000_000_000L;
            while (last.consensus.lastContact().toMillis() > 1_000 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertTrue(last.consensus.lastContact().toMillis() <= 1_000, "a follower in a healthy cluster");
            leader.consensus.close();
            other.consensus.close(); // the survivor can never elect a leader again
            end = System.nanoTime() + 10_000_000_000L;
            while (last.consensus.lastContact().toMillis() < 3_000 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertTrue(last.consensus.leadership().leader().isEmpty() || !last.consensus.isLeader());
            assertTrue(last.consensus.lastContact().toMillis() >= 3_000,
                    "last contact stopped growing at " + last.consensus.lastContact());
        }
    }

    @Test
    void gracefulLeaveTransfersLeadershipInOneTerm() throws Exception {
        try (InProcCluster c = new InProcCluster(fast()).start(3)) {
            InProcCluster.Node leader = c.awaitLeader(5_000);
            get(leader.consensus.apply(RecordingStateMachine.command("x"), T));
            long term = leader.consensus.leadership().term();
            leader.consensus.close(); // raft.leave.transfer defaults to true
            InProcCluster.Node next = c.awaitLeader(5_000);
            assertNotEquals(leader.id, next.id);
            assertEquals(term + 1, next.consensus.leadership().term(), "a transfer costs exactly one term");
        }
    }

    @Test
    void leaseReadsAreServedAtOnceAndEndWithLeadership() throws Exception {
        try (InProcCluster c = new InProcCluster(fast()).start(3)) {
            InProcCluster.Node leader = c.awaitLeader(5_000);
            Applied w = get(leader.consensus.apply(RecordingStateMachine.command("x"), T));
            var mode = io.tribune.api.consensus.ReadConsistency.DEFAULT;
            // Once a heartbeat round is acknowledged, a DEFAULT read is answered on the caller's thread.
            assertTrue(InProcCluster.await(5_000, () -> leader.consensus.readBarrier(mode, T).isDone()),
                    "a leader holding its lease answers DEFAULT reads without a round");
            long served = get(leader.consensus.readBarrier(mode, T));
            assertTrue(served >= w.index(), "an acknowledged write is visible to a lease read: " + served);
            String target = c.nodes.keySet().stream().filter(id -> !id.equals(leader.id)).findFirst().orElseThrow();
            get(leader.consensus.transferLeadership(java.util.Optional.of(target), T));
            InProcCluster.Node next = c.nodes.get(target);
            Applied y = get(next.consensus.apply(RecordingStateMachine.command("y"), T));
            // The old leader must not answer from its lease once another server leads: its DEFAULT
            // read is now a follower read, confirmed by the new leader, and sees the new leader's write
            // (or, if it cannot reach the new leader, it is refused with NotLeaderException).
            try {
                long after = get(leader.consensus.readBarrier(mode, T));
                assertTrue(after >= y.index(), "a read after the transfer covers the new leader's write: " + after);
                assertTrue(leader.sm.commands().contains("y"), "and the old leader has applied it: " + leader.sm.commands());
            } catch (ExecutionException e) {
                assertInstanceOf(io.tribune.api.consensus.NotLeaderException.class, e.getCause());
            }
        }
    }

    @Test
    void followersServeDefaultAndConsistentReadsThatSeeAcknowledgedWrites() throws Exception {
        try (InProcCluster c = new InProcCluster(fast()).start(3)) {
            InProcCluster.Node leader = c.awaitLeader(5_000);
            InProcCluster.Node follower = c.nodes.values().stream().filter(n -> n != leader).findFirst().orElseThrow();
            assertTrue(InProcCluster.await(5_000, () -> follower.consensus.leadership().leader().isPresent()));
            for (int i = 0; i < 20; i++) {
                var mode = i % 2 == 0 ? io.tribune.api.consensus.ReadConsistency.DEFAULT
                        : io.tribune.api.consensus.ReadConsistency.CONSISTENT;
                Applied w = get(leader.consensus.apply(RecordingStateMachine.command("w" + i), T));
                long index = get(follower.consensus.readBarrier(mode, T));
                assertTrue(index >= w.index(), mode + " follower read at " + index + " misses write " + w.index());
                assertTrue(follower.sm.commands().contains("w" + i), "applied on the follower when the barrier completes");
            }
        }
    }

    @Test
    void serversWithoutTheMessageStreamStillReplicateThroughUnaryCalls() throws Exception {
        // An older peer: it serves unary batches only, so streams to it fail with NO_HANDLER.
        try (InProcCluster c = new InProcCluster(fast()).wrapTransports(WithoutMessageStream::new).start(3)) {
            InProcCluster.Node leader = c.awaitLeader(5_000);
            Applied last = null;
            for (int i = 0; i < 20; i++) {
                last = get(leader.consensus.apply(RecordingStateMachine.command("w" + i), T));
            }
            long index = last.index();
            for (InProcCluster.Node n : c.nodes.values()) {
                assertTrue(InProcCluster.await(10_000, () -> n.sm.lastIndex() >= index), n.id + " caught up");
                assertEquals(leader.sm.commands(), n.sm.commands());
            }
        }
    }

    /**
     * A transport that, while {@link #failing}, throws from every sending method at once instead of
     * failing a future: as the agent's swappable transport did while a plugin was replaced live
     * ({@code maxMessageBytes} threw from raft's batching). A CI run of LiveUpdateIT then lost a
     * committed write on that server: the exception escaped the ready loop's cycle before it applied.
     */
    private static final class ThrowingWhileReplaced extends io.tribune.testkit.ForwardingTransport {
        volatile boolean failing;
        final java.util.concurrent.atomic.AtomicInteger thrown = new java.util.concurrent.atomic.AtomicInteger();

        ThrowingWhileReplaced(io.tribune.api.transport.Transport t) {
            super(t);
        }

        private void check() {
            if (failing) {
                thrown.incrementAndGet();
                throw new io.tribune.api.transport.TransportException(
                        io.tribune.api.transport.TransportException.Code.UNAVAILABLE, "being replaced", null, true);
            }
        }

        @Override
        public int maxMessageBytes() {
            check();
            return super.maxMessageBytes();
        }

        @Override
        public io.tribune.api.transport.OutboundStream openStream(io.tribune.api.transport.Endpoint target,
                                                                  String method, Duration timeout) {
            check();
            return super.openStream(target, method, timeout);
        }

        @Override
        public CompletableFuture<byte[]> call(io.tribune.api.transport.Endpoint target, String method,
                                              byte[] request, Duration timeout) {
            check();
            return super.call(target, method, request, timeout);
        }
    }

    @Test
    void aTransportThatThrowsWhileReplacedLosesMessagesButNeverACommittedEntry() throws Exception {
        java.util.List<ThrowingWhileReplaced> wrapped = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (InProcCluster c = new InProcCluster(fast()).wrapTransports(t -> {
            ThrowingWhileReplaced w = new ThrowingWhileReplaced(t);
            wrapped.add(w);
            return w;
        }).start(3)) {
            InProcCluster.Node leader = c.awaitLeader(5_000);
            for (int i = 0; i < 5; i++) {
                get(leader.consensus.apply(RecordingStateMachine.command("before" + i), T));
            }
            // Every transport throws in turn while writes go on: a follower's and then the leader's
            // sends fail synchronously, and each server's cycles must still apply what commits.
            java.util.List<String> acknowledged = new java.util.ArrayList<>();
            int w = 0;
            for (ThrowingWhileReplaced t : wrapped) {
                t.failing = true;
                for (int i = 0; i < 10; i++, w++) {
                    String cmd = "during" + w;
                    try {
                        onLeader(c, n -> n.consensus.apply(RecordingStateMachine.command(cmd), Duration.ofSeconds(2)));
                        acknowledged.add(cmd);
                    } catch (ExecutionException e) {
                        // Not acknowledged (the leader could not reach a majority in time): allowed.
                    }
                }
                t.failing = false;
            }
            assertTrue(wrapped.stream().allMatch(t -> t.thrown.get() > 0), "every transport threw at least once");
            Applied last = onLeader(c, n -> n.consensus.apply(RecordingStateMachine.command("after"), T));
            for (InProcCluster.Node n : c.nodes.values()) {
                assertTrue(InProcCluster.await(10_000, () -> n.sm.lastIndex() >= last.index()), n.id + " caught up");
            }
            java.util.List<String> reference = c.awaitLeader(5_000).sm.commands();
            for (InProcCluster.Node n : c.nodes.values()) {
                assertEquals(reference, n.sm.commands(), n.id + " applied the same entries in the same order");
                assertTrue(n.sm.commands().containsAll(acknowledged), n.id + " holds every acknowledged write");
            }
        }
    }

    /** A transport that does not serve the Raft message stream (as a server from before it existed). */
    private static final class WithoutMessageStream extends io.tribune.testkit.ForwardingTransport {
        WithoutMessageStream(io.tribune.api.transport.Transport t) {
            super(t);
        }

        @Override
        public void registerStream(String method, io.tribune.api.transport.StreamHandler h) {
            if (!method.equals(PeerLinks.MESSAGE_STREAM_METHOD)) {
                delegate.registerStream(method, h);
            }
        }
    }

    @Test
    void laggingServerCatchesUpThroughAStreamedSnapshot() throws Exception {
        PluginConfig cfg = fast("raft.snapshot.threshold", "20", "raft.snapshot.trailing-logs", "2",
                "raft.snapshot.chunk-bytes", "1024");
        try (InProcCluster c = new InProcCluster(cfg).start(3)) {
            // Real threads and a 10 ms tick: on a loaded machine leadership may move during the
            // test, which is Raft working, so each step goes to whoever leads at the time.
            for (int i = 0; i < 120; i++) {
                byte[] command = RecordingStateMachine.command("entry-" + i + "-" + "p".repeat(40));
                onLeader(c, n -> n.consensus.apply(command, T));
            }
            InProcCluster.Node leader = c.awaitLeader(5_000);
            assertTrue(leader.storage.log().firstIndex() > 2, "the leader compacted its log");
            InProcCluster.Node joiner = c.add("s4");
            joiner.consensus.start();
            onLeader(c, n -> n.consensus.configuration().stream().anyMatch(x -> x.id().equals("s4"))
                    ? CompletableFuture.completedFuture(null) : n.consensus.addVoter(joiner.info(), T));
            Applied last = onLeader(c, n -> n.consensus.apply(RecordingStateMachine.command("last"), T));
            assertTrue(InProcCluster.await(10_000, () -> joiner.sm.lastIndex() >= last.index()), "joiner caught up");
            assertTrue(joiner.sm.restores() >= 1, "the joiner was brought up by a snapshot, not the log");
            leader = c.awaitLeader(5_000);
            assertEquals(leader.sm.commands(), joiner.sm.commands());
        }
    }

    @Test
    void followerBarrierModesAndForwardingErrors() throws Exception {
        try (InProcCluster c = new InProcCluster(fast()).start(3)) {
            // Real threads on a shared machine: leadership may move between two reads (a stalled
            // heartbeat under load). What a leader reports is checked on a server that led in one
            // term from before the first read to after the last; another round otherwise.
            for (int round = 1; ; round++) {
                InProcCluster.Node leader = c.awaitLeader(5_000);
                long term = leader.consensus.leadership().term();
                try {
                    get(leader.consensus.apply(RecordingStateMachine.command("x" + round), T));
                    long consistent = get(leader.consensus.readBarrier(io.tribune.api.consensus.ReadConsistency.CONSISTENT, T));
                    long lease = get(leader.consensus.readBarrier(io.tribune.api.consensus.ReadConsistency.DEFAULT, T));
                    Duration contact = leader.consensus.lastContact();
                    Map<String, String> stats = leader.consensus.stats();
                    if (leader.consensus.isLeader() && leader.consensus.leadership().term() == term) {
                        assertTrue(lease >= consistent - 1 && consistent >= 2);
                        assertEquals(Duration.ZERO, contact);
                        assertEquals("Leader", stats.get("state"));
                        assertEquals(leader.id, stats.get("leader"));
                        assertTrue(Long.parseLong(stats.get("commit_index")) >= 3);
                        break;
                    }
                } catch (Exception e) {
                    if (leader.consensus.isLeader() && leader.consensus.leadership().term() == term) {
                        throw e; // a failure while leading throughout is the test's to report
                    }
                }
                assertTrue(round < 20, "leadership moved in each of 20 rounds");
            }
        }
    }

    @Test
    void badInputIsRefused() throws Exception {
        try (InProcCluster c = new InProcCluster(fast("raft.max-command-bytes", "100")).start(1)) {
            InProcCluster.Node leader = c.awaitLeader(5_000);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> get(leader.consensus.apply(new byte[101], T)));
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
            ExecutionException none = assertThrows(ExecutionException.class,
                    () -> get(leader.consensus.removeServer("s1", T)));
            assertInstanceOf(ConsensusException.class, none.getCause(), "removing the last voter is refused");
            assertEquals(1, leader.consensus.configuration().size());
            // Malformed wire input fails the call and changes nothing.
            long term = leader.consensus.leadership().term();
            CompletableFuture<byte[]> bad = leader.transport.call(leader.transport.localEndpoint(), PeerLinks.METHOD,
                    new byte[] {1, 0, 3, 'a'}, T);
            assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
            assertEquals(term, leader.consensus.leadership().term());
            assertTrue(leader.consensus.isLeader());
        }
        assertThrows(IllegalArgumentException.class, () -> RaftSettings.parse(PluginConfig.of(Map.of("raft.tick", "0ms")),
                8 << 20));
        assertThrows(IllegalArgumentException.class, () -> RaftSettings.parse(PluginConfig.of(Map.of("raft.multiplier", "11")),
                8 << 20));
        assertThrows(IllegalArgumentException.class, () -> RaftSettings.parse(PluginConfig.of(Map.of("raft.bogus", "1")),
                8 << 20));
        assertEquals(Duration.ofMillis(250), RaftSettings.parse(PluginConfig.of(Map.of("raft.multiplier", "5")),
                8 << 20).tickDuration());
    }

    @Test
    void restartedClusterRecoversItsLogFromStorage() throws Exception {
        java.util.Map<String, io.tribune.api.storage.Storage> kept = new java.util.LinkedHashMap<>();
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<String> before;
        long lastTerm;
        java.util.function.Supplier<io.tribune.api.storage.Storage> keep = () -> {
            io.tribune.api.storage.Storage s = io.tribune.storage.memory.InMemoryStorageFactory.newStorage();
            kept.put("s" + n.incrementAndGet(), s);
            return s;
        };
        // The cluster's close() closes storages too, so wrap them to survive it.
        java.util.function.Supplier<io.tribune.api.storage.Storage> unclosable = () -> new KeepOpen(keep.get());
        try (InProcCluster c = new InProcCluster(fast("raft.leave.transfer", "false"), unclosable).start(3)) {
            InProcCluster.Node leader = c.awaitLeader(5_000);
            for (int i = 0; i < 10; i++) {
                get(leader.consensus.apply(RecordingStateMachine.command("r" + i), T));
            }
            before = leader.sm.commands();
            lastTerm = leader.consensus.leadership().term();
        }
        java.util.Iterator<io.tribune.api.storage.Storage> it = kept.values().iterator();
        try (InProcCluster c = new InProcCluster(fast("raft.leave.transfer", "false"), () -> new KeepOpen(it.next()))) {
            for (int i = 1; i <= 3; i++) {
                InProcCluster.Node node = c.add("s" + i);
                assertTrue(node.consensus.hasState());
            }
            // A fresh hub hands out the same ports in the same order, so the endpoints recorded in the
            // persisted configuration still reach the restarted servers.
            for (InProcCluster.Node node : c.nodes.values()) {
                node.consensus.start();
                assertTrue(node.consensus.configuration().contains(node.info()),
                        "recovered configuration " + node.consensus.configuration() + " names " + node.info());
            }
            InProcCluster.Node leader = c.awaitLeader(8_000);
            assertTrue(leader.consensus.leadership().term() > lastTerm);
            Applied a = get(leader.consensus.apply(RecordingStateMachine.command("after-restart"), T));
            assertTrue(InProcCluster.await(5_000, () -> leader.sm.lastIndex() >= a.index()));
            java.util.List<String> expected = new java.util.ArrayList<>(before);
            expected.add("after-restart");
            assertEquals(expected, leader.sm.commands());
        }
    }

    /** A storage whose close() does nothing, so the test can reopen it as after a restart. */
    private static final class KeepOpen implements io.tribune.api.storage.Storage {
        private final io.tribune.api.storage.Storage d;

        KeepOpen(io.tribune.api.storage.Storage d) {
            this.d = d;
        }

        @Override
        public io.tribune.api.storage.LogStore log() {
            return d.log();
        }

        @Override
        public io.tribune.api.storage.StableStore stable() {
            return d.stable();
        }

        @Override
        public io.tribune.api.storage.SnapshotStore snapshots() {
            return d.snapshots();
        }

        @Override
        public void close() {
        }
    }
}

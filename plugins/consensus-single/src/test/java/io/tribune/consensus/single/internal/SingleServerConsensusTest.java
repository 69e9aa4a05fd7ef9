package io.tribune.consensus.single.internal;

import static io.tribune.testkit.Futures.causeOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.PluginConfig;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.consensus.ConsensusSetup;
import io.tribune.api.consensus.Leadership;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.LogStore;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.StableStore;
import io.tribune.api.storage.Storage;
import io.tribune.api.transport.Endpoint;
import io.tribune.consensus.single.ConsensusSinglePlugin;
import io.tribune.storage.memory.InMemoryStorageFactory;
import io.tribune.tck.consensus.RecordingStateMachine;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.TestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Unit tests of {@link SingleServerConsensus} on a deterministic scheduler and storage-memory. */
class SingleServerConsensusTest {
    private static final Duration T = Duration.ofSeconds(5);
    private final SimScheduler sim = new SimScheduler();
    private final CountingStorage storage = new CountingStorage(InMemoryStorageFactory.newStorage());
    private RecordingStateMachine sm;

    private Consensus create(Map<String, String> config) {
        sm = new RecordingStateMachine();
        return new SingleServerConsensusFactory().create(new ConsensusSetup("n1", sm, storage, Optional.empty()),
                PluginConfig.of(config), TestContext.simulated("n1", sim, 7));
    }

    private static <T> T done(CompletableFuture<T> f) {
        assertTrue(f.isDone(), "future should be complete");
        return f.join();
    }

    @Test
    void descriptorNamesPluginAndFactory() {
        ConsensusSinglePlugin p = new ConsensusSinglePlugin();
        assertEquals("consensus-single", p.descriptor().name());
        assertEquals("consensus-single", p.consensusFactories().get(0).name());
        assertFalse(p.consensusFactories().get(0).replicated());
    }

    @Test
    void proposalsQueuedTogetherShareOneAppend() {
        Consensus c = create(Map.of());
        c.start();
        List<CompletableFuture<Applied>> fs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fs.add(c.apply(RecordingStateMachine.command("x" + i), T));
        }
        int before = storage.appends;
        sim.runUntilIdle(1000);
        assertEquals(1, storage.appends - before, "50 queued proposals must cost one append (group commit)");
        for (int i = 0; i < 50; i++) {
            assertEquals(i + 1, done(fs.get(i)).index());
        }
        assertEquals(50, sm.commands().size());
    }

    @Test
    void stateMachineThatThrowsStopsTheServerAndARestartStopsAtTheSameEntry() {
        Consensus c = create(Map.of());
        c.start();
        List<Leadership> seen = new ArrayList<>();
        c.onLeadershipChange(seen::add);
        done(run(c.apply(RecordingStateMachine.command("a"), T)));
        sm.failOn("poison");
        // Queued together: one batch of three, appended (logged) together.
        CompletableFuture<Applied> poison = c.apply(RecordingStateMachine.command("poison"), T);
        CompletableFuture<Applied> after = c.apply(RecordingStateMachine.command("after"), T);
        CompletableFuture<Applied> last = c.apply(RecordingStateMachine.command("last"), T);
        sim.runUntilIdle(1000);
        long at = sm.failedAt();
        assertEquals(2, at, "the poison is the second command");
        for (CompletableFuture<Applied> f : List.of(poison, after, last)) {
            ConsensusException e = assertInstanceOf(ConsensusException.class, causeOf(f));
            assertTrue(e.getMessage().contains("index 2"), e.getMessage());
        }
        assertInstanceOf(IllegalStateException.class, causeOf(poison).getCause(), "the state machine's exception is the cause");
        assertEquals(List.of("a"), sm.commands(), "nothing after the failed entry is applied");
        assertEquals(1, c.appliedIndex());
        // No further part: every call is refused, naming the index, and the server leads no more.
        assertTrue(causeOf(run(c.apply(RecordingStateMachine.command("later"), T))).getMessage().contains("index 2"));
        for (ReadConsistency mode : ReadConsistency.values()) {
            assertTrue(causeOf(c.readBarrier(mode, T)).getMessage().contains("index 2"), mode.toString());
        }
        assertInstanceOf(ConsensusException.class, causeOf(c.snapshotNow()));
        assertFalse(c.isLeader());
        assertFalse(seen.get(seen.size() - 1).isLeader(), "listeners hear that the server no longer leads");
        assertEquals("Stopped", c.stats().get("state"));
        assertTrue(c.stats().get("stopped").contains("index 2"), c.stats().toString());
        assertEquals(List.of("a"), sm.commands());
        assertEquals(4, storage.log().lastIndex(), "the entries after the failed one stay logged, unapplied");
        c.close();

        // Deterministic state machine: a restart replays the log and stops at the same entry.
        Consensus again = create(Map.of());
        sm.failOn("poison");
        ConsensusException onStart = assertThrows(ConsensusException.class, again::start);
        assertTrue(onStart.getMessage().contains("index 2"), onStart.getMessage());
        assertEquals(List.of("a"), sm.commands());
        // With the cause fixed, a restart applies the rest of the log.
        Consensus fixed = create(Map.of());
        fixed.start();
        assertEquals(List.of("a", "poison", "after", "last"), sm.commands());
        assertTrue(fixed.isLeader());
    }

    @Test
    void dataWrittenByTheFormerCodecStillStarts() throws java.io.IOException {
        // consensus-single's own codec wrote the same format as raft's, which moved to the SPI as
        // ServerConfigurations; these bytes were captured from it for [n1 at 127.0.0.1:0, voter].
        byte[] old = java.util.HexFormat.of().parseHex("010000000100026e3100093132372e302e302e310000000001");
        List<ServerInfo> expected = List.of(new ServerInfo("n1", new Endpoint("127.0.0.1", 0), true));
        RecordingStateMachine before = new RecordingStateMachine();
        before.apply(2, 1, RecordingStateMachine.command("s2"));
        java.io.ByteArrayOutputStream state = new java.io.ByteArrayOutputStream();
        before.snapshot().writeTo(state);
        storage.log().append(List.of(new LogEntry(1, 1, io.tribune.api.storage.EntryKind.CONFIGURATION, old),
                new LogEntry(2, 1, io.tribune.api.storage.EntryKind.COMMAND, RecordingStateMachine.command("s2"))));
        try (var w = storage.snapshots().create(2, 1, old)) {
            w.stream().write(state.toByteArray());
            w.commit();
        }
        storage.log().append(List.of(new LogEntry(3, 1, io.tribune.api.storage.EntryKind.COMMAND,
                RecordingStateMachine.command("s3"))));
        storage.stable().putLong(SingleServerConsensus.TERM_KEY, 1);
        Consensus c = create(Map.of());
        c.start();
        assertEquals(expected, c.configuration());
        assertEquals(List.of("s2", "s3"), sm.commands());
        assertEquals(2, sm.restoredAt());
        assertEquals(4, done(run(c.apply(RecordingStateMachine.command("s4"), T))).index());
    }

    private <T> CompletableFuture<T> run(CompletableFuture<T> f) {
        sim.runUntilIdle(1000);
        return f;
    }

    @Test
    void batchSizeIsBoundedByConfig() {
        Consensus c = create(Map.of("consensus-single.max-batch-entries", "8"));
        c.start();
        for (int i = 0; i < 20; i++) {
            c.apply(RecordingStateMachine.command("x" + i), T);
        }
        int before = storage.appends;
        sim.runUntilIdle(1000);
        assertEquals(3, storage.appends - before, "20 proposals in batches of at most 8");
    }

    @Test
    void termIsPersistedAndBumpedOnEveryStart() {
        Consensus c = create(Map.of());
        c.start();
        long t1 = c.leadership().term();
        assertEquals(t1, storage.stable().getLong(SingleServerConsensus.TERM_KEY, 0));
        c.close();
        Consensus c2 = create(Map.of());
        c2.start();
        assertEquals(t1 + 1, c2.leadership().term());
        assertEquals(t1 + 1, storage.stable().getLong(SingleServerConsensus.TERM_KEY, 0));
    }

    @Test
    void automaticSnapshotAtThresholdCompactsLog() {
        Consensus c = create(Map.of("consensus-single.snapshot.threshold", "10"));
        c.start();
        for (int i = 0; i < 25; i++) {
            c.apply(RecordingStateMachine.command("x" + i), T);
            sim.runUntilIdle(100);
        }
        long snap = storage.snapshots().latest().orElseThrow().index();
        assertEquals(20, snap, "snapshots at 10 and 20 applied entries");
        assertEquals(21, storage.log().firstIndex(), "log compacted up to the snapshot");
        c.close();
        Consensus c2 = create(Map.of());
        c2.start();
        assertEquals(20, sm.restoredAt());
        assertEquals(25, sm.commands().size());
        assertEquals(25, c2.appliedIndex());
    }

    @Test
    void timeoutFailsFutureButCommandMayStillCommit() {
        Consensus c = create(Map.of());
        c.start();
        // The timer is scheduled before the drain task, so on the simulated scheduler it fires first.
        CompletableFuture<Applied> f = c.apply(RecordingStateMachine.command("slow"), Duration.ZERO);
        sim.runUntilIdle(100);
        Throwable t = causeOf(f);
        assertInstanceOf(ConsensusException.class, t);
        assertTrue(t.getMessage().contains("may still commit"), t.getMessage());
        assertEquals(List.of("slow"), sm.commands(), "the timed-out command is still applied");
    }

    @Test
    void leadershipIsSelfAfterStartAndListenersHearIt() {
        Consensus c = create(Map.of());
        List<Leadership> seen = new ArrayList<>();
        c.onLeadershipChange(seen::add);
        assertFalse(seen.get(0).isLeader(), "not leader before start");
        c.start();
        assertTrue(seen.get(1).isLeader());
        assertEquals("n1", seen.get(1).leader().orElseThrow().id());
        c.close();
        assertFalse(seen.get(2).isLeader(), "not leader after close");
    }

    @Test
    void membershipChangesFailWithClearError() {
        Consensus c = create(Map.of());
        c.start();
        ServerInfo other = new ServerInfo("n2", new Endpoint("127.0.0.1", 1), true);
        Throwable t = causeOf(c.addVoter(other, T));
        assertInstanceOf(ConsensusException.class, t);
        assertEquals("single-server consensus cannot change membership", t.getMessage());
        assertInstanceOf(ConsensusException.class, causeOf(c.removeServer("n1", T)));
        assertInstanceOf(ConsensusException.class, causeOf(c.transferLeadership(Optional.empty(), T)));
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        Consensus c = create(Map.of("consensus-single.max-command-bytes", "16"));
        assertInstanceOf(ConsensusException.class, causeOf(c.apply(new byte[1], T)), "apply before start");
        c.start();
        assertInstanceOf(IllegalArgumentException.class, causeOf(c.apply(new byte[17], T)));
        assertInstanceOf(IllegalArgumentException.class, causeOf(c.apply(null, T)));
        sim.runUntilIdle(100);
        assertEquals(0, storage.log().lastIndex(), "nothing may be logged");
        assertThrows(IllegalArgumentException.class, () -> create(Map.of("consensus-single.snapshot.threshold", "0")));
        assertThrows(IllegalArgumentException.class, () -> create(Map.of("consensus-single.typo", "1")));
    }

    @Test
    void bootstrapAcceptsOnlyItselfAndPersistsConfiguration() {
        Consensus c = create(Map.of());
        ServerInfo self = new ServerInfo("n1", new Endpoint("10.0.0.1", 8300), true);
        assertThrows(ConsensusException.class, () -> c.bootstrap(List.of(
                new ServerInfo("n9", new Endpoint("10.0.0.9", 8300), true))));
        assertFalse(c.hasState(), "a refused bootstrap changes nothing");
        c.bootstrap(List.of(self));
        assertTrue(c.hasState());
        c.start();
        assertEquals(List.of(self), c.configuration());
        assertEquals(self, c.leadership().leader().orElseThrow());
        c.close();
        Consensus c2 = create(Map.of());
        c2.start();
        assertEquals(List.of(self), c2.configuration(), "configuration survives restart through the log");
    }

    @Test
    void failedAppendFailsTheBatchAndLaterWritesSucceed() {
        Consensus c = create(Map.of());
        c.start();
        storage.failNextAppend = true;
        CompletableFuture<Applied> f = c.apply(RecordingStateMachine.command("lost"), T);
        sim.runUntilIdle(100);
        assertInstanceOf(ConsensusException.class, causeOf(f));
        assertEquals(List.of(), sm.commands(), "a command that was not logged is not applied");
        CompletableFuture<Applied> g = c.apply(RecordingStateMachine.command("kept"), T);
        sim.runUntilIdle(100);
        assertEquals(1, done(g).index());
    }

    /** Wraps a storage to count log appends and inject one append failure. */
    private static final class CountingStorage implements Storage {
        private final Storage delegate;
        int appends;
        boolean failNextAppend;
        private final LogStore log;

        CountingStorage(Storage delegate) {
            this.delegate = delegate;
            LogStore d = delegate.log();
            this.log = new LogStore() {
                @Override
                public long firstIndex() {
                    return d.firstIndex();
                }

                @Override
                public long lastIndex() {
                    return d.lastIndex();
                }

                @Override
                public Optional<LogEntry> get(long index) {
                    return d.get(index);
                }

                @Override
                public List<LogEntry> range(long fromIndex, long toIndex, long maxBytes) {
                    return d.range(fromIndex, toIndex, maxBytes);
                }

                @Override
                public void append(List<LogEntry> entries) {
                    if (failNextAppend) {
                        failNextAppend = false;
                        throw new io.tribune.api.storage.StorageException("injected append failure");
                    }
                    appends++;
                    d.append(entries);
                }

                @Override
                public void truncateSuffix(long fromIndex) {
                    d.truncateSuffix(fromIndex);
                }

                @Override
                public void truncatePrefix(long toIndex) {
                    d.truncatePrefix(toIndex);
                }
            };
        }

        @Override
        public LogStore log() {
            return log;
        }

        @Override
        public StableStore stable() {
            return delegate.stable();
        }

        @Override
        public SnapshotStore snapshots() {
            return delegate.snapshots();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}

package io.tribune.raft.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.PluginConfig;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusSetup;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.LogStore;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.StableStore;
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
import org.junit.jupiter.api.Test;

/** The driver on the deterministic scheduler: group commit and persist-before-apply ordering. */
class RaftGroupCommitTest {

    @Test
    void proposalsArrivingTogetherShareOneAppend() {
        SimScheduler sim = new SimScheduler();
        TestContext ctx = TestContext.simulated("g1", sim, 5);
        CountingStorage storage = new CountingStorage(InMemoryStorageFactory.newStorage());
        Transport transport = new InProcTransportFactory().create(TransportSetup.plain(new Endpoint("127.0.0.1", 0)),
                PluginConfig.of(Map.of(InProcTransportFactory.HUB_KEY, "raft-group-commit")), ctx);
        transport.start();
        RecordingStateMachine sm = new RecordingStateMachine();
        Consensus c = new RaftConsensusFactory().create(new ConsensusSetup("g1", sm, storage, Optional.of(transport)),
                PluginConfig.of(Map.of("raft.leave.transfer", "false", "raft.storage.own-threads", "false")), ctx);
        try {
            c.bootstrap(List.of(new ServerInfo("g1", transport.localEndpoint(), true)));
            c.start();
            assertTrue(sim.runUntil(c::isLeader, Duration.ofSeconds(5)), "a single voter elects itself");
            sim.runFor(Duration.ofMillis(100));
            int before = storage.appends;
            List<CompletableFuture<Applied>> fs = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                fs.add(c.apply(RecordingStateMachine.command("c" + i), Duration.ofSeconds(5)));
            }
            assertTrue(sim.runUntil(() -> fs.stream().allMatch(CompletableFuture::isDone), Duration.ofSeconds(5)));
            assertEquals(1, storage.appends - before, "50 proposals queued together cost one append (one fsync)");
            assertEquals(50, storage.appendedEntries - storage.entriesBefore(before));
            for (int i = 0; i < 50; i++) {
                assertEquals("c" + i, sm.commands().get(i));
                assertEquals(fs.get(0).join().index() + i, fs.get(i).join().index());
            }
        } finally {
            c.close();
            transport.close();
        }
    }

    /** Counts appends and appended entries. */
    static final class CountingStorage implements Storage {
        private final Storage d;
        int appends;
        int appendedEntries;
        private final List<Integer> entriesAtAppend = new ArrayList<>();
        private final LogStore log;

        CountingStorage(Storage d) {
            this.d = d;
            LogStore l = d.log();
            this.log = new LogStore() {
                @Override
                public long firstIndex() {
                    return l.firstIndex();
                }

                @Override
                public long lastIndex() {
                    return l.lastIndex();
                }

                @Override
                public Optional<LogEntry> get(long index) {
                    return l.get(index);
                }

                @Override
                public List<LogEntry> range(long fromIndex, long toIndex, long maxBytes) {
                    return l.range(fromIndex, toIndex, maxBytes);
                }

                @Override
                public void append(List<LogEntry> entries) {
                    entriesAtAppend.add(appendedEntries);
                    appends++;
                    appendedEntries += entries.size();
                    l.append(entries);
                }

                @Override
                public void truncateSuffix(long fromIndex) {
                    l.truncateSuffix(fromIndex);
                }

                @Override
                public void truncatePrefix(long toIndex) {
                    l.truncatePrefix(toIndex);
                }
            };
        }

        /** Entries appended before the {@code n}-th append. */
        int entriesBefore(int n) {
            return n < entriesAtAppend.size() ? entriesAtAppend.get(n) : appendedEntries;
        }

        @Override
        public LogStore log() {
            return log;
        }

        @Override
        public StableStore stable() {
            return d.stable();
        }

        @Override
        public SnapshotStore snapshots() {
            return d.snapshots();
        }

        @Override
        public void close() {
            d.close();
        }
    }
}

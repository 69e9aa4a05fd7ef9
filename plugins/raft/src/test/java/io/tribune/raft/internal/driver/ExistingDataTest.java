package io.tribune.raft.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.PluginConfig;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusSetup;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.Storage;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportSetup;
import io.tribune.storage.memory.InMemoryStorageFactory;
import io.tribune.tck.consensus.RecordingStateMachine;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.TestContext;
import io.tribune.transport.inproc.InProcTransportFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A data directory written before the configuration codec moved to the SPI still starts: its
 * bootstrap entry and its snapshot's configuration were encoded by raft's former codec (the bytes
 * below were captured from it), and the server recovers the same configuration and goes on.
 */
class ExistingDataTest {
    /** n1 (voter, 10.0.0.1:8300) and server-2 (non-voter, host-b.example:8301), as raft wrote them. */
    private static final byte[] OLD_CONFIGURATION = HexFormat.of().parseHex(
            "010000000200026e31000831302e302e302e310000206c0100087365727665722d32000e686f73742d622e6578616d706c650000206d00");

    @Test
    void logAndSnapshotWrittenByTheFormerCodecRecover() throws IOException {
        SimScheduler sim = new SimScheduler();
        TestContext ctx = TestContext.simulated("n1", sim, 3);
        Storage storage = InMemoryStorageFactory.newStorage();
        // What an older server left: term 3, a snapshot at 5 whose metadata holds the configuration,
        // and the log after it starting with the configuration entry of the same bytes.
        RecordingStateMachine before = new RecordingStateMachine();
        for (int i = 1; i <= 5; i++) {
            before.apply(i, 2, RecordingStateMachine.command("old" + i));
        }
        ByteArrayOutputStream state = new ByteArrayOutputStream();
        before.snapshot().writeTo(state);
        try (var w = storage.snapshots().create(5, 2, OLD_CONFIGURATION)) {
            w.stream().write(state.toByteArray());
            w.commit();
        }
        storage.log().append(List.of(new LogEntry(6, 3, EntryKind.CONFIGURATION, OLD_CONFIGURATION),
                new LogEntry(7, 3, EntryKind.COMMAND, RecordingStateMachine.command("old7"))));
        storage.stable().putLong(RaftConsensus.TERM_KEY, 3);

        Transport transport = new InProcTransportFactory().create(TransportSetup.plain(new Endpoint("127.0.0.1", 0)),
                PluginConfig.of(Map.of(InProcTransportFactory.HUB_KEY, "raft-existing-data")), ctx);
        transport.start();
        RecordingStateMachine sm = new RecordingStateMachine();
        Consensus c = new RaftConsensusFactory().create(new ConsensusSetup("n1", sm, storage, Optional.of(transport)),
                RaftFailStopTest.config(), ctx);
        try {
            assertTrue(c.hasState());
            c.start();
            assertEquals(List.of("n1", "server-2"), c.configuration().stream().map(s -> s.id()).toList());
            assertEquals(new Endpoint("host-b.example", 8301), c.configuration().get(1).endpoint());
            assertTrue(sim.runUntil(c::isLeader, Duration.ofSeconds(10)), "the only voter elects itself");
            CompletableFuture<Applied> next = c.apply(RecordingStateMachine.command("new"), Duration.ofSeconds(5));
            assertTrue(sim.runUntil(next::isDone, Duration.ofSeconds(5)));
            assertEquals(List.of("old1", "old2", "old3", "old4", "old5", "old7", "new"), sm.commands());
            assertEquals(5, sm.restoredAt());
        } finally {
            c.close();
            transport.close();
            storage.close();
        }
    }
}

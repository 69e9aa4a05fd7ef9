package io.tribune.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.rpc.AgentException;
import io.tribune.api.PluginConfig;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.ConsensusException;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.KvEntry;
import io.tribune.state.RequestId;
import io.tribune.state.StateStore;
import io.tribune.testkit.SimScheduler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The leader's side of a staged restore, against a real state store standing in for the log
 * (each proposal is applied at the next index, as a one-server consensus would) and the
 * simulated scheduler for the wait on the local apply.
 */
class SnapshotRestoreTest {
    private static final RequestId ID = new RequestId(0xc0ffeeL, 3);
    private final SimScheduler sim = new SimScheduler();
    private final StateStore store = new StateStore(Runnable::run);
    private final AtomicLong index = new AtomicLong();
    private final List<Command> proposed = new ArrayList<>();

    /**
     * Applies each proposal to {@link #store} at the next index under its request id, as the leader's
     * proposal does (a repeat is answered with its first application); records the commands.
     */
    private CompletableFuture<Applied> applyLocally(Command command, RequestId id) {
        proposed.add(command);
        long i = index.incrementAndGet();
        byte[] once = new Command.Dedup(id, 0, command).encode();
        return CompletableFuture.completedFuture(CommandResult.original(new Applied(i, store.apply(i, 1, once))));
    }

    private SnapshotRestore restorer(SnapshotRestore.Proposer p) {
        return new SnapshotRestore(p, store::lastIndex, sim.clock(), sim, Duration.ofSeconds(7));
    }

    private static byte[] snapshotWith(String key, byte[] value) throws IOException {
        StateStore src = new StateStore(Runnable::run);
        src.apply(1, new Command.KvSet(key, value, 0, OptionalLong.empty()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        src.snapshot().writeTo(out);
        return out.toByteArray();
    }

    private static AgentException failure(CompletableFuture<?> f) {
        Throwable t = f.handle((x, e) -> e).join();
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return assertInstanceOf(AgentException.class, t);
    }

    @Test
    void pieceSizeIsAQuarterOfTheCommandBoundWithin1KiBAnd256KiB() {
        assertEquals(256 * 1024, SnapshotRestore.chunkBytes(PluginConfig.empty(), "raft"));
        assertEquals(256 * 1024, SnapshotRestore.chunkBytes(PluginConfig.of(Map.of("raft.max-command-bytes",
                Integer.toString(1 << 20))), "raft"));
        assertEquals(100_000, SnapshotRestore.chunkBytes(PluginConfig.of(Map.of("raft.max-command-bytes",
                "400000")), "raft"));
        assertEquals(1024, SnapshotRestore.chunkBytes(PluginConfig.of(Map.of("raft.max-command-bytes", "2000")),
                "raft"));
        assertEquals(256 * 1024, SnapshotRestore.chunkBytes(PluginConfig.of(Map.of(
                "consensus-single.max-command-bytes", Integer.toString(8 << 20))), "consensus-single"));
        // Another plugin's bound does not apply, and an unparsable one is left to the plugin to refuse.
        assertEquals(256 * 1024, SnapshotRestore.chunkBytes(PluginConfig.of(Map.of("raft.max-command-bytes",
                "4000")), "consensus-single"));
        assertEquals(256 * 1024, SnapshotRestore.chunkBytes(PluginConfig.of(Map.of("raft.max-command-bytes",
                "lots")), "raft"));
    }

    @Test
    void proposesBeginPiecesInOrderAndCommitThenAnswersWithTheCommitIndex() throws IOException {
        byte[] value = new byte[5000];
        java.util.Arrays.fill(value, (byte) 'v');
        byte[] snap = snapshotWith("restored", value);
        store.apply(index.incrementAndGet(), new Command.KvSet("live", new byte[] {1}, 0, OptionalLong.empty()));
        long commit = restorer(this::applyLocally).run(ID, snap, 1024).join();
        int pieces = (snap.length + 1023) / 1024;
        assertEquals(pieces + 2, proposed.size());
        assertInstanceOf(Command.RestoreBegin.class, proposed.get(0));
        long offset = 0;
        for (Command c : proposed.subList(1, pieces + 1)) {
            Command.RestoreChunk k = assertInstanceOf(Command.RestoreChunk.class, c);
            assertEquals(offset, k.offset());
            assertTrue(k.length() <= 1024);
            offset += k.length();
        }
        assertEquals(snap.length, offset);
        assertInstanceOf(Command.RestoreCommit.class, proposed.get(proposed.size() - 1));
        assertEquals(index.get(), commit);
        assertEquals(List.of("restored"), store.kvList("").value().stream().map(KvEntry::key).toList());
        assertEquals(SnapshotRestore.restoreId(ID), ((Command.RestoreBegin) proposed.get(0)).id());
    }

    @Test
    void aRetryOfTheSameRequestIsAnsweredFromTheDedupTableAndRestoresNothingTwice() throws IOException {
        byte[] snap = snapshotWith("restored", "v".getBytes(StandardCharsets.UTF_8));
        long commit = restorer(this::applyLocally).run(ID, snap, 64).join();
        // Written after the restore; a second restore of the same snapshot would wipe it out.
        store.apply(index.incrementAndGet(), new Command.KvSet("after", new byte[] {1}, 0, OptionalLong.empty()));
        int proposals = proposed.size();
        // The reply was lost and the request is sent again, with the same request id.
        long again = restorer(this::applyLocally).run(ID, snap, 64).join();
        assertEquals(commit, again, "the retry reports the restore that happened");
        assertEquals(2 * proposals, proposed.size(), "the retry proposes the same steps");
        assertEquals(List.of("after", "restored"), store.kvList("").value().stream().map(KvEntry::key).toList());
        // Another request restores again.
        restorer(this::applyLocally).run(new RequestId(0xc0ffeeL, 4), snap, 64).join();
        assertEquals(List.of("restored"), store.kvList("").value().stream().map(KvEntry::key).toList());
    }

    @Test
    void aPieceThatCannotCommitFailsTheRestoreNamingTheStepAndLeavesTheStateAlone() throws IOException {
        byte[] snap = snapshotWith("restored", "v".getBytes(StandardCharsets.UTF_8));
        store.apply(index.incrementAndGet(), new Command.KvSet("live", new byte[] {1}, 0, OptionalLong.empty()));
        int[] calls = {0};
        AgentException e = failure(restorer((command, id) -> ++calls[0] == 3
                ? CompletableFuture.failedFuture(new ConsensusException("timed out waiting for the commit"))
                : applyLocally(command, id)).run(ID, snap, 64));
        assertEquals(AgentException.Kind.TIMEOUT, e.kind());
        assertTrue(e.getMessage().contains("piece 2 of") && e.getMessage().contains("timed out")
                && e.getMessage().contains("the state is unchanged"), e.getMessage());
        assertEquals(List.of("live"), store.kvList("").value().stream().map(KvEntry::key).toList());
        assertEquals(3, calls[0], "nothing is proposed after the failed step");
    }

    @Test
    void aConcurrentRestoreThatAbandonsThisOneFailsItWithTheReason() throws IOException {
        byte[] snap = snapshotWith("restored", "v".getBytes(StandardCharsets.UTF_8));
        int[] calls = {0};
        AgentException e = failure(restorer((command, id) -> {
            if (++calls[0] == 2) {
                // Another leader request's begin lands between this restore's begin and first piece.
                applyLocally(new Command.RestoreBegin("dddddddd-0000-4000-8000-000000000004", 10, 1),
                        new RequestId(9, 9));
            }
            return applyLocally(command, id);
        }).run(ID, snap, 64));
        assertEquals(AgentException.Kind.CONFLICT, e.kind());
        assertTrue(e.getMessage().contains("is staged instead"), e.getMessage());
        assertTrue(store.kvList("").value().isEmpty());
    }

    @Test
    void aCommitThisServerHasNotAppliedInTimeIsReportedNotClaimed() throws IOException {
        byte[] snap = snapshotWith("restored", "v".getBytes(StandardCharsets.UTF_8));
        // The results are right, but the commit indexes reported are ones this server never reaches
        // (as when leadership moved and this server lags behind the new leader).
        SnapshotRestore r = restorer((command, id) -> CompletableFuture.completedFuture(new Applied(1000 + index
                .incrementAndGet(), store.apply(index.get(), 1, new Command.Dedup(id, 0, command).encode()))));
        CompletableFuture<Long> f = r.run(ID, snap, 1 << 20);
        assertTrue(!f.isDone(), "waits for the local apply");
        sim.runFor(Duration.ofSeconds(8));
        AgentException e = failure(f);
        assertTrue(e.getMessage().contains("had not applied it"), e.getMessage());
    }
}

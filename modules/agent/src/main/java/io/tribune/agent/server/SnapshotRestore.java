package io.tribune.agent.server;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.internal.RequestIds;
import io.tribune.agent.rpc.internal.Router;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.api.Clock;
import io.tribune.api.PluginConfig;
import io.tribune.api.Scheduler;
import io.tribune.api.consensus.Applied;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.RequestId;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * Proposes one verified snapshot as a staged restore through the replicated log:
 * {@link Command.RestoreBegin} (id, length, CRC32C), then {@link Command.RestoreChunk}s in order,
 * each proposed only once the previous one committed, then {@link Command.RestoreCommit}. Every
 * server applies the same entries, so every server swaps the same snapshot in at the commit's
 * index, and a server that replays its log (or restores a consensus snapshot taken in between,
 * which carries the staged pieces) reaches the same state.
 *
 * <p><b>Piece size.</b> {@link #chunkBytes}: a quarter of the consensus plugin's command bound
 * ({@code <plugin>.max-command-bytes} when configured), at most {@link #DEFAULT_CHUNK_BYTES}
 * (256 KiB, a quarter of raft's default 1 MiB and far under consensus-single's 8 MiB) and at
 * least 1 KiB. A quarter leaves room for the piece's framing (about 60 bytes) and for the
 * transport's own envelope when a follower forwards the proposal to the leader, and keeps each
 * entry small enough that replicating it does not delay heartbeats.
 *
 * <p><b>At most once.</b> A restore serves one request, and its reply may be lost after it
 * committed: the caller (or the client agent that forwarded it) then sends the request again,
 * possibly to another server. So everything is derived from the request's id: the restore's id,
 * and one request id per step ({@link RequestIds#derive}: begin, each piece by offset and length,
 * commit), each proposed in a {@link Command.Dedup} envelope. A retry of the whole request
 * proposes the same steps under the same ids, so the steps that already applied are answered from
 * the state machine's dedup table instead of abandoning and restoring again, and two attempts
 * running at once converge on one restore.
 *
 * <p><b>Failures.</b> The first step that fails (no leader, a timeout, a result other than the
 * expected one, e.g. because a concurrent restore's begin abandoned this one) fails the whole
 * restore with that reason. Until the commit applies, nothing visible changes; the pieces staged
 * so far stay in every server's state until the next restore begins, which abandons them, so an
 * unfinished restore is harmless.
 */
public final class SnapshotRestore {
    /** Largest piece proposed: 256 KiB. */
    static final int DEFAULT_CHUNK_BYTES = 256 * 1024;
    /** Smallest piece proposed, however small the configured bound. */
    static final int MIN_CHUNK_BYTES = 1024;

    /**
     * Proposes one command under a request id on the leader; completes with its commit index and its
     * first result (a repeat of an applied id is answered with the first application).
     */
    interface Proposer {
        CompletableFuture<Applied> propose(Command command, RequestId id);
    }

    private final Proposer proposer;
    private final LongSupplier localAppliedIndex;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Duration applyWait;

    /**
     * @param proposer          proposes commands on this server, the leader; a leader change in the
     *                          middle fails the restore with {@link NotLeaderException}, and the request
     *                          layer runs it again on the new leader under the same ids
     * @param localAppliedIndex this server's last applied index
     * @param clock             for the bounded wait on the local apply of the commit
     * @param scheduler         runs that wait's polls
     * @param applyWait         how long to wait for this server to apply the commit
     */
    SnapshotRestore(Proposer proposer, LongSupplier localAppliedIndex, Clock clock, Scheduler scheduler,
                    Duration applyWait) {
        this.proposer = Objects.requireNonNull(proposer, "proposer");
        this.localAppliedIndex = Objects.requireNonNull(localAppliedIndex, "localAppliedIndex");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.applyWait = Objects.requireNonNull(applyWait, "applyWait");
    }

    /**
     * The piece size for a consensus plugin named {@code consensusPlugin} configured with
     * {@code config} (see the class comment). A bound that does not parse is ignored here: the
     * plugin itself refuses it at start.
     */
    public static int chunkBytes(PluginConfig config, String consensusPlugin) {
        String v = config.get(consensusPlugin + ".max-command-bytes");
        if (v == null) {
            return DEFAULT_CHUNK_BYTES;
        }
        long bound;
        try {
            bound = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return DEFAULT_CHUNK_BYTES;
        }
        return (int) Math.max(MIN_CHUNK_BYTES, Math.min(DEFAULT_CHUNK_BYTES, bound / 4));
    }

    /** The restore id that the request {@code request} stages its snapshot under. */
    static String restoreId(RequestId request) {
        return RequestIds.uuid(request, "restore");
    }

    /**
     * Restores {@code snapshot} (already verified by the caller) for the HTTP request
     * {@code request}, in pieces of {@code chunkBytes}; completes with the commit's index once this
     * server applied it, or fails with an {@link AgentException} naming the step that failed (or with
     * {@link NotLeaderException} when this server lost its leadership on the way).
     */
    CompletableFuture<Long> run(RequestId request, byte[] snapshot, int chunkBytes) {
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("chunkBytes must be positive, got " + chunkBytes);
        }
        String id = restoreId(request);
        CRC32C crc = new CRC32C();
        crc.update(snapshot, 0, snapshot.length);
        int pieces = (snapshot.length + chunkBytes - 1) / chunkBytes;
        CompletableFuture<Applied> chain = step("announcing the restore", RequestIds.derive(request, "restore-begin"),
                new Command.RestoreBegin(id, snapshot.length, crc.getValue()),
                r -> r instanceof CommandResult.Done);
        for (int i = 0; i < pieces; i++) {
            int at = i * chunkBytes;
            int end = Math.min(snapshot.length, at + chunkBytes);
            String what = "proposing piece " + (i + 1) + " of " + pieces;
            // Named by offset and length, not by number: a retry cut into other pieces (another
            // server's command bound) gets other ids, and the state machine refuses its pieces as
            // out of order instead of mistaking them for the ones already staged.
            RequestId stepId = RequestIds.derive(request, "restore-chunk:" + at + "+" + (end - at));
            Command piece = new Command.RestoreChunk(id, at, Arrays.copyOfRange(snapshot, at, end));
            chain = chain.thenCompose(x -> step(what, stepId, piece,
                    r -> r instanceof CommandResult.Count c && c.value() == end));
        }
        return chain.thenCompose(x -> step("committing the restore", RequestIds.derive(request, "restore-commit"),
                        new Command.RestoreCommit(id), r -> r instanceof CommandResult.Done))
                .thenCompose(applied -> awaitLocal(applied.index()));
    }

    /** Proposes {@code cmd} under the request id {@code stepId}; fails unless its result passes {@code expected}. */
    private CompletableFuture<Applied> step(String what, RequestId stepId, Command cmd,
                                            Predicate<CommandResult> expected) {
        CompletableFuture<Applied> f;
        try {
            f = proposer.propose(cmd, stepId);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.handle((applied, t) -> {
            if (t != null) {
                Throwable c = AgentException.unwrap(t);
                if (c instanceof NotLeaderException) {
                    // The request layer moves the whole restore to the new leader, under the same ids.
                    throw new CompletionException(c);
                }
                AgentException e = AgentException.of(Router.mapFailure(c));
                throw new CompletionException(new AgentException(cmd instanceof Command.RestoreCommit
                        ? AgentException.Kind.OUTCOME_UNKNOWN : e.kind(), "snapshot restore failed " + what + ": "
                        + e.getMessage() + outcome(cmd)));
            }
            CommandResult r = CommandResult.decode(applied.result());
            if (!expected.test(r)) {
                String reason = r instanceof CommandResult.Failed fl ? fl.message() : "unexpected result " + r;
                throw new CompletionException(new AgentException(AgentException.Kind.CONFLICT,
                        "snapshot restore failed " + what + ": " + reason + "; the state is unchanged"));
            }
            return applied;
        });
    }

    /** What a failed proposal means for the state. */
    private static String outcome(Command cmd) {
        return cmd instanceof Command.RestoreCommit
                ? "; the commit's outcome is unknown: it may still apply and restore the snapshot"
                : "; the state is unchanged";
    }

    /** Completes once this server applied {@code index}, polling every 5 ms for at most {@link #applyWait}. */
    private CompletableFuture<Long> awaitLocal(long index) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        poll(index, clock.nanos() + applyWait.toNanos(), done);
        return done;
    }

    private void poll(long index, long deadlineNanos, CompletableFuture<Long> done) {
        if (localAppliedIndex.getAsLong() >= index) {
            done.complete(index);
            return;
        }
        if (clock.nanos() >= deadlineNanos) {
            done.completeExceptionally(new AgentException(AgentException.Kind.TIMEOUT,
                    "the snapshot restore committed at index " + index
                    + ", but this server had not applied it within " + applyWait.toMillis() + " ms"));
            return;
        }
        scheduler.schedule(Duration.ofMillis(5), () -> poll(index, deadlineNanos, done));
    }
}

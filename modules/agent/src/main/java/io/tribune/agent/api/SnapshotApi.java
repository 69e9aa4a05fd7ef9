package io.tribune.agent.api;

import io.tribune.agent.Agent;
import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.SpiKind;
import io.tribune.state.CommandValidator;
import io.tribune.state.StateStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code /v1/snapshot}: save ({@code GET}) and restore ({@code PUT}) the whole replicated state.
 *
 * <p><b>Format.</b> Not Consul's gzipped tar: the body is the state store's own snapshot format
 * ({@code io.tribune.state.internal.SnapshotCodec}, {@code application/x-tribune-snapshot}): the
 * magic {@code "TRIBSNAP"}, a format version (u32), the index it was captured at (i64), the tables
 * as tagged sections, an end tag and a CRC32C of everything before it (layout in
 * {@code docs/state.md}). {@code X-Consul-Index} carries the captured index. A restore verifies the
 * whole body (checksum, version, structure, no trailing bytes) before anything is proposed: a
 * corrupt or truncated snapshot is a 400 and the state is unchanged.
 *
 * <p><b>Where.</b> A save is a {@code default} (or {@code ?stale}/{@code ?consistent}) read and
 * runs on the leader unless {@code ?stale}. A restore runs on the leader (a follower or a client
 * agent forwards the request there).
 *
 * <p><b>Restore through the log, on any cluster.</b> Every server must end with the same state,
 * consistent with the log it replays after a restart, and one log entry is bounded (raft's
 * {@code raft.max-command-bytes}, 1 MiB by default). So the leader proposes the verified snapshot
 * as a staged restore ({@link SnapshotRestore}): a begin entry (id, length, CRC32C), pieces of at
 * most 256 KiB in order, and a commit entry. Every server stages the pieces in its state (they
 * are part of consensus snapshots, so a server restored from one taken in the middle still has
 * them) and at the commit checks length and checksum and swaps the snapshot in at the commit's
 * index; later entries apply on top and every blocking query wakes. The request answers 200 with
 * {@code X-Consul-Index} = the commit's index once this server has applied the commit. Because
 * the restore is in the log, {@link Consensus#snapshotNow()} is not needed for its durability: a
 * restarted server replays the same entries (or restores a snapshot that already holds the
 * result). One code path serves a single server and a cluster alike.
 *
 * <p><b>Failures.</b> When a step cannot commit (leader lost beyond the hold timeout, a commit
 * timeout) or is refused (another restore began meanwhile and abandoned this one) the request
 * fails with that reason and the state stays as it was; the pieces already staged are harmless
 * and are dropped by the next restore's begin. A restore larger than
 * {@link CommandValidator#MAX_RESTORE_BYTES} is refused; in practice the HTTP request body limit
 * (4 MiB) bounds it first.
 */
final class SnapshotApi {
    /** Media type of the body. */
    static final String CONTENT_TYPE = "application/x-tribune-snapshot";
    private final Agent agent;

    SnapshotApi(Agent agent) {
        this.agent = agent;
    }

    CompletableFuture<HttpResponse> handle(HttpRequest req, String rest) {
        if (!rest.isEmpty()) {
            throw HttpError.notFound("no API at " + req.path());
        }
        ApiSupport.checkDc(req, agent);
        return switch (req.method()) {
            case "GET" -> save(req);
            case "PUT", "POST" -> restore(req);
            default -> throw HttpError.methodNotAllowed(req.method(), req.path());
        };
    }

    private CompletableFuture<HttpResponse> save(HttpRequest req) {
        Consensus c = ApiSupport.consensus(agent);
        StateStore state = ApiSupport.state(agent);
        ReadConsistency mode = KvApi.Reads.mode(req);
        // Writing megabytes out is done on the platform's threads, not on the consensus plugin's
        // thread that completes the barrier.
        return onLeader(req, () -> c.readBarrier(mode, KvApi.APPLY_TIMEOUT).thenApplyAsync(i -> {
            // The capture is O(1); the write-out below may overlap later applies, which it does not see.
            long index = state.lastIndex();
            var snap = state.snapshot();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                snap.writeTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                snap.release();
            }
            HttpResponse r = HttpResponse.bytes(200, CONTENT_TYPE, out.toByteArray());
            r.header("X-Consul-Index", Long.toString(Math.max(1, index)));
            AgentApi.consistencyHeaders(r, c, mode);
            return r;
        }, agent.platform()));
    }

    private CompletableFuture<HttpResponse> restore(HttpRequest req) {
        Consensus c = ApiSupport.consensus(agent);
        StateStore state = ApiSupport.state(agent);
        byte[] body = req.body();
        if (body.length == 0) {
            throw HttpError.badRequest("missing snapshot: send the bytes saved by GET /v1/snapshot as the request body");
        }
        if (body.length > CommandValidator.MAX_RESTORE_BYTES) {
            throw new HttpError(413, "snapshot of " + body.length + " bytes is larger than the "
                    + CommandValidator.MAX_RESTORE_BYTES + " bytes a restore may stage");
        }
        // The barrier completes on the consensus plugin's thread; verifying megabytes is done on the
        // platform's threads instead, so that it never delays the log.
        // A restore runs on the leader: NotLeaderException has the forwarder send it there (or hold it
        // during an election). A read barrier alone no longer says so, a follower may serve those.
        java.util.function.Supplier<CompletableFuture<Long>> leaderBarrier = () -> c.isLeader()
                ? c.readBarrier(ReadConsistency.CONSISTENT, KvApi.APPLY_TIMEOUT)
                : CompletableFuture.failedFuture(new NotLeaderException(c.leadership().leader()));
        return onLeader(req, () -> leaderBarrier.get().thenComposeAsync(i -> {
            try {
                // Verifies everything before proposing anything: a bad snapshot changes nothing.
                StateStore.verifySnapshot(body);
            } catch (IOException e) {
                throw HttpError.badRequest("invalid snapshot: " + e.getMessage());
            }
            String consensusPlugin = agent.plugins().getOrDefault(SpiKind.CONSENSUS, "");
            int chunk = SnapshotRestore.chunkBytes(agent.config().pluginConfig(), consensusPlugin);
            SnapshotRestore restore = new SnapshotRestore(
                    (command, awaitLocal) -> agent.rpc().apply(command, KvApi.APPLY_TIMEOUT, awaitLocal),
                    state::lastIndex, agent.platform(), agent.platform(), agent.rpc().holdTimeout());
            // One request id for the whole restore, the same on every attempt and every server that
            // serves it (see SnapshotRestore): a retry after a lost reply does not restore twice.
            return restore.run(agent.rpc().requestId(req), body, chunk).thenApply(index -> HttpResponse.empty(200)
                    .header("X-Consul-Index", Long.toString(Math.max(1, index))));
        }, agent.platform()));
    }

    private CompletableFuture<HttpResponse> onLeader(HttpRequest req,
                                                     java.util.function.Supplier<CompletableFuture<HttpResponse>> local) {
        return agent.rpc().readOnLeader(req, local).exceptionally(t -> {
            throw new CompletionException(KvApi.Writes.mapFailure(t));
        });
    }
}

package io.tribune.agent.api;

import io.tribune.agent.Agent;
import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.state.StateStore;
import java.io.ByteArrayInputStream;
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
 * magic {@code "TRIBSNAP"}, a format version (u32, currently 1), the index it was captured at
 * (i64), the tables as tagged sections, an end tag and a CRC32C of everything before it (layout in
 * {@code docs/state.md}). {@code X-Consul-Index} carries the captured index. A restore verifies the
 * whole body (checksum, version, structure, no trailing bytes) before touching anything: a
 * corrupt or truncated snapshot is a 400 and the state is unchanged.
 *
 * <p><b>Where.</b> A save is a {@code default} (or {@code ?stale}/{@code ?consistent}) read and
 * runs on the leader unless {@code ?stale}. A restore runs on the leader.
 *
 * <p><b>Restore and the Raft log.</b> A restore must leave every server with the same state and
 * keep that state consistent with the log that is replayed after a restart. The consensus SPI
 * has no way to install a host-supplied snapshot on all servers (Consul's leader restores into
 * Raft, which then makes the followers install it), and proposing the snapshot as one log entry
 * would exceed every entry-size bound. So a restore is accepted only on a <b>single-server</b>
 * cluster (as {@code -dev} is): the state store swaps the snapshot in (serialised with applies by
 * its write lock, at the current applied index so later entries still apply), then
 * {@link Consensus#snapshotNow()} persists it as the consensus snapshot and compacts the log before
 * which it would otherwise be replayed; the request answers 200 only after that. On a cluster of
 * several servers a restore is refused with 501 and a message saying why.
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
        return onLeader(req, () -> c.readBarrier(mode, KvApi.APPLY_TIMEOUT).thenApply(i -> {
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
            AgentApi.consistencyHeaders(r, c);
            return r;
        }));
    }

    private CompletableFuture<HttpResponse> restore(HttpRequest req) {
        Consensus c = ApiSupport.consensus(agent);
        StateStore state = ApiSupport.state(agent);
        byte[] body = req.body();
        if (body.length == 0) {
            throw HttpError.badRequest("missing snapshot: send the bytes saved by GET /v1/snapshot as the request body");
        }
        return onLeader(req, () -> c.readBarrier(ReadConsistency.CONSISTENT, KvApi.APPLY_TIMEOUT).thenCompose(i -> {
            int servers = c.configuration().size();
            if (servers != 1) {
                throw new HttpError(501, "snapshot restore is only supported on a single-server cluster; this one has "
                        + servers + " servers: the consensus plugin cannot install a snapshot on every server, and"
                        + " restoring one server alone would make the servers diverge");
            }
            try {
                // Verifies everything before swapping: a bad snapshot throws and changes nothing.
                state.restore(c.appliedIndex(), c.leadership().term(), new ByteArrayInputStream(body));
            } catch (IOException e) {
                throw HttpError.badRequest("invalid snapshot: " + e.getMessage());
            }
            return c.snapshotNow().thenApply(index -> HttpResponse.empty(200)
                    .header("X-Consul-Index", Long.toString(Math.max(1, index))));
        }));
    }

    private CompletableFuture<HttpResponse> onLeader(HttpRequest req,
                                                     java.util.function.Supplier<CompletableFuture<HttpResponse>> local) {
        return agent.rpc().readOnLeader(req, local).exceptionally(t -> {
            throw new CompletionException(KvApi.Writes.mapFailure(t));
        });
    }
}

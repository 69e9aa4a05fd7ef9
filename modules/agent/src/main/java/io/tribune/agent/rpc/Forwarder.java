package io.tribune.agent.rpc;

import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.api.Cancellable;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import io.tribune.api.Subscription;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import io.tribune.state.BlockingWait;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.RequestId;
import io.tribune.state.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Request forwarding between agents, as Consul's RPC layer does it:
 *
 * <ul>
 *   <li><b>client → server.</b> A client agent has no state: it sends every catalog, KV, session,
 *       health, event, coordinate and status request ({@code tribune.rpc.http}) and every write of
 *       its local state ({@code tribune.rpc.apply}) to a server of its datacenter, chosen by the
 *       {@link ServerManager} from members tagged {@code role=consul}; a server that cannot be
 *       reached is moved to the back and the next one is tried.</li>
 *   <li><b>follower → leader.</b> A write whose {@link Consensus#apply} fails with
 *       {@link NotLeaderException} is sent to the leader ({@code tribune.rpc.apply}); a
 *       {@code default} or {@code consistent} read whose barrier fails so is sent to the leader
 *       whole ({@code tribune.rpc.http}); {@code stale} reads never fail so and stay local. While no
 *       leader is known (an election), the request is held and retried with backoff for at most
 *       the hold timeout (Consul's {@code rpc_hold_timeout}, 7 s), then fails with HTTP 500
 *       "No cluster leader".</li>
 *   <li><b>datacenter → datacenter.</b> A request with {@code ?dc=<other>} goes to a random server
 *       of that datacenter known to the {@link ServerDirectory} (from a client: through a server
 *       of its own datacenter), or fails with HTTP 500 "No path to datacenter".</li>
 * </ul>
 *
 * <p><b>Retries are safe: every write carries a request id.</b> A write is retried on another
 * server (or on the leader again) when the transport fails with {@code UNAVAILABLE}, and that
 * failure also happens when the connection broke after the peer received the request and the
 * leader applied it. So every write proposed through {@link #apply} carries a client request id,
 * chosen once where the request arrived and carried unchanged by every retry: {@link #apply} wraps
 * the command in a {@link Command.Dedup} envelope (unless the caller already did, with the id of
 * the HTTP request it serves), and a whole write request forwarded over {@code tribune.rpc.http}
 * carries its id in {@link #REQUEST_ID_HEADER}, which the serving agent's handler puts in the
 * envelope ({@link #requestId}). The state machine applies an id once and answers a retry with the
 * first result ({@link CommandResult.Repeated}, which {@link #apply} turns back into the first
 * index and result), for as long as its dedup table holds the id: at least
 * {@link StateStore#DEDUP_GENERATION_MILLIS} of log time (2 minutes) and the latest
 * {@link StateStore#DEDUP_GENERATION_ENTRIES} writes. To stay inside that window this forwarder
 * never re-sends a write after an {@code UNAVAILABLE} that comes more than
 * {@link #RESEND_HORIZON} after the request began: the request then fails, saying its outcome is
 * unknown. Reads are not wrapped; they are idempotent.
 *
 * <p><b>Loops.</b> A forwarded HTTP request carries {@link #FORWARDED_HEADER} naming the hop it took
 * ({@code client}, {@code dc} or {@code leader}); a request that arrived over a {@code dc} or
 * {@code leader} hop is never forwarded to another datacenter, and one that arrived over a
 * {@code leader} hop is never forwarded again, so a request takes at most
 * client → server → other datacenter → its leader. An apply from a follower is marked so that the
 * receiving server never passes it on.
 *
 * <p><b>Threading.</b> Thread-safe; nothing blocks: retries run on the platform scheduler and
 * results complete on transport or plugin threads.
 */
public final class Forwarder implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Forwarder.class.getName());

    /** RPC method: apply one encoded state command on the leader. */
    public static final String METHOD_APPLY = "tribune.rpc.apply";
    /** RPC method: serve one encoded HTTP request through the receiver's own routes. */
    public static final String METHOD_HTTP = "tribune.rpc.http";
    /** Request header (lower case) naming the hop a forwarded request took. */
    public static final String FORWARDED_HEADER = "x-tribune-forwarded";
    /**
     * Request header (lower case) carrying the client request id of a write (32 hexadecimal digits),
     * set once where the request arrived (the HTTP listener, or this forwarder for a request that
     * did not come through it) and kept by every forwarded copy and retry. The HTTP listener
     * removes it from what HTTP clients send: only agents choose request ids.
     */
    public static final String REQUEST_ID_HEADER = "x-tribune-request-id";
    /**
     * Request header (lower case) naming the agent whose HTTP listener received the request, set by
     * that listener (never by its caller) and kept when the request is forwarded: defaults that
     * Consul takes from "this agent" (a session's node) then name that agent, not the server that
     * serves the request.
     */
    public static final String ORIGIN_NODE_HEADER = "x-tribune-origin-node";
    /**
     * How long after a write request began this forwarder may still re-send it after an
     * {@code UNAVAILABLE} failure (whose outcome is unknown): 30 s, a quarter of the dedup table's
     * generation ({@link StateStore#DEDUP_GENERATION_MILLIS}). A re-sent attempt is then applied
     * within the horizon plus its own deadline (29 s with the default hold timeout), about one
     * minute after the first, well inside the two minutes of log time the table keeps it; the rest
     * absorbs clock skew between the servers whose times advance the log clock.
     */
    public static final Duration RESEND_HORIZON = Duration.ofMillis(StateStore.DEDUP_GENERATION_MILLIS / 4);
    /** Response header set when a server that was sent a request as leader is not the leader (retry elsewhere). */
    public static final String NOT_LEADER_HEADER = "X-Tribune-Not-Leader";
    /** Hop marker: a client agent forwarded the request to a server of its datacenter. */
    public static final String HOP_CLIENT = "client";
    /** Hop marker: a server forwarded the request to a server of another datacenter. */
    public static final String HOP_DC = "dc";
    /** Hop marker: a follower forwarded the request to its leader. */
    public static final String HOP_LEADER = "leader";
    /** Configuration key of the hold timeout (set from Consul's {@code performance.rpc_hold_timeout}). */
    public static final String HOLD_TIMEOUT_KEY = "rpc.hold-timeout";
    /** Default hold timeout: 7 s, Consul's, long enough for a leader election with default timing. */
    public static final Duration DEFAULT_HOLD_TIMEOUT = Duration.ofSeconds(7);
    /** Consul's error when no leader was found within the hold timeout. */
    public static final String NO_LEADER = "No cluster leader";
    /** Consul's error when no server of the requested datacenter is known. */
    public static final String NO_PATH = "No path to datacenter";
    /** Consul's error when a client knows no server of its datacenter. */
    public static final String NO_SERVERS = "No known Consul servers";

    /** Slack added to RPC deadlines over the work the receiver may do, for transfer and queueing. */
    static final Duration MARGIN = Duration.ofSeconds(5);
    /** How long the receiver of a forwarded write may take to commit it. */
    static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);
    /** Most servers of another datacenter tried for one request before giving up. */
    static final int MAX_DC_ATTEMPTS = 3;

    private final String datacenter;
    private final Duration holdTimeout;
    private final Transport transport;
    private final Optional<Consensus> consensus;
    private final LongSupplier localAppliedIndex;
    private final Membership membership;
    private final ServerDirectory directory;
    private final ServerManager servers;
    private final Clock clock;
    private final Scheduler scheduler;
    private final RandomGenerator random;
    private volatile Function<HttpRequest, CompletableFuture<HttpResponse>> localDispatch;
    private volatile boolean closed;
    private Subscription subscription;
    private Cancellable rebalanceTimer;

    private final LongAdder appliesToLeader = new LongAdder();
    private final LongAdder readsToLeader = new LongAdder();
    private final LongAdder toServer = new LongAdder();
    private final LongAdder toDatacenter = new LongAdder();
    private final LongAdder servedApply = new LongAdder();
    private final LongAdder servedHttp = new LongAdder();
    private final LongAdder failovers = new LongAdder();
    private final LongAdder holds = new LongAdder();
    private final LongAdder repeats = new LongAdder();
    private final LongAdder notResent = new LongAdder();
    private final RequestIds ids;

    /**
     * A forwarder for one agent.
     *
     * @param datacenter        the local datacenter
     * @param holdTimeout       how long to hold a request while no leader is known (positive)
     * @param transport         the agent's started RPC transport; handlers are registered by {@link #start()}
     * @param consensus         the server's consensus, or empty on a client agent
     * @param localAppliedIndex the local state store's last applied index (0 on a client); a
     *                          follower waits for it to reach a forwarded write's index, so that a
     *                          read after the write sees it
     * @param membership        the LAN pool, for server discovery and its change events
     * @param directory         servers by datacenter (the LAN pool, later also the WAN pool)
     * @param clock             the platform clock (monotonic nanos for hold deadlines)
     * @param scheduler         the platform scheduler (retries, rebalancing)
     * @param random            shuffles server lists
     */
    public Forwarder(String datacenter, Duration holdTimeout, Transport transport, Optional<Consensus> consensus,
                     LongSupplier localAppliedIndex, Membership membership, ServerDirectory directory, Clock clock,
                     Scheduler scheduler, RandomGenerator random) {
        this(datacenter, holdTimeout, transport, consensus, localAppliedIndex, membership, directory, clock, scheduler,
                random, RequestIds.create());
    }

    /**
     * A forwarder that takes its request ids from {@code ids} (tests fix the prefix); otherwise as
     * {@link #Forwarder(String, Duration, Transport, Optional, LongSupplier, Membership, ServerDirectory, Clock,
     * Scheduler, RandomGenerator)}.
     */
    public Forwarder(String datacenter, Duration holdTimeout, Transport transport, Optional<Consensus> consensus,
                     LongSupplier localAppliedIndex, Membership membership, ServerDirectory directory, Clock clock,
                     Scheduler scheduler, RandomGenerator random, RequestIds ids) {
        this.ids = Objects.requireNonNull(ids, "ids");
        this.datacenter = Objects.requireNonNull(datacenter, "datacenter");
        if (holdTimeout.isNegative() || holdTimeout.isZero()) {
            throw new IllegalArgumentException(HOLD_TIMEOUT_KEY + " must be positive, got " + holdTimeout);
        }
        this.holdTimeout = holdTimeout;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.consensus = Objects.requireNonNull(consensus, "consensus");
        this.localAppliedIndex = Objects.requireNonNull(localAppliedIndex, "localAppliedIndex");
        this.membership = Objects.requireNonNull(membership, "membership");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.random = Objects.requireNonNull(random, "random");
        this.servers = new ServerManager(random);
    }

    /**
     * Sets how forwarded HTTP requests are served locally (the agent's own routes, e.g.
     * {@code HttpApiServer::handle}); until then {@code tribune.rpc.http} answers 503.
     */
    public void setLocalDispatch(Function<HttpRequest, CompletableFuture<HttpResponse>> dispatch) {
        this.localDispatch = Objects.requireNonNull(dispatch, "dispatch");
    }

    /**
     * Registers the RPC handlers on the transport and, on a client, starts following the LAN pool
     * for servers and rebalancing over them. Call once.
     */
    public synchronized void start() {
        transport.register(METHOD_APPLY, (ctx, request) -> serveApply(request));
        transport.register(METHOD_HTTP, (ctx, request) -> serveHttp(request));
        if (isClient()) {
            subscription = membership.subscribe(new MembershipListener() {
                @Override
                public void onMemberEvent(MemberEvent event) {
                    refreshServers();
                }
            });
            refreshServers();
            scheduleRebalance();
        }
    }

    /** Whether this agent is a client (no consensus): everything but agent-local requests is forwarded. */
    public boolean isClient() {
        return consensus.isEmpty();
    }

    /** The hold timeout in force. */
    public Duration holdTimeout() {
        return holdTimeout;
    }

    /** The client's server list in the order it is tried (empty on a server). */
    public List<Endpoint> serverList() {
        return servers.servers();
    }

    /**
     * Whether a write could be sent somewhere now: on a server, a leader is known; on a client, a
     * server is known.
     */
    public boolean canWrite() {
        if (consensus.isPresent()) {
            return consensus.get().leadership().leader().isPresent();
        }
        refreshServersIfEmpty();
        return servers.current().isPresent();
    }

    /** Counters of forwarded and served requests, for {@code /v1/agent/self} and tests. */
    public Map<String, Long> stats() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("applies_to_leader", appliesToLeader.sum());
        m.put("reads_to_leader", readsToLeader.sum());
        m.put("requests_to_server", toServer.sum());
        m.put("requests_to_datacenter", toDatacenter.sum());
        m.put("served_apply", servedApply.sum());
        m.put("served_http", servedHttp.sum());
        m.put("failovers", failovers.sum());
        m.put("holds", holds.sum());
        m.put("repeats", repeats.sum());
        m.put("not_resent", notResent.sum());
        return m;
    }

    // =========================================================================== writes

    /**
     * Applies an encoded state command wherever it can be: locally when this server leads, on the
     * leader when it follows (held while no leader is known), on a server of the datacenter when
     * this agent is a client.
     *
     * <p>A command without a request id is wrapped in a {@link Command.Dedup} envelope with a new
     * one, so that every retry below carries the same id; a command that already carries one (the
     * id of the HTTP request being served, see {@link #requestId}) is sent as it is. Bytes that are
     * not a command of the current format are sent unwrapped (the state machine refuses them).
     *
     * @param command         the encoded command
     * @param commitTimeout   how long the committing server may wait for the commit
     * @param awaitLocalApply on a follower, complete only once the local state machine has applied
     *                        the write too (bounded by the hold timeout), for callers that read
     *                        local state right after the write; it costs up to one heartbeat
     *                        interval, the time a follower takes to learn the commit. Ignored on
     *                        the leader (already applied) and on a client (no state)
     * @return the commit index and the state machine's result; for a retry of a request that was
     *         already applied, the index and result of that first application. Fails with
     *         {@link HttpError} 500 "No cluster leader" after holding, with a 500 saying the outcome
     *         is unknown when a connection broke after the write was sent and
     *         {@link #RESEND_HORIZON} had passed, or with the consensus or transport failure
     */
    public CompletableFuture<Applied> apply(byte[] command, Duration commitTimeout, boolean awaitLocalApply) {
        byte[] once = withRequestId(command);
        CompletableFuture<Applied> out = new CompletableFuture<>();
        if (consensus.isPresent()) {
            serverApply(once, commitTimeout, true, awaitLocalApply, new Hold(), out);
        } else {
            clientApply(once, commitTimeout, new Hold(), 0, out);
        }
        return out.thenApply(this::firstApplication);
    }

    /** A new request id for a write that arrived at this agent. */
    public RequestId newRequestId() {
        return ids.next();
    }

    /**
     * The request id of a write request being served here: the one in {@link #REQUEST_ID_HEADER}
     * (chosen where the request arrived, before it was forwarded), or a new one. A handler calls
     * this once per request and puts the id in every command it proposes for it.
     *
     * @throws HttpError 400 when the header is present but not a request id
     */
    public RequestId requestId(HttpRequest req) {
        String h = req.headers().get(REQUEST_ID_HEADER);
        if (h == null) {
            return ids.next();
        }
        try {
            return RequestId.parse(h);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("malformed " + REQUEST_ID_HEADER + " header: " + e.getMessage());
        }
    }

    private byte[] withRequestId(byte[] command) {
        if (Command.requestIdOf(command).isPresent()) {
            return command;
        }
        try {
            return Command.withRequestId(command, ids.next(), clock.wallMillis());
        } catch (IllegalArgumentException e) {
            return command;
        }
    }

    /** The first application of a write: unwraps a repeat (the retry of an applied request). */
    private Applied firstApplication(Applied applied) {
        Applied first = CommandResult.original(applied);
        if (first != applied) {
            repeats.increment();
            LOG.log(System.Logger.Level.DEBUG, "a retried write was already applied at index {0}; answering with "
                    + "that result", first.index());
        }
        return first;
    }

    /**
     * {@code req} itself when it reads or already carries a request id; otherwise a copy with a
     * new one, so that every attempt of forwarding it carries the same id.
     */
    private HttpRequest withRequestId(HttpRequest req) {
        if (!isWrite(req) || req.headers().containsKey(REQUEST_ID_HEADER)) {
            return req;
        }
        Map<String, String> headers = new LinkedHashMap<>(req.headers());
        headers.put(REQUEST_ID_HEADER, ids.next().toString());
        return new HttpRequest(req.method(), req.path(), req.query(), headers, req.body(), req.remote());
    }

    /** Whether an HTTP request may write (Consul writes with PUT, POST and DELETE; GET and HEAD only read). */
    static boolean isWrite(HttpRequest req) {
        return !req.method().equals("GET") && !req.method().equals("HEAD");
    }

    /**
     * Whether a write whose attempt failed with an outcome-unknown {@code UNAVAILABLE} may be sent
     * again: only within {@link #RESEND_HORIZON} of the request's start, so that a retry reaches the
     * state machine while its dedup table still holds the first attempt. Otherwise fails {@code out}.
     */
    private boolean mayResend(long startNanos, Endpoint peer, Throwable failure, CompletableFuture<?> out) {
        if (clock.nanos() - startNanos <= RESEND_HORIZON.toNanos()) {
            return true;
        }
        notResent.increment();
        out.completeExceptionally(new HttpError(500, "the connection to " + peer + " broke after the write was sent ("
                + unwrap(failure).getMessage() + "), more than " + RESEND_HORIZON.toSeconds() + " s after the "
                + "request began; it was not sent again, so it may or may not have been applied"));
        return false;
    }

    private void serverApply(byte[] command, Duration commitTimeout, boolean mayForward, boolean awaitLocal,
                             Hold hold, CompletableFuture<Applied> out) {
        Consensus c = consensus.orElseThrow();
        c.apply(command, commitTimeout).whenComplete((applied, t) -> {
            if (t == null) {
                out.complete(applied);
                return;
            }
            Throwable cause = unwrap(t);
            if (!(cause instanceof NotLeaderException nl) || !mayForward) {
                out.completeExceptionally(cause);
                return;
            }
            Runnable again = () -> serverApply(command, commitTimeout, true, awaitLocal, hold, out);
            Optional<Endpoint> leader = leaderEndpoint(nl);
            if (leader.isEmpty()) {
                holdOrFail(hold, again, out, NO_LEADER);
                return;
            }
            appliesToLeader.increment();
            byte[] request = RpcCodec.encodeApply(new RpcCodec.ApplyRequest(false, command));
            transport.call(leader.get(), METHOD_APPLY, request, commitTimeout.plus(MARGIN))
                    .whenComplete((bytes, t2) -> {
                        if (t2 != null) {
                            if (retryable(t2)) {
                                if (mayResend(hold.startNanos, leader.get(), t2, out)) {
                                    holdOrFail(hold, again, out, NO_LEADER);
                                }
                            } else {
                                out.completeExceptionally(unwrap(t2));
                            }
                            return;
                        }
                        RpcCodec.ApplyReply reply;
                        try {
                            reply = RpcCodec.decodeReply(bytes);
                        } catch (IllegalArgumentException e) {
                            out.completeExceptionally(new ConsensusException("leader sent a bad reply: " + e.getMessage()));
                            return;
                        }
                        if (reply instanceof RpcCodec.ApplyReply.Ok ok && !awaitLocal) {
                            out.complete(new Applied(ok.index(), ok.result()));
                        } else if (reply instanceof RpcCodec.ApplyReply.Ok ok) {
                            // Read-your-writes on this follower: wait (bounded) until it applied the entry.
                            awaitLocalIndex(ok.index(), clock.nanos() + holdTimeout.toNanos())
                                    .whenComplete((x, y) -> out.complete(new Applied(ok.index(), ok.result())));
                        } else if (reply instanceof RpcCodec.ApplyReply.NotLeader) {
                            holdOrFail(hold, again, out, NO_LEADER);
                        } else {
                            out.completeExceptionally(new HttpError(500, ((RpcCodec.ApplyReply.Error) reply).message()));
                        }
                    });
        });
    }

    private void clientApply(byte[] command, Duration commitTimeout, Hold hold, int tried,
                             CompletableFuture<Applied> out) {
        refreshServersIfEmpty();
        Optional<Endpoint> server = servers.current();
        if (server.isEmpty()) {
            holdOrFail(hold, () -> clientApply(command, commitTimeout, hold, 0, out), out, NO_SERVERS);
            return;
        }
        toServer.increment();
        byte[] request = RpcCodec.encodeApply(new RpcCodec.ApplyRequest(true, command));
        // The server may hold for the hold timeout before it finds the leader and commits.
        Duration timeout = holdTimeout.plus(commitTimeout).plus(MARGIN);
        transport.call(server.get(), METHOD_APPLY, request, timeout).whenComplete((bytes, t) -> {
            if (t != null) {
                if (retryable(t)) {
                    failedOver(server.get());
                    if (!mayResend(hold.startNanos, server.get(), t, out)) {
                        return;
                    }
                    Runnable next = () -> clientApply(command, commitTimeout, hold, tried + 1, out);
                    if (tried + 1 < Math.max(1, servers.servers().size())) {
                        next.run();
                    } else {
                        holdOrFail(hold, () -> clientApply(command, commitTimeout, hold, 0, out), out, NO_SERVERS);
                    }
                } else {
                    out.completeExceptionally(unwrap(t));
                }
                return;
            }
            RpcCodec.ApplyReply reply;
            try {
                reply = RpcCodec.decodeReply(bytes);
            } catch (IllegalArgumentException e) {
                out.completeExceptionally(new ConsensusException("server sent a bad reply: " + e.getMessage()));
                return;
            }
            if (reply instanceof RpcCodec.ApplyReply.Ok ok) {
                out.complete(new Applied(ok.index(), ok.result()));
            } else if (reply instanceof RpcCodec.ApplyReply.NotLeader) {
                // The server already held for its hold timeout.
                out.completeExceptionally(new HttpError(500, NO_LEADER));
            } else {
                out.completeExceptionally(new HttpError(500, ((RpcCodec.ApplyReply.Error) reply).message()));
            }
        });
    }

    private CompletableFuture<byte[]> serveApply(byte[] request) {
        RpcCodec.ApplyRequest a = RpcCodec.decodeApply(request);
        if (consensus.isEmpty()) {
            return CompletableFuture.completedFuture(RpcCodec.encodeReply(
                    new RpcCodec.ApplyReply.Error("this agent is a client and applies nothing")));
        }
        servedApply.increment();
        CompletableFuture<Applied> out = new CompletableFuture<>();
        // A client agent has no state to read back, so the serving follower need not wait for its own.
        serverApply(a.command(), COMMIT_TIMEOUT, a.mayForward(), false, new Hold(), out);
        return out.handle((applied, t) -> {
            if (t == null) {
                return RpcCodec.encodeReply(new RpcCodec.ApplyReply.Ok(applied.index(), applied.result()));
            }
            Throwable c = unwrap(t);
            if (c instanceof NotLeaderException nl) {
                return RpcCodec.encodeReply(new RpcCodec.ApplyReply.NotLeader(nl.leader().map(ServerInfo::endpoint)));
            }
            return RpcCodec.encodeReply(new RpcCodec.ApplyReply.Error(
                    c.getMessage() == null ? c.toString() : c.getMessage()));
        });
    }

    // =========================================================================== reads

    /**
     * Serves a read that needs the leader: runs {@code local} (the read barrier and the read) and,
     * when it fails with {@link NotLeaderException}, sends the whole request to the leader,
     * holding while no leader is known. A request that already came over a leader hop is not
     * forwarded again: it answers 500 with {@link #NOT_LEADER_HEADER}, which the sender treats as
     * "retry".
     */
    public CompletableFuture<HttpResponse> readOnLeader(HttpRequest req, Supplier<CompletableFuture<HttpResponse>> local) {
        CompletableFuture<HttpResponse> out = new CompletableFuture<>();
        // A write served on the leader (a snapshot restore) keeps one request id over every attempt.
        attemptRead(withRequestId(req), local, new Hold(), out);
        return out;
    }

    private void attemptRead(HttpRequest req, Supplier<CompletableFuture<HttpResponse>> local, Hold hold,
                             CompletableFuture<HttpResponse> out) {
        CompletableFuture<HttpResponse> f;
        try {
            f = local.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((r, t) -> {
            if (t == null) {
                out.complete(r);
                return;
            }
            Throwable cause = unwrap(t);
            if (!(cause instanceof NotLeaderException nl)) {
                out.completeExceptionally(cause);
                return;
            }
            if (HOP_LEADER.equals(marker(req))) {
                out.complete(HttpResponse.text(500, NO_LEADER).header(NOT_LEADER_HEADER, "true"));
                return;
            }
            Runnable again = () -> attemptRead(req, local, hold, out);
            Optional<Endpoint> leader = leaderEndpoint(nl);
            if (leader.isEmpty()) {
                holdOrFail(hold, again, out, NO_LEADER);
                return;
            }
            readsToLeader.increment();
            call(leader.get(), req, HOP_LEADER).whenComplete((resp, t2) -> {
                if (t2 != null) {
                    if (retryable(t2)) {
                        if (!isWrite(req) || mayResend(hold.startNanos, leader.get(), t2, out)) {
                            holdOrFail(hold, again, out, NO_LEADER);
                        }
                    } else {
                        out.completeExceptionally(unwrap(t2));
                    }
                } else if (resp.headers().containsKey(NOT_LEADER_HEADER)) {
                    holdOrFail(hold, again, out, NO_LEADER);
                } else {
                    out.complete(resp);
                }
            });
        });
    }

    // =========================================================================== whole requests

    /**
     * Decides whether an HTTP request must be served elsewhere and, if so, forwards it: to a server
     * of another datacenter for {@code ?dc=<other>}, and to a server of this datacenter when this
     * agent is a client. Empty when the request is to be served locally.
     */
    public Optional<CompletableFuture<HttpResponse>> forwardIfRemote(HttpRequest request) {
        String hop = marker(request);
        // Forwarded writes keep one request id over every attempt and every server they reach.
        HttpRequest req = withRequestId(request);
        String dc = req.param("dc").orElse("");
        if (!dc.isEmpty() && !dc.equalsIgnoreCase(datacenter)) {
            if (HOP_DC.equals(hop) || HOP_LEADER.equals(hop)) {
                // It already crossed a datacenter or went to a leader: never bounce it further.
                return Optional.of(CompletableFuture.failedFuture(new HttpError(500, NO_PATH)));
            }
            if (isClient()) {
                // A client knows only its own datacenter's servers; one of them takes the request on.
                return Optional.of(toLocalServer(req));
            }
            return Optional.of(toDatacenter(req, dc));
        }
        if (isClient()) {
            if (!hop.isEmpty()) {
                return Optional.of(CompletableFuture.failedFuture(new HttpError(500,
                        "a forwarded request reached a client agent, which serves none")));
            }
            return Optional.of(toLocalServer(req));
        }
        return Optional.empty();
    }

    private CompletableFuture<HttpResponse> toLocalServer(HttpRequest req) {
        CompletableFuture<HttpResponse> out = new CompletableFuture<>();
        attemptServer(req, new Hold(), 0, out);
        return out;
    }

    private void attemptServer(HttpRequest req, Hold hold, int tried, CompletableFuture<HttpResponse> out) {
        refreshServersIfEmpty();
        Optional<Endpoint> server = servers.current();
        if (server.isEmpty()) {
            holdOrFail(hold, () -> attemptServer(req, hold, 0, out), out, NO_SERVERS);
            return;
        }
        toServer.increment();
        call(server.get(), req, HOP_CLIENT).whenComplete((resp, t) -> {
            if (t == null) {
                out.complete(resp);
            } else if (retryable(t)) {
                failedOver(server.get());
                if (isWrite(req) && !mayResend(hold.startNanos, server.get(), t, out)) {
                    return;
                }
                if (tried + 1 < Math.max(1, servers.servers().size())) {
                    attemptServer(req, hold, tried + 1, out);
                } else {
                    holdOrFail(hold, () -> attemptServer(req, hold, 0, out), out, NO_SERVERS);
                }
            } else {
                out.completeExceptionally(unwrap(t));
            }
        });
    }

    private CompletableFuture<HttpResponse> toDatacenter(HttpRequest req, String dc) {
        List<Endpoint> candidates = new ArrayList<>(directory.servers(dc));
        if (candidates.isEmpty()) {
            return CompletableFuture.failedFuture(new HttpError(500, NO_PATH));
        }
        Collections.shuffle(candidates, new java.util.Random(random.nextLong()));
        CompletableFuture<HttpResponse> out = new CompletableFuture<>();
        attemptDatacenter(req, candidates.subList(0, Math.min(MAX_DC_ATTEMPTS, candidates.size())), 0, clock.nanos(),
                out);
        return out;
    }

    private void attemptDatacenter(HttpRequest req, List<Endpoint> candidates, int i, long startNanos,
                                   CompletableFuture<HttpResponse> out) {
        toDatacenter.increment();
        call(candidates.get(i), req, HOP_DC).whenComplete((resp, t) -> {
            if (t == null) {
                out.complete(resp);
            } else if (retryable(t) && i + 1 < candidates.size()) {
                if (!isWrite(req) || mayResend(startNanos, candidates.get(i), t, out)) {
                    attemptDatacenter(req, candidates, i + 1, startNanos, out);
                }
            } else if (retryable(t)) {
                out.completeExceptionally(new HttpError(500, NO_PATH + ": no server of the datacenter answered ("
                        + unwrap(t).getMessage() + ")"));
            } else {
                out.completeExceptionally(unwrap(t));
            }
        });
    }

    private CompletableFuture<byte[]> serveHttp(byte[] request) {
        HttpRequest req = RpcCodec.decodeRequest(request);
        Function<HttpRequest, CompletableFuture<HttpResponse>> d = localDispatch;
        if (d == null) {
            return CompletableFuture.completedFuture(RpcCodec.encodeResponse(
                    HttpResponse.text(503, "agent is starting; its HTTP routes are not ready")));
        }
        servedHttp.increment();
        return d.apply(req).thenApply(RpcCodec::encodeResponse);
    }

    private CompletableFuture<HttpResponse> call(Endpoint target, HttpRequest req, String hop) {
        byte[] payload;
        try {
            payload = RpcCodec.encodeRequest(req, hop);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(HttpError.badRequest("request cannot be forwarded: " + e.getMessage()));
        }
        return transport.call(target, METHOD_HTTP, payload, httpDeadline(req)).thenApply(RpcCodec::decodeResponse);
    }

    /**
     * The deadline of a forwarded HTTP request: a blocking query may wait its {@code ?wait} (at most
     * {@link BlockingWait#MAX_WAIT}) plus jitter; any request may be held twice (at the server and
     * at its leader) and commit; plus a margin.
     */
    Duration httpDeadline(HttpRequest req) {
        Duration work = holdTimeout.multipliedBy(2).plus(COMMIT_TIMEOUT).plus(MARGIN);
        boolean blocking = req.param("index").filter(s -> !s.isEmpty() && !s.equals("0")).isPresent();
        if (!blocking) {
            return work;
        }
        Duration wait = BlockingWait.DEFAULT_WAIT;
        Optional<String> w = req.param("wait").filter(s -> !s.isEmpty());
        if (w.isPresent()) {
            try {
                wait = BlockingWait.parseDuration(w.get());
            } catch (IllegalArgumentException e) {
                wait = Duration.ZERO; // the server answers 400 at once
            }
        }
        if (wait.compareTo(BlockingWait.MAX_WAIT) > 0) {
            wait = BlockingWait.MAX_WAIT;
        }
        return work.plus(wait).plus(wait.dividedBy(BlockingWait.JITTER_FRACTION));
    }

    // =========================================================================== helpers

    /** A hold: retries with growing backoff (25 ms doubling to 500 ms) until the deadline. */
    private final class Hold {
        /** When the request began, for {@link #RESEND_HORIZON}. */
        private final long startNanos = clock.nanos();
        private final long deadlineNanos = startNanos + holdTimeout.toNanos();
        private int attempt;

        /** Schedules {@code r} after the next backoff; false when the hold is over. */
        boolean retry(Runnable r) {
            long remaining = deadlineNanos - clock.nanos();
            if (remaining <= 0 || closed) {
                return false;
            }
            if (attempt == 0) {
                holds.increment();
            }
            long backoff = Math.min(500, 25L << Math.min(attempt++, 5)) * 1_000_000L;
            scheduler.schedule(Duration.ofNanos(Math.min(remaining, backoff)), r);
            return true;
        }
    }

    private static void holdOrFail(Hold hold, Runnable again, CompletableFuture<?> out, String error) {
        if (!hold.retry(again)) {
            out.completeExceptionally(new HttpError(500, error));
        }
    }

    private CompletableFuture<Void> awaitLocalIndex(long index, long deadlineNanos) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        pollIndex(index, deadlineNanos, done);
        return done;
    }

    private void pollIndex(long index, long deadlineNanos, CompletableFuture<Void> done) {
        if (localAppliedIndex.getAsLong() >= index || clock.nanos() >= deadlineNanos || closed) {
            done.complete(null);
            return;
        }
        // Followers learn the commit index with the next heartbeat; a few ms between checks is plenty.
        scheduler.schedule(Duration.ofMillis(5), () -> pollIndex(index, deadlineNanos, done));
    }

    private Optional<Endpoint> leaderEndpoint(NotLeaderException nl) {
        return nl.leader().map(ServerInfo::endpoint).filter(e -> !e.equals(transport.localEndpoint()));
    }

    private static String marker(HttpRequest req) {
        return req.headers().getOrDefault(FORWARDED_HEADER, "");
    }

    /**
     * Failures after which a request is sent again: the peer could not be reached, or the
     * connection broke. In the second case the peer may have served the request already; a write
     * is still safe to send again because it carries its request id (see the class comment), and
     * is sent again only within {@link #RESEND_HORIZON}. Deadlines, refusals and handler errors are
     * final.
     */
    private static boolean retryable(Throwable t) {
        return unwrap(t) instanceof TransportException te && te.code() == TransportException.Code.UNAVAILABLE;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    private void failedOver(Endpoint server) {
        failovers.increment();
        LOG.log(System.Logger.Level.DEBUG, "server {0} unreachable; moving to the next one", server);
        servers.failed(server);
    }

    private void refreshServers() {
        servers.refresh(directory.servers(datacenter));
    }

    private void refreshServersIfEmpty() {
        if (servers.current().isEmpty()) {
            refreshServers();
        }
    }

    private synchronized void scheduleRebalance() {
        if (closed) {
            return;
        }
        Duration next = ServerManager.rebalanceInterval(membership.members().size(),
                servers.servers().size(), random.nextDouble());
        rebalanceTimer = scheduler.schedule(next, () -> {
            refreshServers();
            servers.rebalance();
            scheduleRebalance();
        });
    }

    /** Stops the rebalance timer and the membership subscription; pending holds give up. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (rebalanceTimer != null) {
            rebalanceTimer.cancel();
        }
        if (subscription != null) {
            subscription.close();
        }
    }
}

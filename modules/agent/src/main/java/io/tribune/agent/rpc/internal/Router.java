package io.tribune.agent.rpc.internal;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.AgentException.Kind;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Health;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Response;
import io.tribune.agent.rpc.internal.Envelope.Hop;
import io.tribune.api.Cancellable;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import io.tribune.api.Subscription;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.api.consensus.ReadConsistency;
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
import io.tribune.state.CommandValidator;
import io.tribune.state.Indexed;
import io.tribune.state.RequestId;
import io.tribune.state.StateStore;
import io.tribune.state.WatchTarget;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;

/**
 * The request layer's one routing decision, taken for every front end and for requests from other
 * agents (Consul's RPC layer, {@code agent/consul/rpc.go}'s forward):
 *
 * <ul>
 *   <li><b>Agent operations</b> ({@link Op.LocalOp}) run here and never leave.</li>
 *   <li><b>Another datacenter</b> ({@link Options#datacenter()}): a client sends the request to a
 *       server of its own datacenter, which sends it to a random server of the other one that the
 *       WAN pool lists as alive, one that failed lately last ({@link RemoteServers}; trying at most
 *       {@value #MAX_DC_ATTEMPTS} of them), or fails with {@link Kind#NO_PATH_TO_DATACENTER}: at
 *       once, without holding, when no server of it is known.</li>
 *   <li><b>Client agents</b> hold no state: every other operation goes to a server of the datacenter,
 *       chosen by the {@link ServerManager}; a server that cannot be reached moves to the back of the
 *       list and the next one is tried; while none is known the request is held.</li>
 *   <li><b>Servers</b> answer {@link Op.ServerOp}s themselves; run a {@link Op.Write} when they lead
 *       and send it to the leader otherwise; serve a {@link Op.Read} after the read barrier of its
 *       consistency: {@code stale} here (unless {@code max_stale} is exceeded, then as
 *       {@code default}); {@code default} and {@code consistent} here when the consensus plugin can
 *       serve follower reads, otherwise on the leader.</li>
 * </ul>
 *
 * <p><b>Holding.</b> While no leader (or, on a client, no server) is known, a request is retried
 * with backoff (25 ms doubling to 500 ms) for at most the hold timeout (Consul's
 * {@code rpc_hold_timeout}, 7 s), then fails with Consul's message ("No cluster leader", "No known
 * Consul servers"). A server that answers {@code NO_HANDLER} (still starting: its operations are
 * not registered yet) counts like one that cannot be reached: a client moves on to the next server,
 * a follower holds and asks its leader again; the request reached no handler, so even a write stays
 * definite. Only if the hold ends on such an answer is it the failure ({@link Kind#UNSUPPORTED}).
 *
 * <p><b>Writes apply at most once.</b> A write gets a client request id where it enters
 * ({@link #call}); every forwarded copy and retry carries it, and the leader's handler proposes its
 * commands under it, so the state machine answers a repeat with the first result (Raft thesis 6.3).
 * A write whose connection broke after sending is sent again only within {@link #RESEND_HORIZON} of
 * its start (the dedup table keeps an id for two minutes of log time); when it finally fails after a
 * send that may have reached a leader, it fails with {@link Kind#OUTCOME_UNKNOWN}, never with a
 * definite-looking "No cluster leader". A send the transport reports as never delivered
 * ({@link TransportException#notDelivered()}) does not count: a write that only ever met refused
 * connections fails with the definite error, and then was applied nowhere.
 *
 * <p><b>Loops.</b> The hop bounds forwarding: a request that crossed a datacenter or came from a
 * follower is never sent to another datacenter; one sent to a leader is never forwarded again (a
 * server that is no longer the leader answers "not leader" and the sender finds the leader again).
 *
 * <p><b>Threading.</b> Thread-safe and non-blocking; retries run on the platform scheduler, answers
 * complete on transport, consensus or response-executor threads, or on the caller's thread when a
 * leader answers a read under its lease.
 */
public final class Router implements Requests, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Router.class.getName());

    /** Configuration key of the hold timeout (set from Consul's {@code performance.rpc_hold_timeout}). */
    public static final String HOLD_TIMEOUT_KEY = "rpc.hold-timeout";
    /** Default hold timeout: 7 s, Consul's, long enough for a leader election with default timing. */
    public static final Duration DEFAULT_HOLD_TIMEOUT = Duration.ofSeconds(7);
    /** How long a write may wait for its commit, and a read for its barrier. */
    public static final Duration APPLY_TIMEOUT = Duration.ofSeconds(10);
    /**
     * How long after a write began it may still be re-sent after a failure that leaves its outcome
     * unknown: 30 s, a quarter of the dedup table's generation (2 minutes of log time), so that every
     * retry reaches the state machine while the table still holds the first attempt.
     */
    public static final Duration RESEND_HORIZON = Duration.ofMillis(StateStore.DEDUP_GENERATION_MILLIS / 4);
    /** Consul's error when no leader was found within the hold timeout. */
    public static final String NO_LEADER = "No cluster leader";
    /** Consul's error when no server of the requested datacenter is known. */
    public static final String NO_PATH = "No path to datacenter";
    /** Consul's error when a client knows no server of its datacenter. */
    public static final String NO_SERVERS = "No known Consul servers";
    /** Slack added to RPC deadlines over the work the receiver may do, for transfer and queueing. */
    static final Duration MARGIN = Duration.ofSeconds(5);
    /** Most servers of another datacenter tried for one request before giving up. */
    static final int MAX_DC_ATTEMPTS = 3;
    /**
     * How long a server of another datacenter that could not be reached is tried after the others
     * ({@link RemoteServers}): 30 s, about the WAN pool's time to declare it failed (5 s probes,
     * suspicion of 6 probe periods).
     */
    static final Duration DC_QUARANTINE = Duration.ofSeconds(30);
    /** Most answers kept by the agent cache ({@code ?cached}). */
    static final int CACHE_MAX_ENTRIES = 1024;
    /** A cached answer nobody read for this long stops being refreshed and is dropped. */
    static final Duration CACHE_IDLE_TIMEOUT = Duration.ofHours(1);
    /** The wait of the cache's background blocking queries. */
    static final Duration CACHE_REFRESH_WAIT = Duration.ofMinutes(5);

    /**
     * Who this agent is.
     *
     * @param nodeName    its node name (the origin of requests entering here)
     * @param datacenter  its datacenter
     * @param holdTimeout how long to hold a request while no leader or server is known (positive)
     */
    public record Settings(String nodeName, String datacenter, Duration holdTimeout) {
        public Settings {
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(datacenter, "datacenter");
            if (holdTimeout.isNegative() || holdTimeout.isZero()) {
                throw new IllegalArgumentException(HOLD_TIMEOUT_KEY + " must be positive, got " + holdTimeout);
            }
        }
    }

    /** A server answered "I was sent this as the leader, but I am not": find the leader again. */
    static final class NotLeaderHere extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotLeaderHere() {
            super("not the leader", null, false, false);
        }
    }

    private final Settings settings;
    private final Handlers handlers;
    private final Transport transport;
    private final Optional<Consensus> consensus;
    private final Optional<StateStore> state;
    private final Membership membership;
    private final ServerDirectory directory;
    private final ServerManager servers;
    private final Clock clock;
    private final Scheduler scheduler;
    private final RandomGenerator random;
    private final RequestIds ids;
    private final Executor responses;
    private final AgentCache cache;
    private final RemoteServers remote;
    private volatile boolean closed;
    /** Authorization (the ACL system), or null when nothing is checked. */
    private volatile AccessControl access;
    private Subscription subscription;
    private Cancellable rebalanceTimer;

    private final LongAdder writesToLeader = new LongAdder();
    private final LongAdder readsToLeader = new LongAdder();
    private final LongAdder toServer = new LongAdder();
    private final LongAdder toDatacenter = new LongAdder();
    private final LongAdder served = new LongAdder();
    private final LongAdder failovers = new LongAdder();
    private final LongAdder holds = new LongAdder();
    private final LongAdder repeats = new LongAdder();
    private final LongAdder notResent = new LongAdder();
    // Telemetry (Consul's consul.rpc.request, consul.rpc.query and endpoint timers); set once at start.
    private volatile RouterMetrics metrics = RouterMetrics.NONE;

    /**
     * A router for one agent.
     *
     * @param handlers   what this agent runs itself
     * @param transport  the agent's transport (started; inbound methods are registered by {@link RpcServer})
     * @param consensus  the server's consensus, or empty on a client agent
     * @param state      the server's state store, or empty on a client agent
     * @param membership the LAN pool, for server discovery and its change events
     * @param directory  servers by datacenter
     * @param random     shuffles server lists and jitters blocking waits; used under this router's lock
     * @param ids        makes the client request ids of writes
     * @param responses  where answers that follow a consensus or watch completion are built
     */
    public Router(Settings settings, Handlers handlers, Transport transport, Optional<Consensus> consensus,
                  Optional<StateStore> state, Membership membership, ServerDirectory directory, Clock clock,
                  Scheduler scheduler, RandomGenerator random, RequestIds ids, Executor responses) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.handlers = Objects.requireNonNull(handlers, "handlers");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.consensus = Objects.requireNonNull(consensus, "consensus");
        this.state = Objects.requireNonNull(state, "state");
        if (consensus.isPresent() != state.isPresent()) {
            throw new IllegalArgumentException("a server has both consensus and a state store, a client neither");
        }
        this.membership = Objects.requireNonNull(membership, "membership");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.random = Objects.requireNonNull(random, "random");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.responses = Objects.requireNonNull(responses, "responses");
        // Its own generator: ServerManager draws under its lock, this router under its own.
        this.servers = new ServerManager(new java.util.SplittableRandom(random.nextLong()));
        this.cache = new AgentCache(clock, scheduler, this::uncached, CACHE_MAX_ENTRIES, CACHE_IDLE_TIMEOUT,
                CACHE_REFRESH_WAIT);
        this.remote = new RemoteServers(clock, DC_QUARANTINE, this::nextLong);
    }

    /** On a client agent, starts following the LAN pool for servers and rebalancing over them. Call once. */
    public synchronized void start() {
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

    /**
     * Records telemetry in {@code m} from now on ({@link RouterMetrics}). Set once while the agent
     * starts; until then nothing is recorded.
     */
    public void metrics(io.tribune.agent.platform.AgentMetrics m) {
        this.metrics = new RouterMetrics(m);
    }

    /**
     * Puts {@code ac} in charge of authorizing the operations decided here (see {@link AccessControl}).
     * Set once while the agent starts, before front ends take requests.
     */
    public void accessControl(AccessControl ac) {
        this.access = ac;
    }

    /**
     * Whether this agent decides {@code o}'s authorization: agent operations always; state
     * operations only on a server and for this datacenter (a client forwards them, token and all, to
     * a server that checks them; another datacenter checks its own).
     */
    private boolean checksHere(Op<?> op, Options o) {
        if (op instanceof Op.LocalOp) {
            return true;
        }
        String dc = o.datacenter();
        return !isClient() && (dc.isEmpty() || dc.equalsIgnoreCase(settings.datacenter()));
    }

    /** Routes {@code e} once {@code ac} admitted it, and cuts the answer to what the caller may read. */
    private CompletableFuture<Response<?>> admitted(AccessControl ac, Envelope e) {
        CompletableFuture<java.util.function.UnaryOperator<Object>> admit;
        try {
            admit = ac.admit(e.op(), e.options(), e.originNode());
        } catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
        if (admit.isDone() && !admit.isCompletedExceptionally()) {
            // Admitted at once (a server, a cached token): no extra stage; an unfiltered answer as it is.
            java.util.function.UnaryOperator<Object> filter = admit.join();
            CompletableFuture<Response<?>> routed = route(e);
            return filter == AccessControl.UNFILTERED ? routed : routed.thenApply(r -> filtered(r,
                    filter));
        }
        return admit.thenCompose(filter -> route(e).thenApply(r -> filtered(r, filter)));
    }

    private static Response<?> filtered(Response<?> r, java.util.function.UnaryOperator<Object> filter) {
        return new Response<>(filter.apply(r.value()), r.meta());
    }

    /** Whether this agent is a client (no state): everything but agent operations is forwarded. */
    public boolean isClient() {
        return consensus.isEmpty();
    }

    /** The hold timeout in force. */
    public Duration holdTimeout() {
        return settings.holdTimeout();
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

    /** Counters of forwarded and served requests and of the cache, for {@code /v1/agent/self} and tests. */
    public Map<String, Long> stats() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("writes_to_leader", writesToLeader.sum());
        m.put("reads_to_leader", readsToLeader.sum());
        m.put("requests_to_server", toServer.sum());
        m.put("requests_to_datacenter", toDatacenter.sum());
        m.put("served_for_others", served.sum());
        m.put("failovers", failovers.sum());
        m.put("holds", holds.sum());
        m.put("repeats", repeats.sum());
        m.put("not_resent", notResent.sum());
        cache.stats().forEach((k, v) -> m.put("cache_" + k, v));
        return m;
    }

    // =========================================================================== entry points

    /**
     * Runs {@code op} for a caller on this agent (a front end or the agent itself). A write gets its
     * client request id here.
     */
    @Override
    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<Response<R>> call(Op<R> op, Options options) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(options, "options");
        Optional<RequestId> id = op instanceof Op.Write ? Optional.of(ids.next()) : Optional.empty();
        AccessControl ac = access;
        if (ac != null && options.token().isEmpty()) {
            String dflt = ac.defaultToken();
            options = dflt.isEmpty() ? options : options.withToken(dflt);
        }
        Envelope e = new Envelope(op, options, id, settings.nodeName(), Hop.NONE);
        CompletableFuture<Response<?>> f = ac != null && checksHere(op, options) ? admitted(ac, e) : route(e);
        return f.handle((r, t) -> {
            if (t != null) {
                throw AgentException.of(mapFailure(t));
            }
            return (Response<R>) r;
        });
    }

    /**
     * Serves a request another agent sent here (the {@link RpcServer}'s entry). An agent operation
     * is refused: those never travel.
     */
    CompletableFuture<Response<?>> serve(Envelope e) {
        served.increment();
        metrics.rpcRequest().increment();
        if (e.op() instanceof Op.LocalOp) {
            return CompletableFuture.failedFuture(AgentException.badRequest(e.op().opName()
                    + " is an agent operation and is not served over RPC"));
        }
        Envelope in = e.hop() == Hop.NONE ? e.via(Hop.CLIENT) : e;
        if (in.op() instanceof Op.Write && in.requestId().isEmpty()) {
            // A caller that is not an agent gave no id: one is chosen here and kept by every retry below.
            in = new Envelope(in.op(), in.options(), Optional.of(ids.next()), in.originNode(), in.hop());
        }
        AccessControl ac = access;
        CompletableFuture<Response<?>> routed = ac != null && checksHere(in.op(), in.options()) ? admitted(ac, in)
                : route(in);
        return routed.handle((r, t) -> {
            if (t != null) {
                Throwable c = AgentException.unwrap(t);
                throw c instanceof NotLeaderHere n ? n : AgentException.of(mapFailure(c));
            }
            return r;
        });
    }

    private CompletableFuture<Response<?>> route(Envelope e) {
        try {
            Op<?> op = e.op();
            if (op instanceof Op.LocalOp<?> local) {
                return runLocal(local, e.options());
            }
            String dc = e.options().datacenter();
            if (!dc.isEmpty() && !dc.equalsIgnoreCase(settings.datacenter())) {
                if (e.hop() == Hop.DATACENTER || e.hop() == Hop.LEADER) {
                    // It already crossed a datacenter or went to a leader: never bounce it further.
                    throw new AgentException(Kind.NO_PATH_TO_DATACENTER, NO_PATH);
                }
                // A client knows only its own datacenter's servers; one of them takes the request on.
                return isClient() ? toServer(e) : toDatacenter(e, dc);
            }
            if (e.hop() == Hop.NONE && e.options().cached() && cacheable(op)) {
                return cache.get(e);
            }
            return uncached(e);
        } catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /** Routes a request of this datacenter without the agent cache. */
    private CompletableFuture<Response<?>> uncached(Envelope e) {
        try {
            Op<?> op = e.op();
            if (isClient()) {
                if (e.hop() != Hop.NONE) {
                    throw new AgentException(Kind.INTERNAL, "a forwarded request reached a client agent, which "
                            + "serves none");
                }
                return toServer(e);
            }
            if (op instanceof Op.ServerOp) {
                return answerServerOp(e);
            }
            if (op instanceof Op.Read) {
                return serveRead(e);
            }
            if (op instanceof Op.Write) {
                CompletableFuture<Response<?>> out = new CompletableFuture<>();
                attemptWrite(e, new Hold(), out);
                return out;
            }
            throw new AgentException(Kind.INTERNAL, "operation " + op.opName() + " has no route");
        } catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /** The reads Consul's agent cache serves with {@code ?cached}. */
    static boolean cacheable(Op<?> op) {
        return op instanceof Health.ServiceNodes || op instanceof Catalog.ServiceNodes;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private CompletableFuture<Response<?>> runLocal(Op.LocalOp<?> op, Options options) {
        Handlers.LocalHandler h = handlers.of(op);
        CompletableFuture<?> f = h.run(op, options);
        return f.thenApply(v -> new Response<>(v, Response.Meta.NONE));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private CompletableFuture<Response<?>> answerServerOp(Envelope e) {
        Handlers.ServerHandler h = handlers.of(e.op());
        Object v = h.answer((Op.ServerOp) e.op());
        Consensus c = consensus.orElseThrow();
        return CompletableFuture.completedFuture(new Response<>(v, new Response.Meta(0,
                c.leadership().leader().isPresent(), lastContact(c), ReadConsistency.STALE, false, Duration.ZERO)));
    }

    // =========================================================================== reads

    @SuppressWarnings({"unchecked", "rawtypes"})
    private CompletableFuture<Response<?>> serveRead(Envelope e) {
        Consensus c = consensus.orElseThrow();
        Options o = e.options();
        ReadConsistency mode = o.consistency();
        if (mode == ReadConsistency.STALE && !o.maxStale().isZero() && !StaleReads.freshEnough(c, o.maxStale())) {
            // Too far behind (or no leader known): the leader's view instead, as Consul does.
            mode = ReadConsistency.DEFAULT;
        }
        Handlers.ReadHandler h = handlers.of(e.op());
        metrics.rpcQuery().increment();
        CompletableFuture<Response<?>> out = new CompletableFuture<>();
        attemptRead(e, mode, h, new Hold(), out);
        return out;
    }

    @SuppressWarnings({"rawtypes"})
    private void attemptRead(Envelope e, ReadConsistency mode, Handlers.ReadHandler h, Hold hold,
                             CompletableFuture<Response<?>> out) {
        CompletableFuture<Response<?>> local;
        try {
            local = readHere(e, mode, h);
        } catch (RuntimeException ex) {
            local = CompletableFuture.failedFuture(ex);
        }
        if (local.isDone() && !local.isCompletedExceptionally()) {
            out.complete(local.join());
            return;
        }
        local.whenComplete((r, t) -> {
            if (t == null) {
                out.complete(r);
                return;
            }
            Throwable cause = AgentException.unwrap(t);
            if (!(cause instanceof NotLeaderException nl)) {
                out.completeExceptionally(cause);
                return;
            }
            if (e.hop() == Hop.LEADER) {
                out.completeExceptionally(new NotLeaderHere());
                return;
            }
            Runnable again = () -> attemptRead(e, mode, h, hold, out);
            Optional<Endpoint> leader = leaderEndpoint(nl.leader());
            if (leader.isEmpty()) {
                holdOrFail(hold, again, out, Kind.NO_LEADER, NO_LEADER);
                return;
            }
            readsToLeader.increment();
            // The leader serves it in the mode decided here (a stale read past its bound is a default one).
            Envelope fwd = e.with(e.options().withConsistency(mode)).via(Hop.LEADER);
            callRemote(leader.get(), fwd).whenComplete((resp, t2) -> {
                if (t2 == null) {
                    out.complete(resp);
                    return;
                }
                Throwable c2 = AgentException.unwrap(t2);
                if (c2 instanceof NotLeaderHere || retryable(c2)) {
                    noteNoHandler(hold, c2);
                    holdOrFail(hold, again, out, Kind.NO_LEADER, NO_LEADER);
                } else {
                    out.completeExceptionally(c2);
                }
            });
        });
    }

    /**
     * The read barrier of {@code mode}, the blocking wait, then the read. When everything is ready at
     * once (a leader's read under its lease, a stale read) the answer is built on the caller's thread;
     * otherwise on the response executor, so that one consensus thread does not serialize every read.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private CompletableFuture<Response<?>> readHere(Envelope e, ReadConsistency mode, Handlers.ReadHandler h) {
        Consensus c = consensus.orElseThrow();
        StateStore s = state.orElseThrow();
        Options o = e.options();
        Op.Read op = (Op.Read) e.op();
        CompletableFuture<Long> barrier = c.readBarrier(mode, APPLY_TIMEOUT);
        Optional<WatchTarget> target = o.isBlocking() ? h.target(op) : Optional.empty();
        if (target.isEmpty() && !h.heavy() && barrier.isDone() && !barrier.isCompletedExceptionally()) {
            return CompletableFuture.completedFuture(answer(op, mode, h, s, c, barrier.join()));
        }
        CompletableFuture<Long> ready = barrier;
        if (target.isPresent()) {
            Duration wait = BlockingWait.effectiveWait(o.requestedWait(), nextDouble());
            WatchTarget t = target.get();
            ready = barrier.thenCompose(i -> waitFor(s, t, o.minIndex(), wait).thenApply(x -> i));
        }
        Executor where = h.heavy() ? scheduler : responses;
        return ready.thenApplyAsync(i -> answer(op, mode, h, s, c, i), where);
    }

    /**
     * Completes once {@code target} moves past {@code minIndex} or {@code wait} passes, on the
     * platform scheduler's time (so that a simulation's virtual clock governs blocking queries too);
     * the watch is unregistered either way.
     */
    private CompletableFuture<Long> waitFor(StateStore s, WatchTarget target, long minIndex, Duration wait) {
        CompletableFuture<Long> watch = s.watch(target, minIndex);
        if (watch.isDone()) {
            return watch;
        }
        Cancellable timer = scheduler.schedule(wait, () -> watch.complete(-1L));
        watch.whenComplete((x, t) -> timer.cancel());
        return watch;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Response<?> answer(Op.Read op, ReadConsistency mode, Handlers.ReadHandler h, StateStore s, Consensus c,
                               long barrierIndex) {
        Indexed<?> r = h.read(op, s, c, barrierIndex);
        return new Response<>(r.value(), new Response.Meta(Math.max(1, r.index()), c.leadership().leader().isPresent(),
                lastContact(c), mode, false, Duration.ZERO));
    }

    private static Duration lastContact(Consensus c) {
        Duration d = c.lastContact();
        return d.toMillis() == Long.MAX_VALUE ? Duration.ZERO : d;
    }

    private synchronized double nextDouble() {
        return random.nextDouble();
    }

    private synchronized long nextLong() {
        return random.nextLong();
    }

    // =========================================================================== writes

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void attemptWrite(Envelope e, Hold hold, CompletableFuture<Response<?>> out) {
        Consensus c = consensus.orElseThrow();
        if (!c.isLeader()) {
            forwardWrite(e, hold, out, c.leadership().leader());
            return;
        }
        Handlers.WriteHandler h = handlers.of(e.op());
        io.tribune.api.Metrics.Histogram timer = metrics.writeTimer(e.op());
        long started = clock.nanos();
        CompletableFuture<Response<?>> f;
        try {
            f = h.write((Op.Write) e.op(), context(e));
        } catch (RuntimeException ex) {
            f = CompletableFuture.failedFuture(ex);
        }
        f.whenComplete((r, t) -> {
            timer.record(clock.nanos() - started);
            if (t == null) {
                out.complete(r);
                return;
            }
            Throwable cause = AgentException.unwrap(t);
            if (cause instanceof NotLeaderException nl) {
                // Leadership moved while proposing: the write goes to the new leader, under the same id.
                forwardWrite(e, hold, out, nl.leader());
            } else {
                out.completeExceptionally(afterEarlierSend(e, hold, cause));
            }
        });
    }

    private void forwardWrite(Envelope e, Hold hold, CompletableFuture<Response<?>> out, Optional<ServerInfo> known) {
        if (e.hop() == Hop.LEADER) {
            out.completeExceptionally(new NotLeaderHere());
            return;
        }
        Runnable again = () -> attemptWrite(e, hold, out);
        Optional<Endpoint> leader = leaderEndpoint(known);
        if (leader.isEmpty()) {
            holdOrFail(hold, again, out, Kind.NO_LEADER, NO_LEADER);
            return;
        }
        writesToLeader.increment();
        callRemote(leader.get(), e.via(Hop.LEADER)).whenComplete((resp, t) -> {
            if (t == null) {
                out.complete(resp);
                return;
            }
            Throwable cause = AgentException.unwrap(t);
            if (cause instanceof NotLeaderHere) {
                noteNoHandler(hold, cause);
                holdOrFail(hold, again, out, Kind.NO_LEADER, NO_LEADER);
            } else if (retryable(cause)) {
                noteNoHandler(hold, cause);
                if (maybeDelivered(cause)) {
                    hold.sent = true;
                    if (!mayResend(hold, leader.get(), cause, out)) {
                        return;
                    }
                }
                holdOrFail(hold, again, out, Kind.NO_LEADER, NO_LEADER);
            } else {
                out.completeExceptionally(afterEarlierSend(e, hold, outcome(e, cause, leader.get())));
            }
        });
    }

    private Handlers.WriteContext context(Envelope e) {
        RequestId id = e.requestId().orElseThrow(() -> new AgentException(Kind.INTERNAL, "a write without a request id"));
        Consensus c = consensus.orElseThrow();
        StateStore s = state.orElseThrow();
        return new Handlers.WriteContext() {
            @Override
            public RequestId requestId() {
                return id;
            }

            @Override
            public String originNode() {
                return e.originNode();
            }

            @Override
            public long wallMillis() {
                return clock.wallMillis();
            }

            @Override
            public StateStore state() {
                return s;
            }

            @Override
            public Consensus consensus() {
                return c;
            }

            @Override
            public CompletableFuture<Applied> propose(Command cmd) {
                return propose(cmd, id);
            }

            @Override
            public CompletableFuture<Applied> propose(Command cmd, RequestId requestId) {
                CommandValidator.validate(cmd).ifPresent(msg -> {
                    throw AgentException.badRequest(msg);
                });
                Command once = new Command.Dedup(requestId, clock.wallMillis(), cmd);
                return c.apply(once.encode(), APPLY_TIMEOUT).thenApply(Router.this::firstApplication);
            }

            @Override
            public CompletableFuture<Response<?>> forwardTo(String datacenter) {
                if (datacenter.equalsIgnoreCase(settings.datacenter())) {
                    return CompletableFuture.failedFuture(new AgentException(Kind.INTERNAL,
                            "a write cannot be forwarded to its own datacenter"));
                }
                // Hop.NONE: toDatacenter marks it as having crossed, so the other side never sends it on.
                Envelope fwd = new Envelope(e.op(), e.options().withDatacenter(datacenter), e.requestId(),
                        e.originNode(), Hop.NONE);
                return toDatacenter(fwd, datacenter);
            }
        };
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

    // =========================================================================== to servers

    private CompletableFuture<Response<?>> toServer(Envelope e) {
        CompletableFuture<Response<?>> out = new CompletableFuture<>();
        attemptServer(e.via(Hop.CLIENT), new Hold(), 0, out);
        return out;
    }

    private void attemptServer(Envelope e, Hold hold, int tried, CompletableFuture<Response<?>> out) {
        refreshServersIfEmpty();
        Optional<Endpoint> server = servers.current();
        if (server.isEmpty()) {
            holdOrFail(hold, () -> attemptServer(e, hold, 0, out), out, Kind.NO_SERVERS, NO_SERVERS);
            return;
        }
        toServer.increment();
        callRemote(server.get(), e).whenComplete((resp, t) -> {
            if (t == null) {
                out.complete(resp);
                return;
            }
            Throwable cause = AgentException.unwrap(t);
            if (!retryable(cause)) {
                out.completeExceptionally(afterEarlierSend(e, hold, outcome(e, cause, server.get())));
                return;
            }
            failedOver(server.get());
            noteNoHandler(hold, cause);
            if (e.op() instanceof Op.Write && maybeDelivered(cause)) {
                hold.sent = true;
                if (!mayResend(hold, server.get(), cause, out)) {
                    return;
                }
            }
            if (tried + 1 < Math.max(1, servers.servers().size())) {
                attemptServer(e, hold, tried + 1, out);
            } else {
                holdOrFail(hold, () -> attemptServer(e, hold, 0, out), out, Kind.NO_SERVERS, NO_SERVERS);
            }
        });
    }

    private CompletableFuture<Response<?>> toDatacenter(Envelope e, String dc) {
        List<Endpoint> alive = directory.servers(dc);
        if (alive.isEmpty()) {
            // Nothing to wait for: the WAN pool knows no live server there, so fail at once.
            return CompletableFuture.failedFuture(new AgentException(Kind.NO_PATH_TO_DATACENTER, NO_PATH));
        }
        List<Endpoint> candidates = remote.candidates(alive, MAX_DC_ATTEMPTS);
        CompletableFuture<Response<?>> out = new CompletableFuture<>();
        attemptDatacenter(e.via(Hop.DATACENTER), candidates, 0, new Hold(), out);
        return out;
    }

    private void attemptDatacenter(Envelope e, List<Endpoint> candidates, int i, Hold hold,
                                   CompletableFuture<Response<?>> out) {
        toDatacenter.increment();
        callRemote(candidates.get(i), e).whenComplete((resp, t) -> {
            Throwable cause = t == null ? null : AgentException.unwrap(t);
            if (!(cause instanceof TransportException)) {
                // It answered, with a value or an error of its own: it is reachable.
                remote.answered(candidates.get(i));
            }
            if (t == null) {
                out.complete(resp);
                return;
            }
            if (!retryable(cause)) {
                out.completeExceptionally(afterEarlierSend(e, hold, outcome(e, cause, candidates.get(i))));
                return;
            }
            remote.failed(candidates.get(i));
            if (e.op() instanceof Op.Write && maybeDelivered(cause)) {
                hold.sent = true;
                if (!mayResend(hold, candidates.get(i), cause, out)) {
                    return;
                }
            }
            if (i + 1 < candidates.size()) {
                attemptDatacenter(e, candidates, i + 1, hold, out);
            } else if (hold.sent) {
                out.completeExceptionally(outcomeUnknown(candidates.get(i), cause));
            } else {
                out.completeExceptionally(new AgentException(Kind.NO_PATH_TO_DATACENTER, NO_PATH
                        + ": no server of the datacenter answered (" + cause.getMessage() + ")"));
            }
        });
    }

    /** Sends {@code e} to {@code target} and decodes the answer (an error answer fails the future). */
    private CompletableFuture<Response<?>> callRemote(Endpoint target, Envelope e) {
        byte[] payload;
        try {
            payload = Wire.encodeCall(e);
        } catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(AgentException.badRequest("request cannot be forwarded: "
                    + ex.getMessage()));
        }
        return transport.call(target, e.op().opName(), payload, deadline(e))
                .thenApply(bytes -> Wire.decodeReply(e.op(), bytes));
    }

    /**
     * The deadline of a forwarded call: the receiver may hold twice (at a server and at its leader)
     * and commit, a blocking query may wait its wait plus jitter; plus a margin.
     */
    Duration deadline(Envelope e) {
        Duration work = settings.holdTimeout().multipliedBy(2).plus(APPLY_TIMEOUT).plus(MARGIN);
        if (!(e.op() instanceof Op.Read) || !e.options().isBlocking()) {
            return work;
        }
        Duration wait = e.options().requestedWait();
        return work.plus(wait).plus(wait.dividedBy(BlockingWait.JITTER_FRACTION));
    }

    // =========================================================================== helpers

    /** A hold: retries with growing backoff (25 ms doubling to 500 ms) until the deadline. */
    private final class Hold {
        /** When the request began, for {@link #RESEND_HORIZON}. */
        private final long startNanos = clock.nanos();
        private final long deadlineNanos = startNanos + settings.holdTimeout().toNanos();
        private int attempt;
        /** A write was sent at least once and its answer lost: it may have been applied. */
        private boolean sent;
        /** The last attempt was answered NO_HANDLER: if the hold ends so, that is the answer (not "no leader"). */
        private TransportException noHandler;

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

    private static void holdOrFail(Hold hold, Runnable again, CompletableFuture<?> out, Kind kind, String message) {
        if (!hold.retry(again)) {
            out.completeExceptionally(hold.sent
                    ? new AgentException(Kind.OUTCOME_UNKNOWN, message + ": the write was sent and its answer was "
                    + "lost; it may or may not have been applied")
                    : hold.noHandler != null ? mapFailure(hold.noHandler)
                    : new AgentException(kind, message));
        }
    }

    /** Notes whether the attempt that just failed with {@code cause} met a server without the operation's handler. */
    private static void noteNoHandler(Hold hold, Throwable cause) {
        hold.noHandler = cause instanceof TransportException te && te.code() == TransportException.Code.NO_HANDLER
                ? te : null;
    }

    /**
     * Whether a write whose attempt failed with an outcome-unknown {@code UNAVAILABLE} may be sent
     * again: only within {@link #RESEND_HORIZON} of the request's start, so that a retry reaches the
     * state machine while its dedup table still holds the first attempt. Otherwise fails {@code out}.
     */
    private boolean mayResend(Hold hold, Endpoint peer, Throwable failure, CompletableFuture<?> out) {
        if (clock.nanos() - hold.startNanos <= RESEND_HORIZON.toNanos()) {
            return true;
        }
        notResent.increment();
        out.completeExceptionally(new AgentException(Kind.OUTCOME_UNKNOWN, "the connection to " + peer
                + " broke after the write was sent (" + failure.getMessage() + "), more than "
                + RESEND_HORIZON.toSeconds() + " s after the request began; it was not sent again, so it may or "
                + "may not have been applied"));
        return false;
    }

    private static AgentException outcomeUnknown(Endpoint peer, Throwable failure) {
        return new AgentException(Kind.OUTCOME_UNKNOWN, "no answer from " + peer + " (" + failure.getMessage()
                + "); the write may or may not have been applied");
    }

    /**
     * A final transport failure of a call: a deadline that passed after sending leaves a write's
     * outcome unknown, and so does a call cancelled after it was handed over (the transport closed
     * under it, as when this agent shuts down): the peer may have served the write already, so a
     * definite-looking {@code UNAVAILABLE} would be a false promise that nothing was applied. A
     * failure the transport marks {@link TransportException#notDelivered()} stays definite.
     */
    private static Throwable outcome(Envelope e, Throwable cause, Endpoint peer) {
        if (cause instanceof TransportException te && te.code() == TransportException.Code.DEADLINE_EXCEEDED
                && te.notDelivered()) {
            return new AgentException(Kind.UNAVAILABLE, "could not reach " + peer + " in time (" + te.getMessage()
                    + "); nothing was sent");
        }
        if (cause instanceof TransportException te && te.code() == TransportException.Code.DEADLINE_EXCEEDED) {
            return new AgentException(Kind.TIMEOUT, "no answer from " + peer + " in time (" + te.getMessage()
                    + "); a write may or may not have been applied");
        }
        if (e.op() instanceof Op.Write && cause instanceof TransportException te
                && te.code() == TransportException.Code.CANCELLED && !te.notDelivered()) {
            return new AgentException(Kind.OUTCOME_UNKNOWN, "the call to " + peer + " was cancelled after the write "
                    + "was sent (" + te.getMessage() + "); it may or may not have been applied", te);
        }
        return cause;
    }

    /**
     * The final failure of a write one of whose earlier attempts was sent and its answer lost
     * ({@link Hold#sent}): that attempt may have been applied, and a later attempt's failure does not
     * undo it. Raft, for one, rightly fails a resent proposal whose log entry a new leader replaced,
     * while the first proposal of the same request id committed (seeds 4669 and 9806 of the fault
     * simulation: a forwarding server died with the first answer, the client resent, the old leader
     * lost its leadership). So any failure but one the request's own content causes (refused the
     * same way on every attempt) becomes {@link Kind#OUTCOME_UNKNOWN}.
     */
    private static Throwable afterEarlierSend(Envelope e, Hold hold, Throwable failure) {
        if (!hold.sent || !(e.op() instanceof Op.Write)) {
            return failure;
        }
        Throwable c = mapFailure(failure);
        if (!(c instanceof AgentException ae)) {
            return failure;
        }
        switch (ae.kind()) {
            case OUTCOME_UNKNOWN, TIMEOUT, BAD_REQUEST, TOO_LARGE:
                return failure;
            default:
                return new AgentException(Kind.OUTCOME_UNKNOWN, "an earlier attempt of this write was sent and its "
                        + "answer lost, and a later attempt failed (" + ae.getMessage() + "); it may or may not "
                        + "have been applied", ae);
        }
    }

    private Optional<Endpoint> leaderEndpoint(Optional<ServerInfo> leader) {
        return leader.map(ServerInfo::endpoint).filter(e -> !e.equals(transport.localEndpoint()));
    }

    /**
     * Failures after which a request is sent again: the peer could not be reached, the connection
     * broke, or the peer has no handler for the operation ({@code NO_HANDLER}: a server still
     * starting, whose request layer is not registered yet; another server, or the same one a little
     * later, can serve it, and the request reached no handler so even a write is safe to send). When
     * the connection broke the peer may have served the request already; a write is still safe
     * to send again because it carries its request id, and is sent again only within
     * {@link #RESEND_HORIZON}. Deadlines, refusals and handler errors are final.
     */
    private static boolean retryable(Throwable t) {
        return t instanceof TransportException te && (te.code() == TransportException.Code.UNAVAILABLE
                || te.code() == TransportException.Code.NO_HANDLER);
    }

    /**
     * Whether a failed call may have reached the peer's handler: unless the transport is certain it
     * did not ({@link TransportException#notDelivered()}: connection refused, peer not listening), a
     * write that failed after it was handed to the transport counts as sent, and the request ends
     * as {@link Kind#OUTCOME_UNKNOWN} if no retry answers.
     */
    private static boolean maybeDelivered(Throwable t) {
        return !(t instanceof TransportException te && (te.notDelivered()
                || te.code() == TransportException.Code.NO_HANDLER));
    }

    /** Every failure as the request layer reports it. */
    public static Throwable mapFailure(Throwable t) {
        Throwable c = AgentException.unwrap(t);
        if (c instanceof AgentException || c instanceof NotLeaderHere) {
            return c;
        }
        if (c instanceof NotLeaderException nl) {
            return new AgentException(Kind.NO_LEADER, NO_LEADER + ": " + nl.getMessage());
        }
        if (c instanceof TimeoutException) {
            return new AgentException(Kind.TIMEOUT, "timed out waiting for the cluster; a write may still commit");
        }
        if (c instanceof ConsensusException ce) {
            String m = String.valueOf(ce.getMessage());
            String lower = m.toLowerCase(java.util.Locale.ROOT);
            if (lower.contains("outcome unknown")) {
                // The raft plugin says so when a snapshot from the leader replaced a pending
                // proposal's state: it may have committed.
                return new AgentException(Kind.OUTCOME_UNKNOWN, m, ce);
            }
            return new AgentException(lower.contains("timed out") || lower.contains("timeout") ? Kind.TIMEOUT
                    : Kind.UNAVAILABLE, m, ce);
        }
        if (c instanceof TransportException te) {
            return switch (te.code()) {
                case UNAVAILABLE, CANCELLED -> new AgentException(Kind.UNAVAILABLE, te.getMessage(), te);
                case DEADLINE_EXCEEDED -> new AgentException(Kind.TIMEOUT, te.getMessage(), te);
                case TOO_LARGE -> new AgentException(Kind.TOO_LARGE, te.getMessage(), te);
                case NO_HANDLER -> new AgentException(Kind.UNSUPPORTED, "the server does not serve this operation ("
                        + te.getMessage() + "); is it still starting, or an older version?", te);
                case REFUSED -> new AgentException(Kind.PERMISSION_DENIED, te.getMessage(), te);
                case RESOURCE_EXHAUSTED -> new AgentException(Kind.LIMIT, te.getMessage(), te);
                case HANDLER_ERROR, INTERNAL -> new AgentException(Kind.INTERNAL, te.getMessage(), te);
            };
        }
        if (c instanceof IllegalArgumentException iae) {
            return AgentException.badRequest(String.valueOf(iae.getMessage()));
        }
        return new AgentException(Kind.INTERNAL, c.getMessage() == null ? c.toString() : c.getMessage(), c);
    }

    private void failedOver(Endpoint server) {
        failovers.increment();
        LOG.log(System.Logger.Level.DEBUG, "server {0} unreachable; moving to the next one", server);
        servers.failed(server);
    }

    private void refreshServers() {
        servers.refresh(directory.servers(settings.datacenter()));
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
        Duration next = ServerManager.rebalanceInterval(membership.members().size(), servers.servers().size(),
                random.nextDouble());
        rebalanceTimer = scheduler.schedule(next, () -> {
            refreshServers();
            servers.rebalance();
            scheduleRebalance();
        });
    }

    /** Stops the rebalance timer, the membership subscription and the cache; pending holds give up. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (rebalanceTimer != null) {
            rebalanceTimer.cancel();
        }
        if (subscription != null) {
            subscription.close();
        }
        cache.close();
    }
}

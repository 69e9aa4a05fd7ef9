package io.tribune.agent.api;

import io.tribune.agent.Agent;

import io.tribune.agent.http.HttpApiServer;
import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.agent.http.Json;
import io.tribune.agent.http.Route;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.Leadership;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.state.BlockingWait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The Consul-compatible {@code /v1} HTTP API of an agent: registers every endpoint group on the
 * HTTP server ({@code /v1/kv}, {@code /v1/txn}, {@code /v1/session}, {@code /v1/catalog},
 * {@code /v1/health}, {@code /v1/agent}, {@code /v1/status}, {@code /v1/event},
 * {@code /v1/coordinate}, {@code /v1/operator/raft}, {@code /v1/operator/keyring},
 * {@code /v1/snapshot}) and serves {@code /v1/status} and {@code /v1/agent/self|members|leave}
 * itself, shaped like Consul's responses so that Consul clients parse them unchanged.
 *
 * <p>Writes are {@link io.tribune.state.Command}s validated and proposed through consensus; reads
 * pass the read barrier of the requested consistency mode (with {@code ?max_stale} on followers,
 * and the agent's {@code discovery_max_stale} for catalog and health reads, see {@link StaleReads})
 * and support blocking queries; {@code /v1/health/service/<name>?cached} is answered from the
 * agent cache ({@link AgentCache}).
 */
public final class AgentApi {
    private static final String HEALTH = "/v1/health/";
    /** Most cached {@code ?cached} answers per agent. */
    static final int CACHE_MAX_ENTRIES = 1024;
    /** A cached answer nobody read for this long stops being refreshed and is dropped. */
    static final Duration CACHE_IDLE_TIMEOUT = Duration.ofHours(1);
    /** The {@code ?wait} of the cache's background blocking queries (Consul's default for its cache: 10 min). */
    static final Duration CACHE_REFRESH_WAIT = Duration.ofMinutes(5);
    private final Agent agent;
    private final LocalState local;

    /** The API of {@code agent}; nothing is served until {@link #register}. */
    public AgentApi(Agent agent) {
        this.agent = agent;
        this.local = new LocalState(agent);
    }

    /**
     * Adds every {@code /v1} route to {@code http} and starts the background duties the endpoints
     * rely on (local node registration; on the leader, session TTL invalidation and tombstone
     * reaping). Call once.
     */
    public void register(HttpApiServer http) {
        http.route("/v1/status/leader", forwarded((req, rest) -> get(req, () -> Json.ok(leaderAddress(), req))));
        http.route("/v1/status/peers", forwarded((req, rest) -> get(req, () -> Json.ok(peers(), req))));
        http.route("/v1/agent/self", (req, rest) -> get(req, () -> Json.ok(self(), req)));
        http.route("/v1/agent/members", (req, rest) -> get(req, () -> Json.ok(members(), req)));
        http.route("/v1/agent/leave", (req, rest) -> {
            if (!req.method().equals("PUT")) {
                throw HttpError.methodNotAllowed(req.method(), req.path());
            }
            agent.shutdownAsync(true);
            return CompletableFuture.completedFuture(HttpResponse.empty(200));
        });
        KvApi kv = new KvApi(agent);
        http.route("/v1/kv/", forwarded(maxStale(kv::handle)));
        http.route("/v1/kv", (req, rest) -> {
            throw HttpError.badRequest("missing key name: use /v1/kv/<key>");
        });
        // Agent endpoints are about this agent and stay local (their catalog writes are forwarded).
        http.route("/v1/agent/", new AgentLocalApi(agent, local)::handle);
        // Service discovery reads: discovery_max_stale turns default-mode reads into bounded stale ones
        // before forwarding, so that a client agent's setting travels with its request.
        http.route("/v1/catalog/", discovery(forwarded(maxStale(new CatalogApi(agent)::handle))));
        Route health = discovery(forwarded(maxStale(new HealthApi(agent)::handle)));
        // Stops refreshing with the platform scheduler when the agent shuts down.
        AgentCache cache = new AgentCache(agent.platform(), agent.platform(),
                r -> health.handle(r, r.path().substring(HEALTH.length())), CACHE_MAX_ENTRIES, CACHE_IDLE_TIMEOUT,
                CACHE_REFRESH_WAIT);
        http.route(HEALTH, (req, rest) -> req.has("cached") && rest.startsWith("service/")
                ? cache.get(req) : health.handle(req, rest));
        http.route("/v1/session/", forwarded(new SessionApi(agent)::handle));
        http.route("/v1/txn", forwarded(new TxnApi(agent)::handle));
        http.route("/v1/event/", forwarded(new EventApi(agent)::handle));
        http.route("/v1/coordinate/", forwarded(new CoordinateApi(agent)::handle));
        http.route("/v1/operator/raft/", forwarded(new OperatorApi(agent)::handle));
        http.route("/v1/snapshot", forwarded(new SnapshotApi(agent)::handle));
        // Any agent fans a keyring operation out to every member itself (see KeyringApi): never forwarded.
        http.route("/v1/operator/keyring", new KeyringApi(agent)::handle);
        startDuties();
    }

    /**
     * Consul's {@code discovery_max_stale} for the catalog and health endpoints
     * ({@link StaleReads#discoveryDefault}): with a positive setting, a read from an HTTP client
     * that names no consistency mode is served as {@code ?stale&max_stale=<setting>}.
     */
    private Route discovery(Route route) {
        Duration bound = agent.config().discoveryMaxStale();
        if (bound.isZero()) {
            return route;
        }
        return (req, rest) -> route.handle(StaleReads.discoveryDefault(req, bound,
                req.headers().containsKey(io.tribune.agent.rpc.Forwarder.FORWARDED_HEADER)), rest);
    }

    /**
     * Consul's {@code ?max_stale}: a {@code ?stale} read on a follower whose last contact with the
     * leader is older than {@code max_stale} (or that knows no leader) loses its {@code stale} flag, so its read barrier
     * needs the leader and the forwarder sends it there (served with the default mode). On the
     * leader, on clients (which forward the request unchanged) and for fresh followers it is a no-op.
     */
    private Route maxStale(Route route) {
        return (req, rest) -> route.handle(withinMaxStale(req), rest);
    }

    HttpRequest withinMaxStale(HttpRequest req) {
        Optional<String> v = req.param("max_stale").filter(s -> !s.isEmpty());
        if (v.isEmpty() || !req.has("stale")) {
            return req;
        }
        Duration max;
        try {
            max = BlockingWait.parseDuration(v.get());
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("invalid max_stale '" + ApiSupport.abbreviate(v.get()) + "': " + e.getMessage());
        }
        Optional<Consensus> c = agent.consensus();
        if (c.isEmpty() || c.get().isLeader()) {
            return req;
        }
        // A follower that knows no leader cannot vouch for any freshness, whatever lastContact says.
        if (StaleReads.freshEnough(c.get(), max)) {
            return req;
        }
        Map<String, List<String>> q = new LinkedHashMap<>(req.query());
        q.remove(StaleReads.STALE);
        q.remove(StaleReads.MAX_STALE);
        return new HttpRequest(req.method(), req.path(), q, req.headers(), req.body(), req.remote());
    }

    /**
     * {@code route}, unless the request is for another datacenter or this agent is a client: then
     * the forwarder sends the whole request to a server that can answer it.
     */
    private Route forwarded(Route route) {
        return (req, rest) -> agent.rpc().forwardIfRemote(req).orElseGet(() -> route.handle(req, rest));
    }

    /**
     * Starts what runs beside the endpoints: the registration of the local node in the catalog
     * (once a leader is known) and, on a server, the leader's session TTL sweep and tombstone reaping.
     */
    private void startDuties() {
        local.registerSelf();
        agent.consensus().ifPresent(c -> agent.state().ifPresent(s -> {
            // Stops with the platform scheduler when the agent shuts down.
            new LeaderDuties(c, s, agent.platform()::wallMillis, agent.platform()::millis).start(agent.platform());
        }));
    }

    static CompletableFuture<HttpResponse> get(HttpRequest req, java.util.function.Supplier<HttpResponse> s) {
        if (!req.method().equals("GET") && !req.method().equals("HEAD")) {
            throw HttpError.methodNotAllowed(req.method(), req.path());
        }
        return CompletableFuture.completedFuture(s.get());
    }

    /** {@code "host:port"} of the leader's server RPC, or {@code ""} when none is known (Consul's answer). */
    String leaderAddress() {
        return agent.consensus().map(c -> c.leadership().leader().map(l -> l.endpoint().toString()).orElse(""))
                .orElse("");
    }

    List<String> peers() {
        List<String> out = new ArrayList<>();
        agent.consensus().ifPresent(c -> {
            for (ServerInfo s : c.configuration()) {
                if (s.voter()) {
                    out.add(s.endpoint().toString());
                }
            }
        });
        return out;
    }

    Map<String, Object> self() {
        var cfg = agent.config();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Datacenter", cfg.datacenter());
        config.put("PrimaryDatacenter", cfg.datacenter());
        config.put("NodeName", cfg.nodeName());
        config.put("NodeID", NodeIds.of(cfg.nodeName()));
        config.put("Revision", "tribune");
        config.put("Server", cfg.server());
        config.put("Version", "1.4.5");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Config", config);
        out.put("DebugConfig", Map.of("Bootstrap", cfg.bootstrap(), "BootstrapExpect", cfg.bootstrapExpect(),
                "DevMode", cfg.dev(), "ClientAddrs", List.of(cfg.clientAddr()), "BindAddr", cfg.bindAddr()));
        out.put("Coord", null);
        out.put("Member", member(agent.membership().localMember()));
        Map<String, Object> stats = new LinkedHashMap<>();
        agent.consensus().ifPresent(c -> stats.put("raft", stringMap(c.stats())));
        stats.put("serf_lan", stringMap(agent.membership().stats()));
        Map<String, String> rpc = new java.util.TreeMap<>();
        agent.rpc().stats().forEach((k, v) -> rpc.put(k, Long.toString(v)));
        stats.put("rpc", rpc);
        Map<String, String> agentStats = new LinkedHashMap<>();
        agentStats.put("runtime", agent.runtime());
        agent.plugins().forEach((k, v) -> agentStats.put("plugin_" + k.key(), v));
        stats.put("agent", agentStats);
        Map<String, Object> consul = new LinkedHashMap<>();
        consul.put("server", Boolean.toString(cfg.server()));
        agent.consensus().ifPresent(c -> {
            consul.put("leader", Boolean.toString(c.isLeader()));
            consul.put("known_servers", Integer.toString(c.configuration().size()));
        });
        stats.put("consul", consul);
        out.put("Stats", stats);
        out.put("Meta", Map.of());
        return out;
    }

    private static Map<String, String> stringMap(Map<String, String> m) {
        return m == null ? Map.of() : new java.util.TreeMap<>(m);
    }

    List<Map<String, Object>> members() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Member m : agent.membership().members()) {
            out.add(member(m));
        }
        return out;
    }

    /** A member as Consul's {@code /v1/agent/members} shows it (Status: 1 alive .. 4 failed). */
    static Map<String, Object> member(Member m) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("Name", m.name());
        o.put("Addr", m.host());
        o.put("Port", m.port());
        o.put("Tags", m.tags());
        o.put("Status", statusCode(m.status()));
        o.put("ProtocolMin", 1);
        o.put("ProtocolMax", 5);
        o.put("ProtocolCur", 2);
        o.put("DelegateMin", 2);
        o.put("DelegateMax", 5);
        o.put("DelegateCur", 4);
        return o;
    }

    static int statusCode(MemberStatus s) {
        return switch (s) {
            case ALIVE, SUSPECT -> 1;
            case LEAVING -> 2;
            case LEFT -> 3;
            case FAILED -> 4;
        };
    }

    /** Consul's consistency headers for a read served by {@code c}. */
    static void consistencyHeaders(HttpResponse r, Consensus c) {
        Leadership l = c.leadership();
        r.header("X-Consul-KnownLeader", Boolean.toString(l.leader().isPresent()));
        long ms = c.lastContact().toMillis();
        r.header("X-Consul-LastContact", Long.toString(ms == Long.MAX_VALUE ? 0 : ms));
    }

    /**
     * Consul's consistency headers plus {@code X-Consul-Effective-Consistency}: the mode the read
     * was served in ({@code leader} for the default mode, {@code consistent}, {@code stale}), which
     * tells a client whether {@code ?max_stale} or {@code discovery_max_stale} let a server answer
     * locally.
     */
    static void consistencyHeaders(HttpResponse r, Consensus c, ReadConsistency mode) {
        consistencyHeaders(r, c);
        r.header("X-Consul-Effective-Consistency", switch (mode) {
            case STALE -> "stale";
            case CONSISTENT -> "consistent";
            case DEFAULT -> "leader";
        });
    }
}

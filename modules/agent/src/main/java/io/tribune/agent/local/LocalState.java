package io.tribune.agent.local;

import io.tribune.agent.cluster.NodeIds;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.AgentException.Kind;
import io.tribune.agent.rpc.AgentOps.CheckDefinition;
import io.tribune.agent.rpc.AgentOps.ServiceDefinition;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.CheckType;
import io.tribune.agent.rpc.Health;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.api.Clock;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.membership.Membership;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import io.tribune.api.Cancellable;
import io.tribune.api.Scheduler;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.CommandValidator;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The agent's own services and checks: the source of truth for what this node offers. Every
 * change is written to the catalog for the local node through consensus, one write at a time in
 * change order, and a periodic {@link AntiEntropy} sync repairs any drift of the catalog from the
 * local state. TTL checks turn critical when their TTL passes without an update; HTTP, TCP and
 * script checks are probed on their interval (first at a random offset within it) from
 * the agent's scheduler, without blocking it, with {@link CheckThresholds} against flapping.
 * Services and checks of the config files are registered once the local node is in the catalog.
 *
 * <p>Thread-safe: the maps are guarded by {@code this}; catalog writes are chained.
 */
public final class LocalState implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LocalState.class.getName());
    /** Check output kept, as Consul's default {@code check_output_max_size}: 4 KiB. */
    static final int MAX_OUTPUT_BYTES = 4096;
    /** Shortest probe interval; Consul raises shorter ones to 1 s too. */
    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    /** Most services and most checks one agent keeps. */
    static final int MAX_ENTRIES = 4096;
    static final String NODE_MAINTENANCE = "_node_maintenance";
    static final String SERVICE_MAINTENANCE_PREFIX = "_service_maintenance:";

    /** A check with its definition and its timer. */
    private static final class Entry {
        HealthCheck check;
        final CheckType def;
        final CheckThresholds.Counter counter = new CheckThresholds.Counter();
        Cancellable timer;
        long generation;
        /** A probe is under way; the next tick skips rather than overlapping it (a slow script). */
        boolean probing;

        Entry(HealthCheck check, CheckType def) {
            this.check = check;
            this.def = def;
        }
    }

    /**
     * What the local state needs from its agent.
     *
     * @param config     the agent's configuration (node, addresses, anti-entropy interval, script checks)
     * @param requests   the request layer: every catalog write and read goes through it
     * @param clock      the platform clock
     * @param scheduler  the platform scheduler (timers, probes)
     * @param random     jitter of probe staggering and sync spreading (no protocol decision rests on it)
     * @param membership the LAN pool (its size scales the anti-entropy interval)
     * @param canWrite   whether a catalog write could be sent now (a leader or a server is known)
     * @param serverPort on a server, its RPC port (the {@code consul} service is registered with it)
     */
    public record Setup(AgentConfig config, Requests requests, Clock clock, Scheduler scheduler, RandomGenerator random,
                        Membership membership, BooleanSupplier canWrite, OptionalInt serverPort) {
    }

    private final AgentConfig config;
    /** The config whose services and checks are registered: the start config, then each reloaded one. */
    private AgentConfig definitions;
    private final Requests requests;
    private final Scheduler scheduler;
    private final Membership membership;
    private final BooleanSupplier canWrite;
    private final OptionalInt serverPort;
    private final Map<String, NodeService> services = new LinkedHashMap<>();
    private final Map<String, Entry> checks = new LinkedHashMap<>();
    private final CompletableFuture<Void> selfRegistered = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicInteger selfAttempts = new java.util.concurrent.atomic.AtomicInteger();
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);
    private final CheckScripts scripts;
    private final CheckProbes probes;
    /** Jitter only (check stagger, sync spread): no protocol decision rests on it. Guarded by {@code this}. */
    private final RandomGenerator random;
    private Cancellable syncTimer;
    private boolean closed;

    /** The local state of an agent; nothing runs until {@link #registerSelf()}. The owner closes it. */
    public LocalState(Setup setup) {
        this.config = setup.config();
        this.definitions = setup.config();
        this.requests = setup.requests();
        this.scheduler = setup.scheduler();
        this.random = setup.random();
        this.membership = setup.membership();
        this.canWrite = setup.canWrite();
        this.serverPort = setup.serverPort();
        this.scripts = new CheckScripts(scheduler);
        this.probes = new CheckProbes(scheduler, scripts);
    }

    /** Whether script checks may be registered (Consul's {@code enable_script_checks}). */
    public boolean scriptsEnabled() {
        return config.enableScriptChecks();
    }

    /** The local node as the catalog holds it. */
    public Node localNode() {
        var cfg = config;
        // keys feature: the node's own ID, and advertise_addr_wan as the "wan" tagged address, as Consul.
        return new Node(NodeIds.of(cfg), cfg.nodeName(), cfg.advertiseAddr(), cfg.datacenter(),
                Map.of("lan", cfg.advertiseAddr(), "wan", io.tribune.agent.config.ConfigKeys.advertiseAddrWan(cfg)),
                io.tribune.agent.config.ConfigKeys.nodeMeta(cfg), 0, 0);
    }

    public synchronized List<NodeService> services() {
        return List.copyOf(services.values());
    }

    public synchronized List<HealthCheck> checks() {
        List<HealthCheck> out = new ArrayList<>();
        checks.values().forEach(e -> out.add(e.check));
        return out;
    }

    /**
     * Consul's counts of the {@code agent} section of {@code /v1/agent/self} Stats ({@code consul info}):
     * {@code checks}, {@code services}, {@code check_ttls} and {@code check_monitors} (script checks),
     * as decimal strings, in that order. A consistent snapshot; safe from any thread.
     */
    public synchronized Map<String, String> counts() {
        long ttls = checks.values().stream().filter(e -> e.def.isTtl()).count();
        long monitors = checks.values().stream().filter(e -> !e.def.args().isEmpty()).count();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("checks", Integer.toString(checks.size()));
        out.put("services", Integer.toString(services.size()));
        out.put("check_ttls", Long.toString(ttls));
        out.put("check_monitors", Long.toString(monitors));
        return out;
    }

    public synchronized Optional<HealthCheck> check(String id) {
        return Optional.ofNullable(checks.get(id)).map(e -> e.check);
    }

    /** Completes once the local node, its serfHealth check (and on a server the consul service) are in the catalog. */
    public CompletableFuture<Void> selfRegistered() {
        return selfRegistered;
    }

    // ---- catalog writes ----

    /**
     * Validates before anything changes, so bad input is a {@code BAD_REQUEST} that leaves local state
     * alone (the command is what the leader will propose for the operation).
     */
    private static <O extends Op.Write<Boolean>> O valid(O op, Command c) {
        CommandValidator.validate(c).ifPresent(m -> {
            throw AgentException.badRequest(m);
        });
        return op;
    }

    private Catalog.Register register(Optional<NodeService> svc, List<HealthCheck> checks) {
        return new Catalog.Register(localNode(), svc, checks, false);
    }

    private Catalog.Register validRegister(Optional<NodeService> svc, List<HealthCheck> checks) {
        return valid(register(svc, checks), new Command.Register(localNode(), svc, checks, 0));
    }

    private Catalog.Deregister validDeregister(Optional<String> serviceId, Optional<String> checkId) {
        String node = config.nodeName();
        return valid(new Catalog.Deregister(node, serviceId, checkId), new Command.Deregister(node, serviceId, checkId, 0));
    }

    /**
     * Queues a catalog write after the previous ones, through the request layer (which carries it to
     * the leader from a follower or a client agent); the future fails with its {@link AgentException}.
     */
    private synchronized CompletableFuture<Void> write(Op.Write<Boolean> op) {
        CompletableFuture<Void> next = tail.handle((x, e) -> null)
                .thenCompose(x -> requests.call(op))
                .thenApply(r -> null);
        tail = next;
        return next;
    }

    /**
     * Registers the local node with its {@code serfHealth} check (and, on a server, the
     * {@code consul} service) once a write can be sent (a leader is known, or on a client a
     * server); retries until it succeeds.
     */
    public void registerSelf() {
        if (selfRegistered.isDone()) {
            return;
        }
        if (!canWrite.getAsBoolean()) {
            scheduler.schedule(Duration.ofMillis(100), this::registerSelf);
            return;
        }
        HealthCheck serf = new HealthCheck(config.nodeName(), HealthCheck.SERF_HEALTH, "Serf Health Status",
                HealthStatus.PASSING, "", "Agent alive and reachable", "", "", List.of(), "", 0, 0);
        Optional<NodeService> consul = serverPort.isPresent()
                ? Optional.of(NodeService.of("consul", "consul", serverPort.getAsInt())) : Optional.empty();
        write(register(consul, List.of(serf)))
                .whenComplete((x, e) -> {
                    if (e == null) {
                        selfRegistered.complete(null);
                        registerFromConfig();
                        scheduleSync();
                        return;
                    }
                    // Say so once, then retry quietly with a growing delay (at most 30 s).
                    int n = selfAttempts.incrementAndGet();
                    LOG.log(n == 1 ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                            "registering the local node in the catalog failed, will retry: " + e.getMessage());
                    scheduler.schedule(Duration.ofSeconds(Math.min(30, 1L << Math.min(n - 1, 5))), this::registerSelf);
                });
    }

    // ---- services ----

    /** Adds or replaces a service with its checks (checks of the service not named again are dropped). */
    public CompletableFuture<Void> addService(ServiceDefinition def) {
        NodeService svc = def.service();
        List<HealthCheck> hcs = new ArrayList<>();
        def.checks().forEach(e -> hcs.add(e.check()));
        Catalog.Register c = validRegister(Optional.of(svc), hcs);
        synchronized (this) {
            if (!services.containsKey(svc.id()) && services.size() >= MAX_ENTRIES) {
                throw new AgentException(Kind.LIMIT, "too many services on this agent (" + MAX_ENTRIES + ")");
            }
            if (checks.size() + hcs.size() > MAX_ENTRIES) {
                throw new AgentException(Kind.LIMIT, "too many checks on this agent (" + MAX_ENTRIES + ")");
            }
            services.put(svc.id(), svc);
            // A re-registration replaces the service's checks: the ones it no longer names go.
            List<String> stale = new ArrayList<>();
            checks.forEach((k, e) -> {
                if (e.check.serviceId().equals(svc.id()) && hcs.stream().noneMatch(h -> h.checkId().equals(k))) {
                    stale.add(k);
                }
            });
            for (CheckDefinition e : def.checks()) {
                putCheck(e.check(), e.type());
            }
            CompletableFuture<Void> done = write(c);
            for (String k : stale) {
                cancel(checks.remove(k));
                done = write(new Catalog.Deregister(config.nodeName(), Optional.empty(), Optional.of(k)));
            }
            return done;
        }
    }

    /** Removes a service and its checks; {@code NOT_FOUND} for an unknown service. */
    public CompletableFuture<Void> removeService(String id) {
        Catalog.Deregister c = validDeregister(Optional.of(id), Optional.empty());
        synchronized (this) {
            if (services.remove(id) == null) {
                throw AgentException.notFound("Unknown service ID \"" + CheckDefinitions.abbreviate(id) + "\"");
            }
            List<String> drop = new ArrayList<>();
            checks.forEach((k, e) -> {
                if (e.check.serviceId().equals(id)) {
                    drop.add(k);
                }
            });
            drop.forEach(k -> cancel(checks.remove(k)));
            return write(c);
        }
    }

    public synchronized boolean hasService(String id) {
        return services.containsKey(id);
    }

    // ---- checks ----

    /** Adds or replaces a check. */
    public CompletableFuture<Void> addCheck(HealthCheck hc, CheckType def) {
        Catalog.Register c = validRegister(Optional.empty(), List.of(hc));
        synchronized (this) {
            if (!hc.serviceId().isEmpty() && !services.containsKey(hc.serviceId())) {
                throw AgentException.badRequest("ServiceID \"" + CheckDefinitions.abbreviate(hc.serviceId())
                        + "\" does not exist");
            }
            if (!checks.containsKey(hc.checkId()) && checks.size() >= MAX_ENTRIES) {
                throw new AgentException(Kind.LIMIT, "too many checks on this agent (" + MAX_ENTRIES + ")");
            }
            putCheck(hc, def);
            return write(c);
        }
    }

    /** Removes a check; {@code NOT_FOUND} for an unknown check. */
    public CompletableFuture<Void> removeCheck(String id) {
        Catalog.Deregister c = validDeregister(Optional.empty(), Optional.of(id));
        synchronized (this) {
            Entry e = checks.remove(id);
            if (e == null) {
                throw AgentException.notFound("Unknown check ID \"" + CheckDefinitions.abbreviate(id) + "\"");
            }
            cancel(e);
            return write(c);
        }
    }

    /** {@code /v1/agent/check/pass|warn|fail|update}: only for TTL checks; restarts the TTL. */
    public CompletableFuture<Void> updateTtl(String id, HealthStatus status, String output) {
        synchronized (this) {
            Entry e = checks.get(id);
            if (e == null) {
                throw AgentException.notFound("Unknown check ID \"" + CheckDefinitions.abbreviate(id) + "\"");
            }
            if (!e.def.isTtl()) {
                throw new AgentException(Kind.CONFLICT, "CheckID \"" + CheckDefinitions.abbreviate(id)
                        + "\" does not have associated TTL");
            }
            armTtl(id, e);
            return setStatus(e, status, output);
        }
    }

    /** Must hold the lock. Replaces a check, keeping nothing of a previous one with the same id. */
    private void putCheck(HealthCheck hc, CheckType def) {
        Entry old = checks.get(hc.checkId());
        if (old != null) {
            cancel(old);
        }
        Entry e = new Entry(hc, def);
        if (old != null) {
            e.generation = old.generation + 1;
        }
        checks.put(hc.checkId(), e);
        if (def.isTtl()) {
            armTtl(hc.checkId(), e);
        } else if (def.isProbed()) {
            String id = hc.checkId();
            long gen = e.generation;
            // Stagger the first probe within the interval, so checks registered together spread out.
            e.timer = scheduler.scheduleWithFixedDelay(CheckThresholds.initialDelay(def.interval(),
                    random.nextDouble()), def.interval(), () -> probe(id, gen));
        }
    }

    private void cancel(Entry e) {
        if (e != null && e.timer != null) {
            e.timer.cancel();
        }
        if (e != null) {
            e.generation++;
        }
    }

    /** Must hold the lock. (Re)starts the TTL: when it passes without an update the check turns critical. */
    private void armTtl(String id, Entry e) {
        if (e.timer != null) {
            e.timer.cancel();
        }
        long gen = ++e.generation;
        e.timer = scheduler.schedule(e.def.ttl(), () -> {
            synchronized (this) {
                Entry cur = checks.get(id);
                if (cur == e && cur.generation == gen) {
                    setStatus(cur, HealthStatus.CRITICAL, "TTL expired");
                }
            }
        });
    }

    /** Must hold the lock. Writes the new status to the catalog unless nothing changed. */
    private CompletableFuture<Void> setStatus(Entry e, HealthStatus status, String output) {
        String out = truncate(output);
        HealthCheck old = e.check;
        e.check = new HealthCheck(old.node(), old.checkId(), old.name(), status, old.notes(), out, old.serviceId(),
                old.serviceName(), old.serviceTags(), old.type(), 0, 0);
        if (old.status() == status && old.output().equals(out)) {
            return CompletableFuture.completedFuture(null);
        }
        return write(register(Optional.empty(), List.of(e.check)));
    }

    static String truncate(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_OUTPUT_BYTES) {
            return s;
        }
        String cut = new String(b, 0, MAX_OUTPUT_BYTES, StandardCharsets.UTF_8);
        // A cut inside a multi-byte character decodes to U+FFFD; drop it.
        return cut.endsWith("\uFFFD") ? cut.substring(0, cut.length() - 1) : cut;
    }

    // ---- probes ----

    private void probe(String id, long gen) {
        CheckType def;
        synchronized (this) {
            Entry e = checks.get(id);
            if (e == null || e.generation != gen || e.probing) {
                return;
            }
            e.probing = true;
            def = e.def;
        }
        CompletableFuture<Map.Entry<HealthStatus, String>> result = probes.run(def);
        result.whenComplete((r, err) -> {
            Map.Entry<HealthStatus, String> outcome = err != null
                    ? Map.entry(HealthStatus.CRITICAL, String.valueOf(err.getMessage())) : r;
            synchronized (this) {
                Entry e = checks.get(id);
                if (e != null && e.generation == gen) {
                    e.probing = false;
                    // Below its threshold a result changes nothing (Consul's flapping guard).
                    if (e.counter.report(outcome.getKey(), e.def.successBeforePassing(),
                            e.def.failuresBeforeCritical())) {
                        setStatus(e, outcome.getKey(), outcome.getValue());
                    }
                }
            }
        });
    }

    // ---- config and anti-entropy ----

    /** Registers the services and checks of the config files (validated when the config was built). */
    private void registerFromConfig() {
        AgentConfig cfg;
        synchronized (this) {
            cfg = definitions;
        }
        try {
            for (ServiceDefinition d : ConfigServices.services(cfg, config.enableScriptChecks())) {
                addService(d);
            }
            for (CheckDefinition c : ConfigServices.checks(cfg, config.enableScriptChecks())) {
                addCheck(c.check(), c.type());
            }
        } catch (RuntimeException e) {
            // Validated at startup, so only a limit (too many entries) can get here.
            LOG.log(System.Logger.Level.ERROR, "registering the services and checks of the config failed: "
                    + e.getMessage());
        }
    }

    /**
     * Reload (config feature): makes the services and checks of the config files those of
     * {@code next}. Definitions the previous config had and {@code next} lacks are removed, the others
     * added or replaced; services and checks registered through the API are left alone, as in
     * Consul. Script checks stay allowed only if they were at start ({@code enable_script_checks}
     * needs a restart). Before the node is in the catalog, only the definitions to register change.
     *
     * @return completes when the catalog writes are done; fails with the first write's error
     * @throws io.tribune.agent.config.ConfigException when a definition of {@code next} is invalid;
     *         nothing has changed then
     */
    public CompletableFuture<Void> reloadDefinitions(AgentConfig next) {
        boolean scripts = config.enableScriptChecks();
        List<ServiceDefinition> svcs = ConfigServices.services(next, scripts);
        List<CheckDefinition> chks = ConfigServices.checks(next, scripts);
        AgentConfig previous;
        synchronized (this) {
            previous = definitions;
            definitions = next;
            if (!selfRegistered.isDone()) {
                return CompletableFuture.completedFuture(null);
            }
        }
        java.util.Set<String> keepSvc = new java.util.HashSet<>();
        svcs.forEach(d -> keepSvc.add(d.service().id()));
        java.util.Set<String> keepChk = new java.util.HashSet<>();
        chks.forEach(c -> keepChk.add(c.check().checkId()));
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (ServiceDefinition d : ConfigServices.services(previous, scripts)) {
            if (!keepSvc.contains(d.service().id()) && hasService(d.service().id())) {
                writes.add(removeService(d.service().id()));
            }
        }
        for (CheckDefinition c : ConfigServices.checks(previous, scripts)) {
            if (!keepChk.contains(c.check().checkId()) && check(c.check().checkId()).isPresent()) {
                writes.add(removeCheck(c.check().checkId()));
            }
        }
        for (ServiceDefinition d : svcs) {
            writes.add(addService(d));
        }
        for (CheckDefinition c : chks) {
            writes.add(addCheck(c.check(), c.type()));
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    private synchronized void scheduleSync() {
        if (closed) {
            return;
        }
        int nodes = Math.max(1, membership.members().size());
        syncTimer = scheduler.schedule(AntiEntropy.nextDelay(config.antiEntropyInterval(), nodes,
                random.nextDouble()), () -> syncNow().whenComplete((n, e) -> {
                    if (e != null) {
                        LOG.log(System.Logger.Level.WARNING, "anti-entropy sync failed, will retry: " + e.getMessage());
                    } else if (n > 0) {
                        LOG.log(System.Logger.Level.INFO, "anti-entropy repaired {0} catalog entries of this node", n);
                    }
                    scheduleSync();
                }));
    }

    /**
     * One full anti-entropy sync: reads this node's catalog entry, compares it with the local state
     * and queues the repairing writes behind every write already queued. The local snapshot is taken
     * after the catalog read and under the lock that orders local writes, so a local change made
     * meanwhile is written after the repair and wins. Completes with the number of repair writes.
     */
    public CompletableFuture<Integer> syncNow() {
        String node = config.nodeName();
        return readCatalog(node).thenCompose(cat -> {
            List<Op.Write<Boolean>> plan;
            CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
            synchronized (this) {
                plan = AntiEntropy.plan(localNode(), services(), checks(), cat);
                for (Op.Write<Boolean> c : plan) {
                    done = write(c);
                }
            }
            int n = plan.size();
            return done.thenApply(x -> n);
        });
    }

    /**
     * This node with its services and checks as the catalog holds it, read through the request layer
     * with {@code stale} consistency: a server reads its own replica (which may lag the leader a
     * little: a repair based on it is an idempotent re-registration, and the next sync sees the
     * settled state); a client asks a server.
     */
    private CompletableFuture<AntiEntropy.CatalogView> readCatalog(String node) {
        Options stale = Options.of(ReadConsistency.STALE);
        var services = requests.call(new Catalog.ServicesOfNode(node), stale);
        var checks = requests.call(new Health.NodeChecks(node), stale);
        return services.thenCombine(checks, (sv, c) -> new AntiEntropy.CatalogView(sv.value().map(x -> x.node()),
                sv.value().map(x -> x.services()).orElse(List.of()), c.value()));
    }

    /** Stops anti-entropy and every probe; kills running check scripts. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (syncTimer != null) {
                syncTimer.cancel();
            }
            checks.values().forEach(this::cancel);
        }
        scripts.close();
    }
}

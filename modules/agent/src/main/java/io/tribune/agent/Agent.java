package io.tribune.agent;

import io.tribune.agent.cluster.ClusterKeyring;
import io.tribune.agent.cluster.NodeIds;
import io.tribune.agent.cluster.RetryJoin;
import io.tribune.agent.cluster.ServerTags;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigKeys;
import io.tribune.agent.config.WanSettings;
import io.tribune.agent.local.LocalEndpoints;
import io.tribune.agent.local.LocalState;
import io.tribune.agent.platform.AgentMetrics;
import io.tribune.agent.platform.AgentPlatform;
import io.tribune.agent.platform.AgentPluginContext;
import io.tribune.agent.plugins.LoadedPlugin;
import io.tribune.agent.plugins.PluginLoadException;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.AgentOps;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.internal.Handlers;
import io.tribune.agent.rpc.internal.MembershipServerDirectory;
import io.tribune.agent.rpc.internal.RequestIds;
import io.tribune.agent.rpc.internal.Router;
import io.tribune.agent.rpc.internal.RpcServer;
import io.tribune.agent.rpc.internal.ServerDirectory;
import io.tribune.agent.server.DatacenterList;
import io.tribune.agent.server.LeaderDuties;
import io.tribune.agent.server.LeaderReconciler;
import io.tribune.agent.server.ServerBootstrap;
import io.tribune.agent.server.ServerEndpoints;
import io.tribune.agent.server.SnapshotRestore;
import io.tribune.api.Clock;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.ProviderFactory;
import io.tribune.api.Scheduler;
import io.tribune.api.SpiKind;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusFactory;
import io.tribune.api.consensus.ConsensusSetup;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipFactory;
import io.tribune.api.membership.MembershipSetup;
import io.tribune.api.membership.Pool;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageFactory;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportFactory;
import io.tribune.api.transport.TransportSetup;
import io.tribune.state.StateStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * A running agent: the chosen plugins wired to the agent's duties and its request layer.
 *
 * <p>Start order: the platform (handed in, or the system's); in server mode the storage, transport
 * and consensus plugins with the state store as their state machine (bootstrapped when {@code -dev}
 * or {@code -bootstrap} and there is no prior state); the LAN membership (and on servers the WAN
 * pool); the request layer ({@link Router}) with the server endpoints and their RPC methods on a
 * server, and the agent endpoints everywhere; the local state (its own node, services and checks,
 * anti-entropy); then the optional parts found with {@link ServiceLoader} ({@link AgentService}:
 * DNS, the gRPC API, the HTTP API last), each handed a narrow {@link AgentContext}. Shutdown runs
 * the reverse order, announcing a graceful leave first when asked.
 */
public final class Agent {
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());

    /** Plugins used when nothing is chosen, by mode. */
    static final Map<SpiKind, String> DEV_DEFAULTS = Map.of(SpiKind.STORAGE, "storage-memory",
            SpiKind.CONSENSUS, "consensus-single", SpiKind.TRANSPORT, "transport-inproc",
            SpiKind.MEMBERSHIP, "membership-static");
    static final Map<SpiKind, String> CLUSTER_DEFAULTS = Map.of(SpiKind.STORAGE, "storage-rocksdb",
            SpiKind.CONSENSUS, "raft", SpiKind.TRANSPORT, "transport-grpc", SpiKind.MEMBERSHIP, "gossip-swim");

    private final AgentConfig config;
    private final String runtime;
    private final AgentPlatform platform;
    private final AgentContext context = new Context();
    private volatile ClusterKeyring keyring;
    private final boolean ownsPlatform;
    private final AgentMetrics metrics;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Map<SpiKind, String> chosen = new TreeMap<>();
    private final long startedNanos;
    private final List<AgentService> started = new CopyOnWriteArrayList<>();
    private StateStore state;
    private Storage storage;
    private Transport transport;
    private Consensus consensus;
    private Membership membership;
    private Membership wan;
    private Router router;
    private LocalState local;
    private volatile boolean shutDown;
    // Reload (config feature): the config in effect, where a new one comes from, and who else applies it.
    private volatile AgentConfig running;
    /** keys feature: the node ID the data dir gave at start, carried into reloads; null when node_id is configured. */
    private volatile String settledNodeId;
    private volatile java.util.function.Supplier<AgentConfig> reloadSource;
    private volatile java.util.function.Consumer<AgentConfig> reloadApplied = c -> { };
    private volatile io.tribune.agent.acl.AgentTokens aclTokens;
    private final Object reloadLock = new Object();
    // plugins feature: what runs (not what is on disk), and where a live update gets new code
    private final Map<SpiKind, io.tribune.agent.plugins.RunningPlugin> runningPlugins = new TreeMap<>();
    private volatile PluginRegistry registry;
    private volatile io.tribune.agent.plugins.PluginSource updateSource;
    private TransportSetup transportSetup;
    private MembershipSetup lanSetup;
    private MembershipSetup wanSetup;

    private Agent(AgentConfig config, String runtime, AgentPlatform platform, boolean ownsPlatform) {
        this.config = config;
        this.running = config;
        this.runtime = runtime;
        this.platform = platform;
        this.ownsPlatform = ownsPlatform;
        this.startedNanos = platform.clock().nanos();
        // Telemetry (docs/metrics.md): one registry per agent; telemetry.* settings are checked here.
        this.metrics = new AgentMetrics(platform.clock(), config.pluginConfig(), config.nodeName());
    }

    /**
     * Starts an agent on the production platform ({@link AgentPlatform#system()}), which it closes
     * when it shuts down.
     *
     * @throws PluginLoadException when a plugin choice is unknown, missing or ambiguous
     * @throws ConfigException     when the configuration cannot work with the chosen plugins
     */
    public static Agent start(AgentConfig config, PluginRegistry registry, String runtime) {
        return start(config, registry, runtime, AgentPlatform.system(), true);
    }

    /**
     * Starts an agent on {@code platform}, which stays the caller's (a simulation runs several agents
     * on one virtual clock and scheduler): nothing of the agent reads the wall clock, sleeps or draws
     * unseeded randomness.
     */
    public static Agent start(AgentConfig config, PluginRegistry registry, String runtime, AgentPlatform platform) {
        return start(config, registry, runtime, platform, false);
    }

    private static Agent start(AgentConfig config, PluginRegistry registry, String runtime, AgentPlatform platform,
                               boolean ownsPlatform) {
        // keys feature: the node ID (node_id, else the data dir's node-id file, else derived and written there).
        AgentConfig settled = NodeIds.settle(config);
        Agent a = new Agent(settled, runtime, platform, ownsPlatform);
        a.settledNodeId = ConfigKeys.nodeId(config).isPresent() ? null : ConfigKeys.nodeId(settled).orElse(null);
        try {
            a.doStart(registry);
        } catch (RuntimeException e) {
            a.closeAll();
            throw e;
        }
        return a;
    }

    private <F extends ProviderFactory> F choose(PluginRegistry registry, SpiKind kind, Class<F> type) {
        Map<SpiKind, String> defaults = config.dev() ? DEV_DEFAULTS : CLUSTER_DEFAULTS;
        F f = registry.select(kind, type, config.plugin(kind), Optional.ofNullable(defaults.get(kind)));
        chosen.put(kind, f.name());
        this.registry = registry;
        registry.candidates(kind).stream().filter(c -> c.factory() == f).findFirst()
                .ifPresent(c -> runningPlugins.put(kind, runningOf(kind, f.name(), c.plugin())));
        return f;
    }

    /** A seed for {@code component}: the platform's, mixed with the node and component names. */
    private long seed(String component) {
        long h = platform.seed();
        for (byte b : (config.nodeName() + "/" + component).getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001B3L;
        }
        return h;
    }

    private RandomGenerator random(String component) {
        return new SplittableRandom(seed(component));
    }

    private PluginContext context(String component) {
        Optional<Path> dir = config.dataDir().map(d -> d.resolve(component));
        dir.ifPresent(d -> {
            try {
                Files.createDirectories(d);
            } catch (IOException e) {
                throw new ConfigException("cannot create data directory " + d + ": " + e.getMessage(), e);
            }
        });
        return new AgentPluginContext(config.nodeName(), config.datacenter(), platform.clock(), platform.scheduler(),
                seed(component), component, metrics.scoped(component), dir, this::lookupFactory);
    }

    /**
     * The membership plugin's configuration for the LAN or the WAN pool: the same keys (so the same
     * gossip key and keyring), except that {@code <plugin>.wan.<key>} overrides a key for the WAN pool
     * only ({@link WanSettings#wanPluginConfig}).
     */
    private PluginConfig poolConfig(String name, boolean wanPool) {
        return PluginConfig.of(WanSettings.wanPluginConfig(config.pluginConfig().asMap(), name, wanPool));
    }

    private PluginConfig pluginConfig(String name) {
        Map<String, String> m = new TreeMap<>();
        config.pluginConfig().asMap().forEach((k, v) -> {
            if (k.startsWith(name + ".")) {
                m.put(k, v);
            }
        });
        return PluginConfig.of(m);
    }

    private void doStart(PluginRegistry registry) {
        Clock clock = platform.clock();
        Scheduler scheduler = platform.scheduler();
        StorageFactory sf = null;
        ConsensusFactory cf = null;
        if (config.server()) {
            sf = choose(registry, SpiKind.STORAGE, StorageFactory.class);
            cf = choose(registry, SpiKind.CONSENSUS, ConsensusFactory.class);
            if (sf.durable() && config.dataDir().isEmpty()) {
                throw new ConfigException("storage plugin '" + sf.name() + "' is durable and needs -data-dir");
            }
        }
        // Telemetry: JVM runtime figures and the 10 s intervals of /v1/agent/metrics.
        closeables.push(metrics.start(scheduler)::cancel);
        TransportFactory tf = choose(registry, SpiKind.TRANSPORT, TransportFactory.class);
        MembershipFactory mf = choose(registry, SpiKind.MEMBERSHIP, MembershipFactory.class);
        // plugins feature: refuse what the chosen plugins cannot serve, by their capabilities, before anything listens.
        io.tribune.agent.plugins.Capabilities.Choice wanCapable = io.tribune.agent.plugins.Capabilities.choice(
                registry, SpiKind.MEMBERSHIP, mf);
        io.tribune.agent.plugins.Capabilities.checkStart(config, new io.tribune.agent.plugins.Capabilities.Chosen(
                Optional.ofNullable(sf).map(f -> io.tribune.agent.plugins.Capabilities.choice(registry, SpiKind.STORAGE, f)),
                Optional.ofNullable(cf).map(f -> io.tribune.agent.plugins.Capabilities.choice(registry, SpiKind.CONSENSUS, f)),
                io.tribune.agent.plugins.Capabilities.choice(registry, SpiKind.TRANSPORT, tf), wanCapable));
        LOG.log(System.Logger.Level.INFO, "starting agent {0} in {1}, {2} mode, plugins {3} (runtime {4})",
                config.nodeName(), config.datacenter(), config.server() ? "server" : "client", chosen, runtime);

        Endpoint rpc = new Endpoint(config.bindAddr(), Math.max(0, config.ports().server()));
        Endpoint advertise = new Endpoint(config.advertiseAddr(), rpc.port());
        TransportSetup setup = new TransportSetup(rpc, advertise, TransportSetup.DEFAULT_MAX_MESSAGE_BYTES,
                config.tls());
        // A client agent only calls servers, as in Consul: it opens no RPC port, so nothing on it can
        // be reached but its HTTP, DNS and gRPC front ends (which serve the local agent's callers).
        boolean callOnly = !config.server() && tf.supportsCallOnly();
        if (!config.server() && !callOnly) {
            LOG.log(System.Logger.Level.WARNING, "transport plugin ''{0}'' cannot run call-only (SPI before 1.2): "
                    + "this client agent listens on {1} although it serves nothing there", tf.name(), rpc);
        }
        transportSetup = callOnly ? setup.asCallOnly() : setup;
        // Behind a stable front, so that a live update can replace the instance (updatePlugin).
        transport = new io.tribune.agent.plugins.SwappableTransport(tf.create(transportSetup, pluginConfig(tf.name()),
                context(tf.name())));
        closeables.push(transport);
        // A server's operations are registered before its port opens (a restarting server must never
        // answer a client NO_HANDLER for want of them); calls wait briefly for the request layer below.
        RpcServer rpcServer = null;
        if (config.server()) {
            rpcServer = new RpcServer(transport, config.tls().map(TransportSetup.Tls::verifyIncoming).orElse(false),
                    scheduler);
            closeables.push(rpcServer);
            rpcServer.start();
        }
        transport.start();

        if (config.server()) {
            state = new StateStore(platform.workers());
            storage = sf.create(pluginConfig(sf.name()), context(sf.name()));
            closeables.push(storage);
            consensus = cf.create(new ConsensusSetup(config.nodeName(), state, storage, Optional.of(transport)),
                    pluginConfig(cf.name()), context(cf.name()));
            closeables.push(consensus);
        }

        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(ServerTags.ROLE, config.server() ? ServerTags.SERVER : "node");
        tags.put(ServerTags.DC, config.datacenter());
        if (config.server()) {
            // Where clients and other servers send requests; a client agent serves nothing there.
            tags.put(ServerTags.PORT, Integer.toString(transport.localEndpoint().port()));
        }
        if (config.bootstrapExpect() > 0) {
            tags.put(ServerTags.EXPECT, Integer.toString(config.bootstrapExpect()));
        }
        tags.put(NodeIds.TAG, NodeIds.of(config));   // keys feature: the leader registers this node under its ID
        tags.put("build", "tribune-0.1.0");
        tags.put("vsn", "2");
        // Behind a stable front, so that a live update can replace the instance (updatePlugin).
        lanSetup = new MembershipSetup(config.nodeName(), Pool.LAN, config.bindAddr(),
                Math.max(0, config.ports().serfLan()), config.advertiseAddr(), tags);
        membership = new io.tribune.agent.plugins.SwappableMembership(mf.create(lanSetup, poolConfig(mf.name(), false),
                context(mf.name())), clock, scheduler);
        closeables.push(membership);
        // Every agent, client or server, answers keyring queries; registered before the pool starts
        // so that none is missed.
        keyring = new ClusterKeyring(membership,
                config.pluginConfig().getDuration(Router.HOLD_TIMEOUT_KEY, Router.DEFAULT_HOLD_TIMEOUT), scheduler);
        closeables.push(keyring);
        keyring.start();
        membership.start();
        if (config.server()) {
            // Consensus starts now or, with bootstrap_expect, once enough servers are seen in gossip.
            ServerBootstrap boot = new ServerBootstrap(consensus, membership, config.datacenter(), config.nodeName(),
                    config.bootstrapExpect(), scheduler);
            closeables.push(boot);
            // The advertised address, as Consul puts in its Raft configuration: the bound one may be a
            // wildcard (0.0.0.0) that reaches nobody, and /v1/status/leader shows this address.
            boot.begin(config.dev() || config.bootstrap(), List.of(new ServerInfo(config.nodeName(),
                    new Endpoint(config.advertiseAddr(), transport.localEndpoint().port()), true)));
            // autopilot: CleanupDeadServers comes from the replicated configuration, else the config file's
            io.tribune.state.AutopilotConfig autopilotDefaults =
                    io.tribune.agent.autopilot.AutopilotSettings.defaults(config.pluginConfig());
            LeaderReconciler reconciler = new LeaderReconciler(consensus, state, membership, config.datacenter(),
                    config.nodeName(), scheduler, clock, LeaderReconciler.Settings.DEFAULT,
                    () -> io.tribune.agent.autopilot.AutopilotSettings.effective(state, autopilotDefaults)
                            .cleanupDeadServers());
            closeables.push(reconciler);
            reconciler.start();
            // A membership plugin that declares no WAN_POOL runs no WAN pool (-join-wan is refused above).
            if (!config.dev() && config.ports().serfWan() >= 0 && wanCapable.has(io.tribune.api.Capability.WAN_POOL)) {
                // Named <node>.<dc>, with the LAN tags (role, dc, port: where other datacenters send requests).
                wanSetup = new MembershipSetup(config.nodeName() + "." + config.datacenter(), Pool.WAN,
                        config.bindAddr(), config.ports().serfWan(),
                        io.tribune.agent.config.ConfigKeys.advertiseAddrWan(config), tags);
                wan = new io.tribune.agent.plugins.SwappableMembership(mf.create(wanSetup, poolConfig(mf.name(), true),
                        context(mf.name() + "-wan")), clock, scheduler);
                closeables.push(wan);
                wan.start();
            }
        }
        WanSettings wanJoin = WanSettings.of(config);
        if (wan == null && wanJoin.joins()) {
            throw new ConfigException("-join-wan and -retry-join-wan need a WAN pool: only a server outside -dev mode "
                    + "with ports.serf_wan enabled has one");
        }
        if (wan != null) {
            if (!wanJoin.startJoin().isEmpty()) {
                wan.join(wanJoin.startJoin()).orTimeout(30, TimeUnit.SECONDS).join();
            }
            RetryJoin retryWan = new RetryJoin(wan, wanJoin.retryJoin(), wanJoin.retryInterval(), wanJoin.retryMax(),
                    scheduler, "WAN");
            closeables.push(retryWan);
            retryWan.start();
        }
        if (!config.startJoin().isEmpty()) {
            membership.join(config.startJoin()).orTimeout(30, TimeUnit.SECONDS).join();
        }
        RetryJoin retry = new RetryJoin(membership, config.retryJoin(), config.retryInterval(), config.retryMax(),
                scheduler, "LAN");
        closeables.push(retry);
        retry.start();

        // The request layer: every front end and every duty below goes through it.
        Duration hold = config.pluginConfig().getDuration(Router.HOLD_TIMEOUT_KEY, Router.DEFAULT_HOLD_TIMEOUT);
        Handlers handlers = new Handlers();
        ServerDirectory directory = wan == null ? new MembershipServerDirectory(membership)
                : new MembershipServerDirectory(membership).or(new MembershipServerDirectory(wan));
        RandomGenerator rpcRandom = random("rpc");
        router = new Router(new Router.Settings(config.nodeName(), config.datacenter(), hold), handlers, transport,
                Optional.ofNullable(consensus), Optional.ofNullable(state), membership, directory, clock, scheduler,
                rpcRandom, new RequestIds(rpcRandom.nextLong()), platform.workers());
        closeables.push(router);
        // Telemetry: the request layer's RPC counters and write timers, the LAN pool's member events,
        // and /v1/agent/metrics (agent:read, as in Consul).
        router.metrics(metrics);
        closeables.push(io.tribune.agent.metrics.SerfMetrics.attach(membership, metrics)::close);
        handlers.local(io.tribune.agent.rpc.MetricsOps.Read.class,
                (o, opt) -> java.util.concurrent.CompletableFuture.completedFuture(metrics.report(o.prometheus())));
        // ACLs: endpoints, and authorization of every operation decided here (before any front end).
        io.tribune.agent.acl.AgentAcl acl = io.tribune.agent.acl.AgentAcl.start(config, router, handlers,
                Optional.ofNullable(consensus), Optional.ofNullable(state), clock, scheduler);
        closeables.push(acl);
        aclTokens = acl.tokens();
        io.tribune.agent.config.CoordinateSettings coordinateSettings =
                io.tribune.agent.config.CoordinateSettings.of(config);
        if (config.server()) {
            io.tribune.agent.server.WanCoordinates wanCoordinates =
                    new io.tribune.agent.server.WanCoordinates(Optional.ofNullable(wan));
            wanCoordinates.register(handlers);
            DatacenterList.register(handlers, config.datacenter(), Optional.ofNullable(wan),
                    wanCoordinates.rttFunction());
            String consensusPlugin = chosen.getOrDefault(SpiKind.CONSENSUS, "");
            io.tribune.agent.server.CoordinateBatcher batcher =
                    new io.tribune.agent.server.CoordinateBatcher(consensus, coordinateSettings);
            batcher.start(scheduler);
            closeables.push(batcher);
            ServerEndpoints.register(handlers, new ServerEndpoints.Setup(config.datacenter(), consensus, membership,
                    clock, scheduler, hold, SnapshotRestore.chunkBytes(config.pluginConfig(), consensusPlugin),
                    Optional.of(batcher)));
            // autopilot: configuration and the leader's server health
            io.tribune.agent.autopilot.AutopilotEndpoints.register(handlers,
                    io.tribune.agent.autopilot.AutopilotSettings.defaults(config.pluginConfig()), membership, clock);
            // Prepared queries, sorted near a node by the network coordinates in the state each read sees.
            io.tribune.agent.query.QueryEndpoints.register(handlers, new io.tribune.agent.query.QueryEndpoints.Setup(
                    config.datacenter(), random("query"), io.tribune.agent.query.QueryExecution::byCoordinates));
            rpcServer.attach(router);
            LeaderDuties duties = new LeaderDuties(consensus, state, clock::wallMillis, clock::millis);
            duties.start(scheduler);
            closeables.push(duties::stop);
        }
        local = new LocalState(new LocalState.Setup(config, acl.agentRequests(router), clock, scheduler, random("local"), membership,
                router::canWrite, config.server() ? OptionalInt.of(transport.localEndpoint().port())
                : OptionalInt.empty()));
        closeables.push(local);
        new io.tribune.agent.query.QueryExecutor(router, config.nodeName(), "").register(handlers);
        // plugins feature: what runs, and live update (operator:write; unknown ops default to it).
        handlers.local(AgentOps.Plugins.class, (o, opt) -> CompletableFuture.completedFuture(runningPlugins()));
        handlers.local(AgentOps.UpdatePlugin.class, (o, opt) -> {
            CompletableFuture<List<io.tribune.agent.plugins.RunningPlugin>> done = new CompletableFuture<>();
            // Off the request thread: an update closes and starts a transport and waits for the runtime.
            Thread t = new Thread(() -> {
                try {
                    done.complete(updatePlugin(o.name(), o.jar().map(Path::of)));
                } catch (RuntimeException | LinkageError e) {
                    done.completeExceptionally(e);
                }
            }, "tribune-plugin-update");
            t.setDaemon(true);
            t.start();
            return done;
        });
        LocalEndpoints.register(handlers, new LocalEndpoints.Setup(config.nodeName(), local, membership,
                Optional.ofNullable(wan), keyring, chosen.getOrDefault(SpiKind.MEMBERSHIP, "?"), this::self,
                () -> shutdownAsync(true)));
        // config feature: /v1/agent/reload and the other front ends' reload go through the request layer.
        handlers.local(AgentOps.Reload.class, (o, opt) -> java.util.concurrent.CompletableFuture.supplyAsync(
                this::reload, platform.workers()));
        // obs: /v1/agent/monitor and /v1/agent/host
        io.tribune.agent.observe.ObserveEndpoints.register(handlers, config.dataDir().orElse(java.nio.file.Path.of("/")),
                () -> clock.wallMillis() * 1_000_000L, platform.workers());
        router.start();
        local.registerSelf();
        // obs: one log line per leader change (servers) and per join of a cluster with a leader (all agents)
        io.tribune.agent.observe.ClusterLog clusterLog = new io.tribune.agent.observe.ClusterLog(config.nodeName());
        clusterLog.start(Optional.ofNullable(consensus), router, scheduler);
        closeables.push(clusterLog);
        // Every agent publishes its LAN coordinate (Consul's coordinate_update_period).
        io.tribune.agent.cluster.CoordinateSender coordinateSender = new io.tribune.agent.cluster.CoordinateSender(
                config.nodeName(), membership, acl.agentRequests(router), coordinateSettings);
        coordinateSender.start(scheduler, random("coordinates"));
        closeables.push(coordinateSender);

        List<AgentService> services = new ArrayList<>();
        (Agent.class.getModule().isNamed()
                ? ServiceLoader.load(Agent.class.getModule().getLayer(), AgentService.class)
                : ServiceLoader.load(AgentService.class, Agent.class.getClassLoader())).forEach(services::add);
        services.sort(Comparator.comparingInt(AgentService::order).thenComparing(AgentService::name));
        for (AgentService service : services) {
            closeables.push(service);
            started.add(service);
            service.start(context);
            LOG.log(System.Logger.Level.INFO, "started {0}{1}", service.name(),
                    service.address().map(a -> " on " + a).orElse(""));
        }
        LOG.log(System.Logger.Level.INFO, "agent started in {0} ms",
                TimeUnit.NANOSECONDS.toMillis(clock.nanos() - startedNanos));
    }

    /** What the optional parts get: the configuration, the request layer and the platform. */
    private final class Context implements AgentContext {
        @Override
        public AgentConfig config() {
            return config;
        }

        @Override
        public Requests requests() {
            return router;
        }

        @Override
        public Clock clock() {
            return platform.clock();
        }

        @Override
        public Scheduler scheduler() {
            return platform.scheduler();
        }

        @Override
        public Executor workers() {
            return platform.workers();
        }

        @Override
        public RandomGenerator random(String purpose) {
            return Agent.this.random("service/" + purpose);
        }

        @Override
        public void closeOnShutdown(AutoCloseable c) {
            Agent.this.closeOnShutdown(c);
        }

        @Override
        public Optional<InetSocketAddress> serviceAddress(String name) {
            return Agent.this.serviceAddress(name);
        }

        @Override
        public AgentMetrics metrics() {
            return metrics;
        }
    }

    // ---- plugins feature: running plugins and live update

    /** For plugins that wrap plugins ({@link PluginContext#factory}): an installed factory by area and name. */
    private ProviderFactory lookupFactory(SpiKind kind, String name) {
        PluginRegistry r = registry;
        return r == null ? null : r.candidates(kind).stream().filter(c -> c.name().equals(name))
                .map(PluginRegistry.Candidate::factory).findFirst().orElse(null);
    }

    private io.tribune.agent.plugins.RunningPlugin runningOf(SpiKind kind, String factory, LoadedPlugin p) {
        ProviderFactory f = registry == null ? null : registry.candidates(kind).stream()
                .filter(c -> c.plugin() == p && c.name().equals(factory)).map(PluginRegistry.Candidate::factory)
                .findFirst().orElse(null);
        return new io.tribune.agent.plugins.RunningPlugin(kind, factory, p.descriptor().name(),
                p.descriptor().version(), p.origin(), platform.clock().wallMillis(),
                f == null ? java.util.Set.of() : io.tribune.agent.plugins.Capabilities.of(p, f));
    }

    /** The plugin instances this agent runs, by SPI area: what is loaded, not what is on disk. */
    public synchronized List<io.tribune.agent.plugins.RunningPlugin> runningPlugins() {
        return List.copyOf(runningPlugins.values());
    }

    /**
     * Lets {@link #updatePlugin} take new plugin code from {@code source} (the runtime that loaded
     * this agent's plugins; it stays the caller's to close, after the agent).
     */
    public void enableLiveUpdate(io.tribune.agent.plugins.PluginSource source) {
        this.updateSource = Objects.requireNonNull(source, "source");
    }

    /**
     * Replaces the running plugin {@code name} with a new revision of its code and starts it with
     * the same setup and configuration (a live update); blocks until done and answers what runs.
     *
     * <p>Which hand-overs are safe (docs/plugins.md, "Live update"): <b>transport</b> yes: the
     * agent's parts hold a {@link io.tribune.agent.plugins.SwappableTransport}; the old instance is
     * closed (calls in flight fail and Raft and the request layer retry them, as after a lost
     * message), the runtime swaps the code, and the new instance opens the same port with the same
     * handlers, so peers simply reconnect. <b>Consensus</b> no: its term, vote, commit index and
     * in-memory log state belong to the instance, and a second instance over the same storage while
     * the first still answers would break Raft's one-vote-per-term rule. <b>Storage</b> no: the
     * consensus instance holds the open stores, so a swap is a stop-the-world copy that is a restart
     * in all but name. <b>Membership</b> yes (Felix): the agent's parts hold a
     * {@link io.tribune.agent.plugins.SwappableMembership} per pool, which hands the node's identity,
     * tags, port, incarnation, keyring and member list over to the new instance, keeps the listeners'
     * view free of false events and rejoins at once; the gap must stay below the other members'
     * failure detection (about 2 s on gossip-swim's LAN preset).
     *
     * <p>Serialized with itself. On failure nothing else of the agent changes; when the old revision
     * can still run it is restarted, otherwise the message says the agent needs a restart.
     *
     * @throws AgentException {@code UNSUPPORTED} when the runtime or SPI area cannot hand over live,
     *                        {@code NOT_FOUND} when no running plugin has that name, {@code INTERNAL}
     *                        when the new revision fails to load or start
     */
    public synchronized List<io.tribune.agent.plugins.RunningPlugin> updatePlugin(String name, Optional<Path> jar) {
        if (shutDown) {
            throw new AgentException(AgentException.Kind.UNAVAILABLE, "the agent is shutting down");
        }
        List<SpiKind> kinds = runningPlugins.values().stream().filter(r -> r.plugin().equals(name))
                .map(io.tribune.agent.plugins.RunningPlugin::kind).toList();
        if (kinds.isEmpty()) {
            throw new AgentException(AgentException.Kind.NOT_FOUND, "no running plugin is named '" + name
                    + "'; running: " + runningPlugins.values().stream().map(io.tribune.agent.plugins.RunningPlugin::plugin)
                    .distinct().toList());
        }
        if (!kinds.equals(List.of(SpiKind.TRANSPORT)) && !kinds.equals(List.of(SpiKind.MEMBERSHIP))) {
            throw new AgentException(AgentException.Kind.UNSUPPORTED, "plugin '" + name + "' serves " + kinds
                    + ": only a transport or a membership plugin can be replaced in a running agent (consensus "
                    + "and storage hold the replicated log's state); restart the agent to load a new version");
        }
        // plugins feature: a plugin that declares no LIVE_UPDATE is only ever replaced by a restart.
        registry.plugins().stream().filter(p -> p.descriptor().name().equals(name)).findFirst()
                .flatMap(io.tribune.agent.plugins.Capabilities::liveUpdateRefusal).ifPresent(why -> {
                    throw new AgentException(AgentException.Kind.UNSUPPORTED, why);
                });
        io.tribune.agent.plugins.PluginSource source = updateSource;
        if (source == null) {
            throw new AgentException(AgentException.Kind.UNSUPPORTED, "this agent was started without a plugin "
                    + "runtime that can replace plugins; restart it to load a new version");
        }
        if (!"felix".equals(source.runtime())) {
            // Before anything is closed: the JPMS runtime refuses without side effects.
            throw new AgentException(AgentException.Kind.UNSUPPORTED, "the " + source.runtime() + " runtime cannot "
                    + "replace plugin '" + name + "' in a running agent; restart the agent, or run it with "
                    + "-runtime felix");
        }
        if (kinds.equals(List.of(SpiKind.MEMBERSHIP))) {
            return updateMembership(name, jar, source);
        }
        io.tribune.agent.plugins.SwappableTransport front = (io.tribune.agent.plugins.SwappableTransport) transport;
        String factoryName = chosen.get(SpiKind.TRANSPORT);
        TransportFactory oldFactory = registry.select(SpiKind.TRANSPORT, TransportFactory.class,
                Optional.of(factoryName), Optional.empty());
        LoadedPlugin[] fresh = new LoadedPlugin[1];
        try {
            front.replace(() -> fresh[0] = source.update(name, jar, () -> { }), where -> {
                PluginRegistry checked = PluginRegistry.of(List.of(fresh[0]));
                TransportFactory f = checked.select(SpiKind.TRANSPORT, TransportFactory.class,
                        Optional.of(factoryName), Optional.empty());
                return f.create(at(where), pluginConfig(f.name()), context(f.name()));
            });
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.ERROR, "live update of plugin ''{0}'' failed: {1}", name, e.toString());
            String recovered;
            try {
                front.replace(() -> { }, where -> oldFactory.create(at(where), pluginConfig(factoryName),
                        context(factoryName)));
                recovered = "the previous version runs again";
            } catch (RuntimeException | LinkageError e2) {
                recovered = "the previous version cannot run again (" + e2 + "): this agent has no transport, "
                        + "restart it";
            }
            throw new AgentException(AgentException.Kind.INTERNAL, "live update of plugin '" + name + "' failed: "
                    + e.getMessage() + "; " + recovered);
        }
        replaced(name, SpiKind.TRANSPORT, factoryName, fresh[0]);
        LOG.log(System.Logger.Level.INFO, "plugin {0} replaced live: now {1} from {2}", name,
                fresh[0].descriptor().version(), fresh[0].origin());
        return runningPlugins();
    }

    /**
     * The membership branch of {@link #updatePlugin}: both pools (LAN, and WAN on a server) are
     * released (each snapshots its state and closes its instance: the bundle's threads must be gone
     * before the runtime refreshes it), the runtime swaps the code, and each pool resumes with an
     * instance of the new revision on the same port, with the same tags, above the old incarnation,
     * and rejoins the members it knew ({@link io.tribune.agent.plugins.SwappableMembership}). On
     * failure every released pool resumes with the old revision's factory, or, when that fails too, is
     * abandoned (the agent then has no gossip and says it needs a restart).
     */
    private List<io.tribune.agent.plugins.RunningPlugin> updateMembership(String name, Optional<Path> jar,
                                                                          io.tribune.agent.plugins.PluginSource source) {
        List<io.tribune.agent.plugins.SwappableMembership> fronts = new ArrayList<>();
        fronts.add((io.tribune.agent.plugins.SwappableMembership) membership);
        if (wan != null) {
            fronts.add((io.tribune.agent.plugins.SwappableMembership) wan);
        }
        String factoryName = chosen.get(SpiKind.MEMBERSHIP);
        MembershipFactory oldFactory = registry.select(SpiKind.MEMBERSHIP, MembershipFactory.class,
                Optional.of(factoryName), Optional.empty());
        LoadedPlugin fresh;
        try {
            fresh = source.update(name, jar, () -> fronts.forEach(io.tribune.agent.plugins.SwappableMembership::release));
            MembershipFactory f = PluginRegistry.of(List.of(fresh)).select(SpiKind.MEMBERSHIP, MembershipFactory.class,
                    Optional.of(factoryName), Optional.empty());
            for (io.tribune.agent.plugins.SwappableMembership front : fronts) {
                front.resume(h -> createMembership(f, front == membership, h));
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.ERROR, "live update of plugin ''{0}'' failed: {1}", name, e.toString());
            List<String> lost = new ArrayList<>();
            for (io.tribune.agent.plugins.SwappableMembership front : fronts) {
                if (!front.released()) {
                    continue;   // never released, or already running the new revision
                }
                try {
                    front.resume(h -> createMembership(oldFactory, front == membership, h));
                } catch (RuntimeException | LinkageError e2) {
                    front.abandon(e2.toString());
                    lost.add((front == membership ? "LAN" : "WAN") + ": " + e2);
                }
            }
            String recovered = lost.isEmpty() ? "the previous version runs (or still ran)"
                    : "the previous version cannot run again (" + String.join("; ", lost) + "): this agent has no "
                    + "gossip, restart it";
            throw new AgentException(AgentException.Kind.INTERNAL, "live update of plugin '" + name + "' failed: "
                    + e.getMessage() + "; " + recovered);
        }
        replaced(name, SpiKind.MEMBERSHIP, factoryName, fresh);
        LOG.log(System.Logger.Level.INFO, "plugin {0} replaced live: now {1} from {2} (LAN pool rejoined {3} ms "
                + "after the old instance closed)", name, fresh.descriptor().version(), fresh.origin(),
                ((io.tribune.agent.plugins.SwappableMembership) membership).lastGapMillis());
        return runningPlugins();
    }

    /** After a live update: {@code fresh} stands for plugin {@code name} in the registry and runs {@code kind}'s factory. */
    private void replaced(String name, SpiKind kind, String factoryName, LoadedPlugin fresh) {
        registry = PluginRegistry.of(registry.plugins().stream()
                .map(p -> p.descriptor().name().equals(name) ? fresh : p).toList());
        runningPlugins.put(kind, runningOf(kind, factoryName, fresh));
    }

    /**
     * An instance of {@code f} for the LAN or WAN pool that continues {@code h}: bound to the port the
     * previous instance had (it may have been chosen by the system), with its current tags, and with
     * the hand-over keys {@code <plugin>.handover.incarnation} and {@code <plugin>.handover.event-clock}
     * added to the pool's configuration. A plugin that refuses those keys (it checks for unknown ones)
     * is created without them and reaches a higher incarnation by refuting its own state when it rejoins.
     */
    private Membership createMembership(MembershipFactory f, boolean lanPool,
                                        io.tribune.agent.plugins.SwappableMembership.Handover h) {
        MembershipSetup base = lanPool ? lanSetup : wanSetup;
        MembershipSetup setup = new MembershipSetup(base.nodeName(), base.pool(), base.bindHost(), h.local().port(),
                base.advertiseHost(), h.local().tags());
        PluginConfig plain = poolConfig(f.name(), !lanPool);
        Map<String, String> withHandover = new TreeMap<>(plain.asMap());
        withHandover.put(f.name() + ".handover.incarnation", Long.toString(h.incarnation()));
        withHandover.put(f.name() + ".handover.event-clock", Long.toString(h.eventClock()));
        PluginContext ctx = context(lanPool ? f.name() : f.name() + "-wan");
        try {
            return f.create(setup, PluginConfig.of(withHandover), ctx);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.INFO, "membership plugin ''{0}'' refused the hand-over keys ({1}); it starts "
                    + "without them", f.name(), e.getMessage());
            return f.create(setup, plain, ctx);
        }
    }

    /** The transport setup of this agent, listening where the previous instance did. */
    private TransportSetup at(Endpoint where) {
        if (where == null || transportSetup.callOnly()) {
            return transportSetup;
        }
        return new TransportSetup(new Endpoint(transportSetup.bind().host(), where.port()),
                new Endpoint(transportSetup.advertise().host(), where.port()), transportSetup.maxMessageBytes(),
                transportSetup.tls());
    }

    /** {@code /v1/agent/self}: configuration, member and figures. */
    private AgentOps.Info self() {
        Map<String, Map<String, String>> stats = new LinkedHashMap<>();
        if (consensus != null) {
            stats.put("raft", new TreeMap<>(consensus.stats() == null ? Map.of() : consensus.stats()));
        }
        stats.put("serf_lan", new TreeMap<>(membership.stats() == null ? Map.of() : membership.stats()));
        if (wan != null) {
            stats.put("serf_wan", new TreeMap<>(wan.stats() == null ? Map.of() : wan.stats()));
        }
        Map<String, String> rpc = new TreeMap<>();
        router.stats().forEach((k, v) -> rpc.put(k, Long.toString(v)));
        stats.put("rpc", rpc);
        Map<String, String> agentStats = new LinkedHashMap<>();
        agentStats.put("runtime", runtime);
        chosen.forEach((k, v) -> agentStats.put("plugin_" + k.key(), v));
        // cli: Consul's agent counts (consul info and scripts read them); Consul's consul section:
        // known_servers on clients only, bootstrap/leader/known_datacenters on servers only.
        if (local != null) {
            agentStats.putAll(local.counts());
        }
        stats.put("agent", agentStats);
        Map<String, String> consul = new LinkedHashMap<>();
        if (consensus != null) {
            consul.put("bootstrap", Boolean.toString(config.bootstrap()));
            consul.put("known_datacenters", Long.toString(wan == null ? 1 : Math.max(1, wan.members().stream()
                    .map(m -> String.valueOf(m.tag(ServerTags.DC))).distinct().count())));
            consul.put("leader", Boolean.toString(consensus.isLeader()));
        } else {
            consul.put("known_servers", Long.toString(membership.members().stream()
                    .filter(m -> m.status() == MemberStatus.ALIVE && ServerTags.SERVER.equals(m.tag(ServerTags.ROLE))
                            && config.datacenter().equals(m.tag(ServerTags.DC))).count()));
        }
        consul.put("server", Boolean.toString(config.server()));
        stats.put("consul", consul);
        return new AgentOps.Info(config, NodeIds.of(config), runtime, Map.copyOf(chosen),
                membership.localMember(), stats);
    }

    /**
     * Registers {@code c} to be closed at shutdown, before everything started earlier. After
     * shutdown, closes {@code c} at once.
     */
    public synchronized void closeOnShutdown(AutoCloseable c) {
        if (!shutDown) {
            closeables.push(c);
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "closing " + c.getClass().getName() + " failed: " + e);
        }
    }

    /** Blocks until the agent has shut down. */
    public void awaitTermination() {
        try {
            terminated.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the agent: with {@code leave}, announces a graceful leave first; then closes every
     * component in reverse start order. Idempotent.
     */
    public synchronized void shutdown(boolean leave) {
        if (shutDown) {
            return;
        }
        shutDown = true;
        LOG.log(System.Logger.Level.INFO, "shutting down{0}", leave ? " (graceful leave)" : "");
        if (leave && wan != null) {
            // As Consul: other datacenters stop sending requests here before the LAN pool hears of it.
            try {
                wan.leave(Duration.ofSeconds(5)).get(6, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "graceful leave of the WAN pool did not complete: " + e);
            }
        }
        if (leave && membership != null) {
            try {
                membership.leave(Duration.ofSeconds(5)).get(6, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "graceful leave did not complete: " + e);
            }
        }
        closeAll();
        terminated.countDown();
        LOG.log(System.Logger.Level.INFO, "agent stopped");
    }

    /** Asks the agent to stop from inside (e.g. {@code PUT /v1/agent/leave}); returns at once. */
    public void shutdownAsync(boolean leave) {
        Thread t = new Thread(() -> shutdown(leave), "tribune-leave");
        t.setDaemon(false);
        t.start();
    }

    private void closeAll() {
        while (!closeables.isEmpty()) {
            AutoCloseable c = closeables.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + c.getClass().getName() + " failed: " + e);
            }
        }
        if (ownsPlatform) {
            platform.close();
        }
    }

    public AgentConfig config() {
        return config;
    }

    public String runtime() {
        return runtime;
    }

    /** Plugin chosen per area. */
    public Map<SpiKind, String> plugins() {
        return Map.copyOf(chosen);
    }

    public AgentMetrics metrics() {
        return metrics;
    }

    /** The request layer, for embedding programs and tests: every operation of the agent. */
    public Requests requests() {
        return router;
    }

    /** The state store; empty on a client agent. For tests and embedding programs that inspect state. */
    public Optional<StateStore> state() {
        return Optional.ofNullable(state);
    }

    /** Consensus; empty on a client agent. For tests and embedding programs that inspect the cluster. */
    public Optional<Consensus> consensus() {
        return Optional.ofNullable(consensus);
    }

    /** The LAN pool. */
    public Membership membership() {
        return membership;
    }

    /** The WAN pool: present on servers outside {@code -dev} mode with a WAN port. */
    public Optional<Membership> wanMembership() {
        return Optional.ofNullable(wan);
    }

    /** The RPC transport. */
    public Transport transport() {
        return transport;
    }

    /** The request router (tests of the agent module). */
    public Router router() {
        return router;
    }

    /** Counters of forwarded and served requests and of the agent cache ({@code /v1/agent/self}'s {@code rpc}). */
    public Map<String, Long> rpcStats() {
        return router.stats();
    }

    /** A client agent's servers in the order it tries them (empty on a server). */
    public List<Endpoint> serverList() {
        return router.serverList();
    }

    /**
     * Sets where {@link #reload} reads the new configuration (the launcher re-reads the config files
     * and flags) and what it applies beyond the agent (the launcher's log level). Without a source,
     * reload re-applies the running configuration.
     */
    public void onReload(java.util.function.Supplier<AgentConfig> source,
                         java.util.function.Consumer<AgentConfig> applied) {
        this.reloadSource = source;
        this.reloadApplied = applied == null ? c -> { } : applied;
    }

    /** The configuration in effect: the start one, or the last one reloaded. */
    public AgentConfig runningConfig() {
        return running;
    }

    /**
     * Reads the configuration again and applies what can change while running: the services and
     * checks of the config files, the ACL tokens set in the config, and (through the launcher's
     * callback) the log level. The agent stays in the cluster. The keys that differ but need a
     * restart are logged in one WARN line and returned. Calls are serialized; any thread but the
     * scheduler's (it waits for catalog writes).
     *
     * @throws io.tribune.agent.rpc.AgentException BAD_REQUEST with the config error when the new
     *         configuration is invalid; nothing has changed then
     */
    public List<String> reload() {
        // A lock of its own: a reload waits for catalog writes, and must not hold up shutdown().
        synchronized (reloadLock) {
            return reloadLocked();
        }
    }

    private List<String> reloadLocked() {
        AgentConfig next;
        try {
            java.util.function.Supplier<AgentConfig> src = reloadSource;
            next = src == null ? running : src.get();
        } catch (ConfigException | IllegalArgumentException e) {
            throw io.tribune.agent.rpc.AgentException.badRequest("Failed to reload configs: " + e.getMessage());
        }
        String kept = settledNodeId;
        if (kept != null && ConfigKeys.nodeId(next).isEmpty()) {
            // The ID read from (or written to) the data dir at start: the same until a restart reads it again.
            next = NodeIds.withNodeId(next, kept);
        }
        AgentConfig before = running;
        List<String> restart = AgentReload.restartKeys(before, next);
        try {
            local.reloadDefinitions(next).get(30, TimeUnit.SECONDS);
        } catch (ConfigException e) {
            throw io.tribune.agent.rpc.AgentException.badRequest("Failed to reload configs: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.tribune.agent.rpc.AgentException(io.tribune.agent.rpc.AgentException.Kind.INTERNAL,
                    "interrupted while reloading");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // The definitions are in the local state; anti-entropy carries them to the catalog later.
            LOG.log(System.Logger.Level.WARNING, "reload: catalog update incomplete, anti-entropy will retry: "
                    + (e.getCause() == null ? e : e.getCause()).getMessage());
        }
        io.tribune.agent.acl.AgentTokens tokens = aclTokens;
        if (tokens != null) {
            AgentReload.changedTokens(before, next).forEach(tokens::set);
        }
        running = next;
        reloadApplied.accept(next);
        if (!restart.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "reload: these keys changed but need a restart to take effect: "
                    + String.join(", ", restart));
        }
        LOG.log(System.Logger.Level.INFO, "reload: configuration reloaded ({0} services, {1} checks from config)",
                next.services().size(), next.checks().size());
        return restart;
    }

    /** The local state (tests). */
    public LocalState localState() {
        return local;
    }

    /**
     * Where the optional part {@code name} ({@link AgentService#name()}, e.g. {@code http},
     * {@code grpc-api}, {@code dns}) listens: empty when it is not installed, disabled or closed.
     */
    public Optional<InetSocketAddress> serviceAddress(String name) {
        for (AgentService s : started) {
            if (s.name().equals(name)) {
                return s.address();
            }
        }
        return Optional.empty();
    }

    /** Where the HTTP API listens, if installed and enabled. */
    public Optional<InetSocketAddress> httpAddress() {
        return serviceAddress("http");
    }

    /** The gossip keyring operations of this agent (they answer other agents' keyring queries). */
    public ClusterKeyring keyring() {
        return keyring;
    }

    /** The platform the agent runs on. */
    public AgentPlatform platform() {
        return platform;
    }

    /**
     * The narrow view the optional parts get (configuration, request layer, platform): what an
     * embedder or a test hands to a front end it starts by hand.
     */
    public AgentContext context() {
        return context;
    }
}

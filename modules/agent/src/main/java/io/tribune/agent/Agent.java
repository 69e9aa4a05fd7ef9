package io.tribune.agent;

import io.tribune.agent.cluster.LeaderReconciler;
import io.tribune.agent.cluster.RetryJoin;
import io.tribune.agent.cluster.ServerBootstrap;
import io.tribune.agent.cluster.ServerTags;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.api.AgentApi;
import io.tribune.agent.http.HttpApiServer;
import io.tribune.agent.platform.AgentMetrics;
import io.tribune.agent.platform.AgentPluginContext;
import io.tribune.platform.SystemPlatform;
import io.tribune.agent.plugins.PluginLoadException;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.rpc.ClusterKeyring;
import io.tribune.agent.rpc.Forwarder;
import io.tribune.agent.rpc.MembershipServerDirectory;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.ProviderFactory;
import io.tribune.api.SpiKind;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusFactory;
import io.tribune.api.consensus.ConsensusSetup;
import io.tribune.api.consensus.ServerInfo;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A running agent: the chosen plugins wired together, the state machine, and the HTTP API.
 *
 * <p>Start order: platform services; in server mode the storage, transport and consensus plugins
 * with the state store as their state machine (bootstrapped when {@code -dev} or
 * {@code -bootstrap} and there is no prior state); the LAN membership; request forwarding, the
 * keyring handler ({@link ClusterKeyring}) and the HTTP routes (the listener only when the HTTP
 * port is not -1). Shutdown runs the reverse order, announcing a graceful leave first when asked.
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
    private final SystemPlatform platform = new SystemPlatform(4);
    private final AgentMetrics metrics = new AgentMetrics();
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Map<SpiKind, String> chosen = new TreeMap<>();
    private final ExecutorService stateExecutor;
    private final long startedNanos = System.nanoTime();
    private StateStore state;
    private Storage storage;
    private Transport transport;
    private Consensus consensus;
    private Membership membership;
    private Membership wan;
    private HttpApiServer http;
    private Forwarder forwarder;
    private ClusterKeyring keyring;
    private InetSocketAddress httpAddress;
    private volatile boolean shutDown;
    private final List<AgentService> started = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Agent(AgentConfig config, String runtime) {
        this.config = config;
        this.runtime = runtime;
        this.stateExecutor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "tribune-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Where work that follows a consensus or watch completion runs (building read answers), so
     * that it does not occupy the consensus plugin's thread.
     */
    public java.util.concurrent.Executor responseExecutor() {
        return stateExecutor;
    }

    /**
     * Starts an agent.
     *
     * @throws PluginLoadException when a plugin choice is unknown, missing or ambiguous
     * @throws ConfigException     when the configuration cannot work with the chosen plugins
     */
    public static Agent start(AgentConfig config, PluginRegistry registry, String runtime) {
        Agent a = new Agent(config, runtime);
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
        return f;
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
        long seed = config.nodeName().hashCode() * 31L + component.hashCode() + System.nanoTime();
        return new AgentPluginContext(config.nodeName(), config.datacenter(), platform, platform, seed, component,
                metrics.scoped(component), dir);
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
        StorageFactory sf = null;
        ConsensusFactory cf = null;
        if (config.server()) {
            sf = choose(registry, SpiKind.STORAGE, StorageFactory.class);
            cf = choose(registry, SpiKind.CONSENSUS, ConsensusFactory.class);
            if (sf.durable() && config.dataDir().isEmpty()) {
                throw new ConfigException("storage plugin '" + sf.name() + "' is durable and needs -data-dir");
            }
        }
        TransportFactory tf = choose(registry, SpiKind.TRANSPORT, TransportFactory.class);
        MembershipFactory mf = choose(registry, SpiKind.MEMBERSHIP, MembershipFactory.class);
        LOG.log(System.Logger.Level.INFO, "starting agent {0} in {1}, {2} mode, plugins {3} (runtime {4})",
                config.nodeName(), config.datacenter(), config.server() ? "server" : "client", chosen, runtime);

        Endpoint rpc = new Endpoint(config.bindAddr(), Math.max(0, config.ports().server()));
        Endpoint advertise = new Endpoint(config.advertiseAddr(), rpc.port());
        transport = tf.create(new TransportSetup(rpc, advertise, TransportSetup.DEFAULT_MAX_MESSAGE_BYTES,
                config.tls()), pluginConfig(tf.name()), context(tf.name()));
        closeables.push(transport);
        transport.start();

        if (config.server()) {
            state = new StateStore(stateExecutor);
            storage = sf.create(pluginConfig(sf.name()), context(sf.name()));
            closeables.push(storage);
            consensus = cf.create(new ConsensusSetup(config.nodeName(), state, storage, Optional.of(transport)),
                    pluginConfig(cf.name()), context(cf.name()));
            closeables.push(consensus);
        }

        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(ServerTags.ROLE, config.server() ? ServerTags.SERVER : "node");
        tags.put(ServerTags.DC, config.datacenter());
        tags.put(ServerTags.PORT, Integer.toString(transport.localEndpoint().port()));
        if (config.bootstrapExpect() > 0) {
            tags.put(ServerTags.EXPECT, Integer.toString(config.bootstrapExpect()));
        }
        tags.put("build", "tribune-0.1.0");
        tags.put("vsn", "2");
        membership = mf.create(new MembershipSetup(config.nodeName(), Pool.LAN, config.bindAddr(),
                Math.max(0, config.ports().serfLan()), config.advertiseAddr(), tags),
                pluginConfig(mf.name()), context(mf.name()));
        closeables.push(membership);
        membership.start();
        if (config.server()) {
            // Consensus starts now or, with bootstrap_expect, once enough servers are seen in gossip.
            ServerBootstrap boot = new ServerBootstrap(consensus, membership, config.datacenter(), config.nodeName(),
                    config.bootstrapExpect(), platform);
            closeables.push(boot);
            boot.begin(config.dev() || config.bootstrap(),
                    List.of(new ServerInfo(config.nodeName(), transport.localEndpoint(), true)));
            LeaderReconciler reconciler = new LeaderReconciler(consensus, state, membership, config.datacenter(),
                    config.nodeName(), platform, platform, LeaderReconciler.Settings.DEFAULT);
            closeables.push(reconciler);
            reconciler.start();
            if (!config.dev() && config.ports().serfWan() >= 0) {
                wan = mf.create(new MembershipSetup(config.nodeName() + "." + config.datacenter(), Pool.WAN,
                        config.bindAddr(), config.ports().serfWan(), config.advertiseAddr(), tags),
                        pluginConfig(mf.name()), context(mf.name() + "-wan"));
                closeables.push(wan);
                wan.start();
            }
        }
        if (!config.startJoin().isEmpty()) {
            membership.join(config.startJoin()).orTimeout(30, TimeUnit.SECONDS).join();
        }
        RetryJoin retry = new RetryJoin(membership, config.retryJoin(), config.retryInterval(), config.retryMax(),
                platform, "LAN");
        closeables.push(retry);
        retry.start();

        // Forwarding needs the transport, consensus and the LAN pool; the HTTP routes serve both the
        // listener and requests forwarded from other agents, so they exist even without a listener.
        PluginContext rpcContext = context("rpc");
        Duration hold = config.pluginConfig().getDuration(Forwarder.HOLD_TIMEOUT_KEY, Forwarder.DEFAULT_HOLD_TIMEOUT);
        StateStore store = state;
        forwarder = new Forwarder(config.datacenter(), hold, transport, Optional.ofNullable(consensus),
                () -> store == null ? 0 : store.lastIndex(), membership, wan == null
                        ? new MembershipServerDirectory(membership)
                        : new MembershipServerDirectory(membership).or(new MembershipServerDirectory(wan)),
                platform, platform, rpcContext.random());
        closeables.push(forwarder);
        http = new HttpApiServer(config.limits().maxRequestBytes());
        closeables.push(http);
        Forwarder ids = forwarder;
        http.setRequestIds(() -> ids.newRequestId().toString());
        http.setOriginNode(config.nodeName());
        new AgentApi(this).register(http);
        forwarder.setLocalDispatch(http::handle);
        forwarder.start();
        // Every agent, client or server, serves keyring operations for the agent that fans one out.
        keyring = new ClusterKeyring(membership, transport, hold, platform);
        keyring.start();
        ServiceLoader<AgentService> services = Agent.class.getModule().isNamed()
                ? ServiceLoader.load(Agent.class.getModule().getLayer(), AgentService.class)
                : ServiceLoader.load(AgentService.class, Agent.class.getClassLoader());
        for (AgentService service : services) {
            closeables.push(service);
            started.add(service);
            service.start(this);
            LOG.log(System.Logger.Level.INFO, "started {0}", service.name());
        }
        // The HTTP listener opens last, as Consul's does: once it answers, DNS and the gRPC API listen too
        // (scripts and tests wait for HTTP, then use the other interfaces).
        if (config.ports().http() >= 0) {
            httpAddress = http.start(config.clientAddr(), config.ports().http());
            LOG.log(System.Logger.Level.INFO, "HTTP API on {0}", httpAddress);
        }
        LOG.log(System.Logger.Level.INFO, "agent started in {0} ms",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
    }

    /**
     * Registers {@code c} to be closed at shutdown, before everything started earlier. For
     * components created while the agent starts (e.g. the local state's health-check runner).
     * After shutdown, closes {@code c} at once.
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
     * Stops the agent: with {@code leave}, hands off leadership and announces a graceful leave first;
     * then closes every component in reverse start order. Idempotent.
     */
    public synchronized void shutdown(boolean leave) {
        if (shutDown) {
            return;
        }
        shutDown = true;
        LOG.log(System.Logger.Level.INFO, "shutting down{0}", leave ? " (graceful leave)" : "");
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
        stateExecutor.shutdownNow();
        platform.close();
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

    /** The state store; empty on a client agent. */
    public Optional<StateStore> state() {
        return Optional.ofNullable(state);
    }

    /** Consensus; empty on a client agent. */
    public Optional<Consensus> consensus() {
        return Optional.ofNullable(consensus);
    }

    public Membership membership() {
        return membership;
    }

    public Transport transport() {
        return transport;
    }

    /** Request forwarding (client to server, follower to leader, to other datacenters). */
    public Forwarder rpc() {
        return forwarder;
    }

    /** Gossip keyring operations on every member of the LAN pool ({@code /v1/operator/keyring}). */
    public ClusterKeyring clusterKeyring() {
        return keyring;
    }

    /**
     * Where the optional part {@code name} ({@link AgentService#name()}, e.g. {@code grpc-api},
     * {@code dns}) listens: empty when it is not installed, disabled or closed.
     */
    public Optional<InetSocketAddress> serviceAddress(String name) {
        for (AgentService s : started) {
            if (s.name().equals(name)) {
                return s.address();
            }
        }
        return Optional.empty();
    }

    /**
     * Serves {@code req} through this agent's own {@code /v1} routes, as a request forwarded from
     * another agent is served; works without an HTTP listener. For optional parts that reuse the
     * API's reads with its consistency rules (the DNS interface sends a lookup that must be answered
     * by the leader this way). Never fails: errors become Consul-style error responses.
     */
    public java.util.concurrent.CompletableFuture<io.tribune.agent.http.HttpResponse> handleLocally(
            io.tribune.agent.http.HttpRequest req) {
        return http.handle(req);
    }

    /** Where HTTP listens, if enabled. */
    public Optional<InetSocketAddress> httpAddress() {
        return Optional.ofNullable(httpAddress);
    }

    /** The platform's clock. */
    public SystemPlatform platform() {
        return platform;
    }
}

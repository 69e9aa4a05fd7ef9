package io.tribune.agent.testing;

import io.tribune.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.tribune.agent.Agent;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.LoadedPlugin;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Options;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.state.Node;
import io.tribune.api.transport.TransportFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An in-JVM cluster of real agents for cluster tests, and the polling helpers those tests share.
 *
 * <p>Every agent runs in this JVM on 127.0.0.1 with ephemeral ports: raft over
 * {@code storage-memory}, gossip-swim with its {@code local} timing for discovery, and a transport
 * plugin (by default {@code transport-inproc}) whose hub the cluster names, so clusters of
 * different test classes never reach each other. The cluster is a JUnit extension: registered on
 * a static field ({@code @RegisterExtension static final TestCluster cluster = TestCluster
 * .builder("my-hub").servers("s1", "s2").clients("c1").build();}), it starts before the class's
 * {@code @BeforeAll} methods run and stops after its tests: the first server bootstraps and leads,
 * the others join its gossip and are added as voters by the leader, clients join and learn every
 * server, and the tests start once that shape holds. Afterwards every agent it started is shut
 * down and their data directories (under a temporary directory of the cluster) are deleted.
 *
 * <p>Polls use {@link #LIMIT} as their bound; {@link #waitFor} says whether the condition came
 * true, and the caller asserts.
 */
public final class TestCluster implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    /** Bound of every poll and of every request a test sends. */
    public static final Duration LIMIT = Duration.ofSeconds(30);

    private final String hub;
    private final String datacenter;
    private final List<String> serverNames;
    private final List<String> clientNames;
    private volatile Path dataDirs;
    private final String transport;
    private final Map<String, String> pluginConfig;
    private final Function<String, Map<String, String>> perNode;
    private final Map<String, JsonElement> settings;
    private final PluginRegistry registry;
    private final List<Agent> servers = new CopyOnWriteArrayList<>();
    private final List<Agent> clients = new CopyOnWriteArrayList<>();
    private final List<Agent> stopped = new CopyOnWriteArrayList<>();
    /** Every agent started, in start order, for {@link #close()}. */
    private final List<Agent> started = new CopyOnWriteArrayList<>();
    private volatile Agent seed;

    private TestCluster(Builder b) {
        this.hub = b.hub;
        this.datacenter = b.datacenter;
        this.serverNames = List.copyOf(b.serverNames);
        this.clientNames = List.copyOf(b.clientNames);
        this.transport = b.transport;
        this.pluginConfig = Map.copyOf(b.pluginConfig);
        this.perNode = b.perNode;
        this.settings = new LinkedHashMap<>(b.settings);
        List<LoadedPlugin> plugins = new ArrayList<>(discoveredPlugins());
        plugins.addAll(b.extraPlugins);
        this.registry = PluginRegistry.of(plugins);
    }

    /** A cluster whose transport hub is {@code hub}: unique per test class. */
    public static Builder builder(String hub) {
        return new Builder(hub);
    }

    /** What every agent of a cluster is configured with beyond the common shape. */
    public static final class Builder {
        private final String hub;
        private String datacenter = "dc1";
        private final List<String> serverNames = new ArrayList<>();
        private final List<String> clientNames = new ArrayList<>();
        private String transport = "transport-inproc";
        private final Map<String, String> pluginConfig = new LinkedHashMap<>();
        private Function<String, Map<String, String>> perNode = node -> Map.of();
        private final Map<String, JsonElement> settings = new LinkedHashMap<>();
        private final List<LoadedPlugin> extraPlugins = new ArrayList<>();

        private Builder(String hub) {
            this.hub = Objects.requireNonNull(hub, "hub");
        }

        /** The servers' node names, in start order; the first bootstraps. At least one. */
        public Builder servers(String... names) {
            serverNames.addAll(List.of(names));
            return this;
        }

        /** The client agents' node names, in start order. */
        public Builder clients(String... names) {
            clientNames.addAll(List.of(names));
            return this;
        }

        /**
         * The datacenter of every agent (default {@code dc1}). Two clusters of different datacenters
         * on the same hub can reach each other once their servers share a WAN pool ({@link #joinWan}).
         */
        public Builder datacenter(String dc) {
            this.datacenter = Objects.requireNonNull(dc, "dc");
            return this;
        }

        /** The transport plugin (default {@code transport-inproc}); its {@code <name>.hub} key is set to the hub. */
        public Builder transport(String name) {
            this.transport = name;
            return this;
        }

        /** Consul's {@code performance.rpc_hold_timeout} for every agent. */
        public Builder holdTimeout(Duration hold) {
            settings.put("performance", performance(hold));
            return this;
        }

        /** A {@code plugin_config} entry for every agent. */
        public Builder pluginConfig(String key, String value) {
            pluginConfig.put(key, value);
            return this;
        }

        /** {@code plugin_config} entries that depend on the node's name (added after the common ones). */
        public Builder pluginConfigPerNode(Function<String, Map<String, String>> entries) {
            this.perNode = Objects.requireNonNull(entries, "entries");
            return this;
        }

        /** A top-level string setting for every agent, e.g. {@code discovery_max_stale}. */
        public Builder setting(String key, String value) {
            settings.put(key, new JsonPrimitive(value));
            return this;
        }

        /** A plugin offered beside the ones found on the class path (a test's own transport, say). */
        public Builder plugin(LoadedPlugin plugin) {
            extraPlugins.add(plugin);
            return this;
        }

        /** The cluster, with no agent started yet. */
        public TestCluster build() {
            if (serverNames.isEmpty()) {
                throw new IllegalStateException("a cluster needs at least one server");
            }
            return new TestCluster(this);
        }

        private static JsonObject performance(Duration hold) {
            JsonObject p = new JsonObject();
            p.addProperty("rpc_hold_timeout", hold.toMillis() + "ms");
            return p;
        }
    }

    // ---------------------------------------------------------------- plugins

    /** The plugins on this test's class path, found as an embedding program finds them. */
    public static List<LoadedPlugin> discoveredPlugins() {
        return new ServiceLoaderPluginSource(TestCluster.class.getClassLoader()).load();
    }

    /** The transport factory called {@code name} among {@link #discoveredPlugins()}. */
    public static TransportFactory transportFactory(String name) {
        return discoveredPlugins().stream().flatMap(p -> p.plugin().transportFactories().stream())
                .filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no transport plugin '" + name + "' on the class path"));
    }

    // ---------------------------------------------------------------- agents

    /** Starts the cluster before the test class's {@code @BeforeAll} methods. */
    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    /** Stops every agent and deletes their data after the test class. */
    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
    }

    /**
     * Starts the servers (the first bootstraps and must lead), then the clients, each joining the
     * first server's gossip; returns once every client knows every server and every server follows
     * a leader in a configuration of all servers. On a failure every agent started is shut down.
     */
    public void start() throws Exception {
        dataDirs = Files.createTempDirectory("tribune-" + hub + "-");
        try {
            Agent first = startAgent(serverNames.get(0), true, true, Map.of());
            assertTrue(waitFor(() -> first.consensus().orElseThrow().isLeader()),
                    serverNames.get(0) + " never became leader");
            for (String name : serverNames.subList(1, serverNames.size())) {
                join(startAgent(name, true, false, Map.of()));
            }
            // The leader's reconciliation adds the servers it sees in gossip as voters.
            for (String name : clientNames) {
                join(startAgent(name, false, false, Map.of()));
            }
            int n = servers.size();
            assertTrue(waitFor(() -> clients.stream().allMatch(c -> c.serverList().size() == n)),
                    "a client did not learn the " + n + " servers");
            assertTrue(waitFor(() -> servers.stream().allMatch(s -> s.consensus().orElseThrow().leadership().leader()
                    .isPresent() && s.consensus().orElseThrow().configuration().size() == n)),
                    "the cluster did not form");
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    /**
     * The configuration of agent {@code node}: the cluster's plugins and settings, then
     * {@code overrides} of {@code plugin_config}.
     */
    public AgentConfig config(String node, boolean server, boolean bootstrap, Map<String, String> overrides) {
        JsonObject o = new JsonObject();
        o.addProperty("node_name", node);
        o.addProperty("datacenter", datacenter);
        o.addProperty("server", server);
        o.addProperty("bootstrap", bootstrap);
        o.addProperty("data_dir", dataDirs.resolve(node).toString().replace("\\", "/"));
        o.addProperty("bind_addr", "127.0.0.1");
        o.addProperty("advertise_addr", "127.0.0.1");
        JsonObject ports = new JsonObject();
        for (String p : List.of("http", "server", "serf_lan", "serf_wan")) {
            ports.addProperty(p, 0);
        }
        o.add("ports", ports);
        JsonObject plugins = new JsonObject();
        plugins.addProperty("storage", "storage-memory");
        plugins.addProperty("consensus", "raft");
        plugins.addProperty("transport", transport);
        plugins.addProperty("membership", "gossip-swim");
        o.add("plugins", plugins);
        Map<String, String> pc = new LinkedHashMap<>();
        pc.put(transport + ".hub", hub);
        pc.put("gossip-swim.profile", "local");
        pc.putAll(pluginConfig);
        pc.putAll(perNode.apply(node));
        pc.putAll(overrides);
        JsonObject pcJson = new JsonObject();
        pc.forEach(pcJson::addProperty);
        o.add("plugin_config", pcJson);
        settings.forEach((k, v) -> o.add(k, v.deepCopy()));
        return new ConfigLoader().add(o, node).build();
    }

    /**
     * Starts one agent with {@link #config}; the first server started is the gossip seed. It is
     * not joined to anything: see {@link #join}.
     */
    public Agent startAgent(String node, boolean server, boolean bootstrap, Map<String, String> overrides) {
        Agent a = Agent.start(config(node, server, bootstrap, overrides), registry, "embedded");
        started.add(a);
        (server ? servers : clients).add(a);
        if (server && seed == null) {
            seed = a;
        }
        return a;
    }

    /** {@code host:port} of the seed's gossip: the first server started. */
    public String seed() {
        return "127.0.0.1:" + seed.membership().localMember().port();
    }

    /** Joins {@code a} to the seed's gossip pool, waiting at most 10 s. */
    public void join(Agent a) throws Exception {
        a.membership().join(List.of(seed())).get(10, TimeUnit.SECONDS);
    }

    /** The datacenter of this cluster's agents. */
    public String datacenter() {
        return datacenter;
    }

    /** {@code host:port} of server {@code a}'s WAN gossip (servers only). */
    public static String wanAddress(Agent a) {
        return "127.0.0.1:" + a.wanMembership().orElseThrow(() -> new AssertionError(a.config().nodeName()
                + " has no WAN pool")).localMember().port();
    }

    /**
     * Federates this cluster's datacenter with {@code other}'s: every running server of this cluster
     * joins the WAN pool through {@code other}'s first running server, and this returns once every
     * running server of both clusters sees all of them alive in its WAN pool (asserts that it does).
     */
    public void joinWan(TestCluster other) throws Exception {
        String through = wanAddress(other.servers().get(0));
        for (Agent s : servers) {
            s.wanMembership().orElseThrow().join(List.of(through)).get(10, TimeUnit.SECONDS);
        }
        List<Agent> all = new ArrayList<>(servers);
        all.addAll(other.servers());
        assertTrue(waitFor(() -> all.stream().allMatch(s -> s.wanMembership().orElseThrow().members().stream()
                .filter(m -> m.status() == io.tribune.api.membership.MemberStatus.ALIVE).count() == all.size())),
                "the WAN pool of " + datacenter + " and " + other.datacenter + " did not form");
    }

    /** Running servers, in start order (a live view: {@link #stop} removes from it). */
    public List<Agent> servers() {
        return servers;
    }

    /** Servers stopped with {@link #stop}, in stop order. */
    public List<Agent> stopped() {
        return stopped;
    }

    /** Running client agents, in start order (a live view). */
    public List<Agent> clients() {
        return clients;
    }

    /** The first client started. */
    public Agent client() {
        return clients.get(0);
    }

    /** The agent started with node name {@code node}, running or not. */
    public Agent agent(String node) {
        return started.stream().filter(a -> a.config().nodeName().equals(node)).findFirst()
                .orElseThrow(() -> new AssertionError("no agent " + node + " was started"));
    }

    /** The running server that leads, once one does within {@link #LIMIT} (asserts that one does). */
    public Agent leader() throws InterruptedException {
        AtomicReference<Agent> found = new AtomicReference<>();
        assertTrue(waitFor(() -> {
            for (Agent s : servers) {
                if (s.consensus().orElseThrow().isLeader()) {
                    found.set(s);
                    return true;
                }
            }
            return false;
        }), "no leader");
        return found.get();
    }

    /** A running server that is not the leader. */
    public Agent follower() throws InterruptedException {
        Agent l = leader();
        return servers.stream().filter(s -> s != l).findFirst().orElseThrow();
    }

    /** Stops {@code a} without a graceful leave (a crash to the others). */
    public void stop(Agent a) {
        forget(a);
        a.shutdown(false);
    }

    /** Stops {@code a} after a graceful leave, which the others learn through gossip. */
    public void leave(Agent a) {
        forget(a);
        a.shutdown(true);
    }

    private void forget(Agent a) {
        if (servers.remove(a)) {
            stopped.add(a);
        }
        clients.remove(a);
    }

    /**
     * Waits until every running agent (which registers itself in the catalog, clients and
     * followers through forwarding) is listed by a read of the catalog's nodes on the first running
     * server with consistency {@code mode}; asserts that it happens.
     */
    public void awaitEveryNodeInCatalog(ReadConsistency mode) throws InterruptedException {
        List<String> names = new ArrayList<>();
        servers.forEach(s -> names.add(s.config().nodeName()));
        clients.forEach(c -> names.add(c.config().nodeName()));
        Agent on = servers.get(0);
        assertTrue(waitFor(() -> {
            try {
                List<String> nodes = on.requests().call(new Catalog.Nodes(Map.of()), Options.of(mode))
                        .get(LIMIT.toSeconds(), TimeUnit.SECONDS).value().stream().map(Node::node).toList();
                return nodes.containsAll(names);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                return false;
            }
        }), "not every agent registered itself in the catalog: " + names);
    }

    /**
     * Shuts every agent started down (without a leave), the last started first, and deletes the
     * cluster's data directories. Idempotent.
     */
    @Override
    public void close() throws IOException {
        List<Agent> all = new ArrayList<>(started);
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).shutdown(false);
        }
        Path dir = dataDirs;
        dataDirs = null;
        if (dir != null && Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    // ---------------------------------------------------------------- polling

    /** A request-layer counter of {@code a} ({@link Agent#rpcStats()}). */
    public static long stat(Agent a, String key) {
        return a.rpcStats().get(key);
    }

    /** Polls {@code cond} every 20 ms until it holds or {@link #LIMIT} passes; whether it came true. */
    public static boolean waitFor(BooleanSupplier cond) throws InterruptedException {
        return waitFor(LIMIT, cond);
    }

    /** Polls {@code cond} every 20 ms until it holds or {@code limit} passes; whether it came true. */
    public static boolean waitFor(Duration limit, BooleanSupplier cond) throws InterruptedException {
        return Poll.until(limit, cond);
    }
}

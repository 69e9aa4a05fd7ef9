package io.tribune.embedded;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.tribune.agent.Agent;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.LoadedPlugin;
import io.tribune.agent.plugins.PluginLoadException;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.api.consensus.Consensus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A small Tribune cluster inside the caller's JVM: N servers (default 3) and M client agents on free
 * ports of one loopback address, with the plugins of a production cluster except the disk: real Raft
 * ({@code raft}), real gossip ({@code gossip-swim}, its {@code local} timing), a real network
 * transport ({@code transport-grpc}) and heap storage ({@code storage-memory}) that the cluster keeps
 * per node across a {@linkplain Node#kill() kill} and {@linkplain Node#restart() restart}, as a disk
 * would be. Every agent speaks Consul's HTTP API, DNS and Tribune's gRPC API.
 *
 * <pre>{@code
 * try (EmbeddedCluster cluster = EmbeddedCluster.builder().servers(3).clients(1).start()) {
 *     String writeTo = cluster.servers().get(0).httpUrl();
 *     String readFrom = cluster.clients().get(0).httpUrl();
 *     cluster.leader().kill();                  // a crash: another server is elected
 *     cluster.awaitLeader();
 * }
 * }</pre>
 *
 * <p>{@link Builder#start()} returns once every server follows one elected leader in a Raft
 * configuration of all servers and every client knows every server, so the first request through
 * any agent finds a leader. The first server bootstraps and leads a configuration of itself; the
 * others join its gossip and the leader adds them as voters.
 *
 * <p>Threading: the accessors may be called from any thread; {@link Node#kill()},
 * {@link Node#restart()} and {@link #close()} are serialized on the cluster and block until done.
 * {@link #close()} is idempotent. Several clusters may run in one JVM; they never join each other
 * (each agent joins only its own cluster's gossip).
 */
public final class EmbeddedCluster implements AutoCloseable {
    private final Builder options;
    private final PluginRegistry registry;
    private final KeptStoragePlugin storage;
    private final Path dataDirs;
    private final List<Node> nodes = new ArrayList<>();
    private boolean closed;

    private EmbeddedCluster(Builder options, PluginRegistry registry, KeptStoragePlugin storage, Path dataDirs) {
        this.options = options;
        this.registry = registry;
        this.storage = storage;
        this.dataDirs = dataDirs;
    }

    /** A builder with the defaults: 3 servers, no clients, datacenter {@code dc1}, 127.0.0.1, log level {@code warn}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every agent, servers first, each in start order (running or killed). */
    public synchronized List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** The servers in start order, running or killed. */
    public List<Node> servers() {
        return nodes().stream().filter(Node::server).toList();
    }

    /** The client agents in start order, running or killed. */
    public List<Node> clients() {
        return nodes().stream().filter(n -> !n.server()).toList();
    }

    /**
     * The agent named {@code name} ({@code server-1}, ... and {@code client-1}, ...).
     *
     * @throws IllegalArgumentException when there is none, naming those there are
     */
    public Node node(String name) {
        return nodes().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no agent '" + name + "' in this cluster; agents: "
                        + nodes().stream().map(Node::name).toList()));
    }

    /** The running server that leads now, if one does (no waiting). */
    public Optional<Node> leader() {
        return servers().stream().filter(Node::running).filter(Node::isLeader).findFirst();
    }

    /**
     * Waits (at most the builder's start timeout) until one running server leads and every running
     * server follows it, and returns that leader. After a {@linkplain Node#kill() kill} of the leader
     * this is the new one, elected by the remaining majority.
     *
     * @throws IllegalStateException when no leader emerges in time (e.g. the majority is down)
     */
    public Node awaitLeader() {
        java.util.concurrent.atomic.AtomicReference<Node> found = new java.util.concurrent.atomic.AtomicReference<>();
        boolean ok = poll(options.startTimeout, () -> {
            Optional<Node> l = leader();
            if (l.isEmpty()) {
                return false;
            }
            found.set(l.get());
            String name = l.get().name();
            return servers().stream().filter(Node::running).allMatch(s -> s.consensus().leadership().leader()
                    .map(x -> x.id().equals(name)).orElse(false));
        });
        if (!ok) {
            throw new IllegalStateException("no leader followed by every running server within "
                    + options.startTimeout + "; running servers: "
                    + servers().stream().filter(Node::running).map(Node::name).toList());
        }
        return found.get();
    }

    /** The datacenter of every agent. */
    public String datacenter() {
        return options.datacenter;
    }

    /**
     * Stops every agent without a graceful leave, drops the kept stores and deletes the data
     * directories. Idempotent; returns once the agents' threads have been asked to stop and their
     * ports are closed.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // clients first, then servers in reverse start order: nobody is left waiting on a peer
        List<Node> reverse = new ArrayList<>(nodes);
        java.util.Collections.reverse(reverse);
        for (Node n : reverse) {
            n.stop();
        }
        storage.closeAll();
        deleteTree(dataDirs);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory: leftovers are harmless and the JVM's temp cleanup takes them
        }
    }

    private static boolean poll(Duration limit, BooleanSupplier cond) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the embedded cluster", e);
            }
        }
        return true;
    }

    /**
     * One agent of the cluster. Its name, role and addresses stay the same across a
     * {@link #kill()} and {@link #restart()}: it restarts on the ports it first bound, with the data
     * the cluster kept for it.
     */
    public final class Node implements TribuneEndpoints {
        private final String name;
        private final boolean server;
        private volatile Agent agent;
        private volatile TribuneAddresses addresses;
        private int serverPort;
        private int serfPort;

        private Node(String name, boolean server) {
            this.name = name;
            this.server = server;
        }

        /** The node name ({@code server-1}, ..., {@code client-1}, ...). */
        public String name() {
            return name;
        }

        /** Whether this agent is a server (else a client agent). */
        public boolean server() {
            return server;
        }

        /** Whether the agent runs (it was not killed, or it was restarted since). */
        public boolean running() {
            return agent != null;
        }

        /** Whether this agent is a running server that leads now. */
        public boolean isLeader() {
            Agent a = agent;
            return server && a != null && a.consensus().map(Consensus::isLeader).orElse(false);
        }

        /** The three addresses as one value (the same across restarts). */
        @Override
        public TribuneAddresses addresses() {
            return addresses;
        }

        /**
         * The running agent, for what the addresses do not offer (its consensus, membership, ...).
         *
         * @throws IllegalStateException when the agent is killed
         */
        public Agent agent() {
            Agent a = agent;
            if (a == null) {
                throw new IllegalStateException("agent " + name + " is not running (killed)");
            }
            return a;
        }

        private Consensus consensus() {
            return agent().consensus().orElseThrow();
        }

        /**
         * Stops this agent without a graceful leave, as a crash: the others see it fail through
         * gossip, and when it led, the remaining majority of servers elects another leader
         * ({@link EmbeddedCluster#awaitLeader()}). Its data is kept for {@link #restart()}.
         *
         * @throws IllegalStateException when it is not running or the cluster is closed
         */
        public void kill() {
            synchronized (EmbeddedCluster.this) {
                checkOpen();
                Agent a = agent;
                if (a == null) {
                    throw new IllegalStateException("agent " + name + " is already killed");
                }
                agent = null;
                a.shutdown(false);
            }
        }

        /**
         * Starts this agent again with its name, ports and kept data, joining the gossip of a running
         * server, and returns once it is back: a server follows a leader with its log (or, when it is
         * the only server of a one-server cluster, leads), a client knows every running server.
         *
         * @throws IllegalStateException when it is running, the cluster is closed, a port it had is
         *                               taken meanwhile, or it is not back within the start timeout
         *                               (it is then stopped again)
         */
        public void restart() {
            synchronized (EmbeddedCluster.this) {
                checkOpen();
                if (agent != null) {
                    throw new IllegalStateException("agent " + name + " is running; kill it first");
                }
                List<String> join = servers().stream().filter(n -> n != this && n.running())
                        .map(Node::serfAddress).limit(1).toList();
                start(join, false, true);
                boolean back = server
                        ? poll(options.startTimeout, () -> isLeader() || consensus().leadership().leader().isPresent())
                        : poll(options.startTimeout, () -> agent().serverList().size()
                                == servers().stream().filter(Node::running).count());
                if (!back) {
                    kill();
                    throw new IllegalStateException("agent " + name + " did not rejoin within " + options.startTimeout);
                }
            }
        }

        /** Starts the agent; on the first start records the ports it bound, later reuses them. */
        private void start(List<String> join, boolean bootstrapFirst, boolean again) {
            AgentConfig cfg = options.config(this, dataDirs.resolve(name), join, bootstrapFirst, again);
            Agent a;
            try {
                a = Agent.start(cfg, registry, "embedded");
            } catch (PluginLoadException | ConfigException e) {
                throw new IllegalArgumentException("embedded cluster agent " + name + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new IllegalStateException("embedded cluster agent " + name + " failed to start: " + e, e);
            }
            try {
                if (!again) {
                    addresses = new TribuneAddresses(EmbeddedAgent.Builder.address(a, "http"),
                            EmbeddedAgent.Builder.address(a, "dns"), EmbeddedAgent.Builder.address(a, "grpc-api"));
                    serverPort = server ? a.transport().localEndpoint().port() : 0;
                    serfPort = a.membership().localMember().port();
                }
            } catch (RuntimeException e) {
                a.shutdown(false);
                throw e;
            }
            agent = a;
        }

        private String serfAddress() {
            return hostPort(options.bindAddress, serfPort);
        }

        private void stop() {
            Agent a = agent;
            agent = null;
            if (a != null) {
                a.shutdown(false);
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the embedded cluster is closed");
        }
    }

    private static String hostPort(String host, int port) {
        return host + ":" + port;
    }

    /**
     * The shape and options of an embedded cluster. Not thread-safe: configure and {@link #start()}
     * on one thread. Setters check their argument at once ({@link IllegalArgumentException}, the
     * builder unchanged); {@link #start()} may be called several times, each starting a new cluster.
     */
    public static final class Builder {
        /** Bounds: enough for fault tests, small enough for one JVM on a laptop. */
        static final int MAX_SERVERS = 7;
        static final int MAX_CLIENTS = 16;
        private int servers = 3;
        private int clients;
        private String datacenter = "dc1";
        private String bindAddress = "127.0.0.1";
        private String logLevel = "warn";
        private Duration startTimeout = Duration.ofSeconds(60);
        private ClassLoader loader = EmbeddedCluster.class.getClassLoader();

        private Builder() {
        }

        /** How many servers (1 to 7; default 3). An odd number tolerates (n - 1) / 2 killed servers. */
        public Builder servers(int n) {
            if (n < 1 || n > MAX_SERVERS) {
                throw new IllegalArgumentException("servers must be 1 to " + MAX_SERVERS + ", got " + n);
            }
            this.servers = n;
            return this;
        }

        /** How many client agents (0 to 16; default 0). */
        public Builder clients(int n) {
            if (n < 0 || n > MAX_CLIENTS) {
                throw new IllegalArgumentException("clients must be 0 to " + MAX_CLIENTS + ", got " + n);
            }
            this.clients = n;
            return this;
        }

        /** The datacenter of every agent; default {@code dc1}. */
        public Builder datacenter(String dc) {
            if (dc == null || !dc.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,63}")) {
                throw new IllegalArgumentException("datacenter must be letters, digits, '-' or '_' (at most 64): '"
                        + dc + "'");
            }
            this.datacenter = dc;
            return this;
        }

        /**
         * The loopback address every agent binds and advertises (default {@code 127.0.0.1}); any
         * address of 127.0.0.0/8, so that tests of different suites can keep apart.
         */
        public Builder bindAddress(String address) {
            InetAddress a;
            try {
                a = InetAddress.getByName(Objects.requireNonNull(address, "address"));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("bind address '" + address + "' is not an IP address", e);
            }
            if (!(a instanceof java.net.Inet4Address) || !a.isLoopbackAddress() || !address.equals(a.getHostAddress())) {
                throw new IllegalArgumentException("bind address must be an IPv4 address of 127.0.0.0/8, got '"
                        + address + "'");
            }
            this.bindAddress = address;
            return this;
        }

        /** The level of the agents' loggers (trace, debug, info, warn, err), JVM-wide; default {@code warn}. */
        public Builder logLevel(String level) {
            EmbeddedAgent.Builder.julLevel(Objects.requireNonNull(level, "level").toLowerCase(java.util.Locale.ROOT));
            this.logLevel = level.toLowerCase(java.util.Locale.ROOT);
            return this;
        }

        /** How long {@link #start()}, {@link Node#restart()} and {@link #awaitLeader()} wait; default 60 s, at most 10 min. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = EmbeddedAgent.Builder.checkedStartTimeout(timeout);
            return this;
        }

        /** The class loader whose class path (or module layer) the plugins are found on; default this class's. */
        public Builder classLoader(ClassLoader loader) {
            this.loader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /**
         * The configuration of {@code node}: a server or client outside dev mode, the cluster's
         * plugins, every port 0 on the first start (the bound ones on a restart), no WAN pool.
         */
        AgentConfig config(Node node, Path dataDir, List<String> join, boolean bootstrapFirst, boolean again) {
            JsonObject o = new JsonObject();
            o.addProperty("node_name", node.name());
            o.addProperty("datacenter", datacenter);
            o.addProperty("server", node.server());
            // The first server bootstraps a configuration of itself and leads; the leader adds the
            // others as voters once it sees them in gossip (as TestCluster's clusters form). A restart
            // never bootstraps: the server's kept log holds the configuration.
            if (node.server() && bootstrapFirst && !again) {
                o.addProperty("bootstrap", true);
            }
            o.addProperty("data_dir", dataDir.toString());
            o.addProperty("bind_addr", bindAddress);
            o.addProperty("client_addr", bindAddress);
            o.addProperty("advertise_addr", bindAddress);
            o.addProperty("log_level", logLevel);
            JsonObject ports = new JsonObject();
            boolean keep = again && node.addresses != null;
            ports.addProperty("http", keep ? node.addresses.http().getPort() : 0);
            ports.addProperty("dns", keep ? node.addresses.dns().getPort() : 0);
            ports.addProperty("grpc", keep ? node.addresses.grpc().getPort() : 0);
            ports.addProperty("server", keep ? node.serverPort : 0);
            ports.addProperty("serf_lan", keep ? node.serfPort : 0);
            ports.addProperty("serf_wan", -1);
            o.add("ports", ports);
            if (!join.isEmpty()) {
                JsonArray j = new JsonArray();
                join.forEach(j::add);
                o.add("start_join", j);
            }
            JsonObject plugins = new JsonObject();
            plugins.addProperty("storage", KeptStoragePlugin.NAME);
            plugins.addProperty("consensus", "raft");
            plugins.addProperty("transport", "transport-grpc");
            plugins.addProperty("membership", "gossip-swim");
            o.add("plugins", plugins);
            JsonObject pc = new JsonObject();
            // gossip timing for one host: fast probes and suspicion, as TestCluster uses
            pc.addProperty("gossip-swim.profile", "local");
            o.add("plugin_config", pc);
            try {
                return new ConfigLoader().add(o, "embedded cluster " + node.name()).build();
            } catch (ConfigException e) {
                throw new IllegalArgumentException("embedded cluster configuration of " + node.name() + ": "
                        + e.getMessage(), e);
            }
        }

        /**
         * Starts the cluster and returns once it has one leader followed by every server in a
         * configuration of all of them, and every client knows every server. Blocks.
         *
         * @throws IllegalArgumentException when a plugin the cluster needs is missing from the class
         *                                  path ({@code raft}, {@code gossip-swim},
         *                                  {@code transport-grpc}, {@code storage-memory}) or the
         *                                  configuration is refused (nothing is left running)
         * @throws IllegalStateException    when the cluster does not form within the start timeout
         *                                  (everything started is stopped)
         */
        public EmbeddedCluster start() {
            EmbeddedAgent.applyLogLevel(logLevel);
            KeptStoragePlugin kept = new KeptStoragePlugin();
            PluginRegistry registry;
            try {
                List<LoadedPlugin> plugins = new ArrayList<>(new ServiceLoaderPluginSource(loader).load());
                plugins.add(LoadedPlugin.of(kept, "embedded cluster (built in)"));
                registry = PluginRegistry.of(plugins);
            } catch (PluginLoadException e) {
                throw new IllegalArgumentException("embedded cluster: " + e.getMessage(), e);
            }
            Path dirs;
            try {
                dirs = Files.createTempDirectory("tribune-embedded-cluster-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the embedded cluster's data directory", e);
            }
            EmbeddedCluster c = new EmbeddedCluster(this, registry, kept, dirs);
            try {
                c.form(servers, clients);
            } catch (RuntimeException | Error e) {
                c.close();
                throw e;
            }
            return c;
        }
    }

    /** Starts the servers (the first is the gossip seed), waits for the cluster, then the clients. */
    private synchronized void form(int serverCount, int clientCount) {
        for (int i = 1; i <= serverCount; i++) {
            nodes.add(new Node("server-" + i, true));
        }
        for (int i = 1; i <= clientCount; i++) {
            nodes.add(new Node("client-" + i, false));
        }
        Node seed = nodes.get(0);
        seed.start(List.of(), true, false);
        for (Node s : servers().subList(1, serverCount)) {
            s.start(List.of(seed.serfAddress()), false, false);
        }
        boolean formed = poll(options.startTimeout, () -> servers().stream().allMatch(s -> {
            var leadership = s.consensus().leadership();
            return leadership.leader().isPresent() && s.consensus().configuration().size() == serverCount;
        }));
        if (!formed) {
            throw new IllegalStateException("the embedded cluster of " + serverCount + " servers did not elect a "
                    + "leader within " + options.startTimeout);
        }
        for (Node c : clients()) {
            c.start(List.of(seed.serfAddress()), false, false);
        }
        boolean known = poll(options.startTimeout, () -> clients().stream()
                .allMatch(c -> c.agent().serverList().size() == serverCount));
        if (!known) {
            throw new IllegalStateException("a client of the embedded cluster did not learn the " + serverCount
                    + " servers within " + options.startTimeout);
        }
    }
}

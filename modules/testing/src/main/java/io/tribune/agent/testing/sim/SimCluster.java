package io.tribune.agent.testing.sim;

import com.google.gson.JsonObject;
import io.tribune.agent.Agent;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.platform.AgentPlatform;
import io.tribune.agent.plugins.LoadedPlugin;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.transport.TransportFactory;
import io.tribune.api.membership.Member;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.VirtualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Whole agents, servers and clients, simulated on one seeded {@link SimScheduler} and
 * {@link VirtualClock}: a run is a pure function of its seed, so a failure found by one seed is
 * replayed by running that seed again.
 *
 * <p><b>Shape.</b> Servers {@code s1..sN} run {@code raft} (with {@code raft.storage.own-threads =
 * false}, so its log writes are scheduler tasks too, and {@code raft.leave.transfer = false}, so that
 * closing a leader is a crash, not a hand-over) and {@link SimDisk}'s {@code storage-sim}
 * ({@code storage-memory} kept across restarts), with {@code bootstrap_expect = N}; clients
 * {@code c1..cM} hold no state. Every agent's transport is
 * {@code transport-inproc} in a hub of this cluster's own, behind {@link SimNetwork}'s seeded latency
 * (plugin {@value SimNetwork#PLUGIN_NAME}; call-only on clients). Every agent's membership is a view of one {@link SimPool}
 * (plugin {@value SimPool#PLUGIN_NAME}); every agent joins {@code s1}'s address. HTTP, DNS, gRPC and
 * WAN ports are disabled. Each agent gets {@code AgentPlatform.of(host.clock(), host.scheduler(),
 * seed, host.scheduler())} over its {@link SimHost}, the seed derived from the run's seed and its name
 * (and, after a restart, the number of its start), and the host's scheduler is also where its
 * answers are built (raft's log writes are tasks of that scheduler too: its ready loop never waits
 * for one). The plugins are found on the class path (the caller's test scope must hold
 * {@code raft}, {@code storage-memory} and {@code transport-inproc}).
 *
 * <p><b>Driving.</b> Nothing here blocks on a future that the scheduler must complete: the caller
 * runs the scheduler ({@link #runUntil}, {@link #runFor}, {@link #await}) until a condition holds or
 * a virtual deadline passes. Agents start and stop on the calling thread between scheduler turns.
 * A task that throws does not stop the run: the scheduler records it ({@code scheduler().failures()})
 * for the caller to judge.
 *
 * <p><b>Faults.</b> Every agent runs on a {@link SimHost} of its own: its clock and timers run at a
 * rate drawn from the seed within {@link Builder#drift}, and {@link #kill} cuts the host's power, so
 * nothing the agent left on the scheduler runs afterwards. Servers keep their Raft state on a
 * {@link SimDisk} ({@code storage-sim}: {@code storage-memory} kept across restarts), so
 * {@link #restart} brings a server back with its log, term and vote on the same RPC address.
 * {@link #network()} cuts legs between agents and loses messages; {@link #pool()} cuts gossip
 * between them. {@link #addClient} and {@link #leave} make member churn. Every change of leadership
 * a server reports is checked against the rule that a term has at most one leader
 * ({@link #leadershipViolations()}).
 *
 * <p><b>Trace.</b> The cluster records a line for every agent started or killed, every change of
 * leadership a server observes and every change of the pool; the caller adds its own
 * ({@link #trace}). Each line carries the virtual time. {@link #traceHash()} hashes the sequence,
 * so two runs of one seed can be compared; at most {@value #MAX_TRACE_LINES} lines are kept for
 * printing, while the hash covers every line.
 *
 * <p><b>Threading.</b> Not thread-safe: one thread builds, drives and inspects a cluster, as the
 * scheduler requires. {@link #close()} shuts every running agent down and deletes the data
 * directories (the agents' plugins create per-component directories even for in-memory storage).
 */
public final class SimCluster implements AutoCloseable {
    /** Most trace lines kept for printing; the hash covers all of them. */
    public static final int MAX_TRACE_LINES = 200_000;
    /** How long {@link #start()} waits (virtual time) for the cluster to form. */
    public static final Duration FORM_LIMIT = Duration.ofSeconds(60);
    private static final AtomicLong HUBS = new AtomicLong();

    private final long seed;
    private final int serverCount;
    private final int clientCount;
    private final Map<String, String> pluginConfig;
    private final Duration holdTimeout;
    private final double maxDrift;
    private final SimNetwork network;
    private final SimDisk disk;
    private final java.util.SplittableRandom rates;
    private final LinkedHashMap<String, SimHost> hosts = new LinkedHashMap<>();
    private final LinkedHashMap<String, Integer> serverPorts = new LinkedHashMap<>();
    /** How many times each agent was started. */
    private final LinkedHashMap<String, Integer> starts = new LinkedHashMap<>();
    /** The server that led each term, as servers reported it. */
    private final java.util.TreeMap<Long, String> leaderOfTerm = new java.util.TreeMap<>();
    private final List<String> leadershipViolations = new ArrayList<>();
    private final VirtualClock clock = new VirtualClock();
    private final SimScheduler scheduler = new SimScheduler(clock).failOnTaskError(false);
    private final SimPool pool;
    private final PluginRegistry registry;
    private final String hub;
    private final LinkedHashMap<String, Agent> agents = new LinkedHashMap<>();
    private final LinkedHashMap<String, Agent> running = new LinkedHashMap<>();
    private final List<String> trace = new ArrayList<>();
    private long traceHash = 0xcbf29ce484222325L;
    private long traceCount;
    private Path dataDirs;

    private SimCluster(Builder b) {
        this.seed = b.seed;
        this.serverCount = b.servers;
        this.clientCount = b.clients;
        this.pluginConfig = Map.copyOf(b.pluginConfig);
        this.holdTimeout = b.holdTimeout;
        this.maxDrift = b.maxDrift;
        this.rates = new java.util.SplittableRandom(derive(b.seed, "clock-rates"));
        this.pool = SimPool.builder(scheduler).seed(derive(b.seed, "membership-sim"))
                .propagation(b.minPropagation, b.maxPropagation).build();
        this.pool.observe(line -> trace("pool: " + line));
        List<LoadedPlugin> plugins = new ArrayList<>(
                new ServiceLoaderPluginSource(SimCluster.class.getClassLoader()).load());
        plugins.add(LoadedPlugin.of(pool.plugin(), "simulation: " + SimPool.PLUGIN_NAME));
        TransportFactory inproc = plugins.stream().flatMap(p -> p.plugin().transportFactories().stream())
                .filter(f -> f.name().equals("transport-inproc")).findFirst()
                .orElseThrow(() -> new IllegalStateException("transport-inproc is not on the class path"));
        this.network = new SimNetwork(inproc, derive(b.seed, SimNetwork.PLUGIN_NAME), b.minLatency, b.maxLatency);
        plugins.add(LoadedPlugin.of(network.plugin(), "simulation: " + SimNetwork.PLUGIN_NAME));
        var memory = plugins.stream().flatMap(p -> p.plugin().storageFactories().stream())
                .filter(f -> f.name().equals("storage-memory")).findFirst()
                .orElseThrow(() -> new IllegalStateException("storage-memory is not on the class path"));
        this.disk = new SimDisk(memory);
        plugins.add(LoadedPlugin.of(disk.plugin(), "simulation: " + SimDisk.PLUGIN_NAME));
        this.registry = PluginRegistry.of(plugins);
        // One hub per cluster: runs of the same seed side by side never reach each other.
        this.hub = "sim-" + HUBS.incrementAndGet();
    }

    /** A cluster of the run {@code seed}: by default 3 servers and 2 clients. */
    public static Builder builder(long seed) {
        return new Builder(seed);
    }

    /** The cluster's shape and knobs; every one has a default. */
    public static final class Builder {
        private final long seed;
        private int servers = 3;
        private int clients = 2;
        private final Map<String, String> pluginConfig = new LinkedHashMap<>();
        private Duration holdTimeout = Duration.ofSeconds(7);
        private Duration minPropagation = Duration.ofMillis(5);
        private Duration maxPropagation = Duration.ofMillis(50);
        private Duration minLatency = Duration.ofNanos(500_000);
        private Duration maxLatency = Duration.ofMillis(3);
        private double maxDrift;

        private Builder(long seed) {
            this.seed = seed;
        }

        /**
         * How many servers ({@code s1..sN}, default 3); every one expects {@code N}.
         *
         * @throws IllegalArgumentException outside 1..7
         */
        public Builder servers(int n) {
            if (n < 1 || n > 7) {
                throw new IllegalArgumentException("servers must be 1..7, got " + n);
            }
            this.servers = n;
            return this;
        }

        /**
         * How many client agents ({@code c1..cM}, default 2).
         *
         * @throws IllegalArgumentException outside 0..16
         */
        public Builder clients(int m) {
            if (m < 0 || m > 16) {
                throw new IllegalArgumentException("clients must be 0..16, got " + m);
            }
            this.clients = m;
            return this;
        }

        /** Consul's {@code rpc_hold_timeout} of every agent (default 7 s, Consul's). */
        public Builder holdTimeout(Duration d) {
            if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("hold timeout must be in (0, 10 min], got " + d);
            }
            this.holdTimeout = d;
            return this;
        }

        /** A {@code plugin_config} entry of every agent, over the cluster's own (see the class comment). */
        public Builder pluginConfig(String key, String value) {
            pluginConfig.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Gossip propagation delay bounds of the pool (default 5..50 ms); see {@link SimPool.Builder#propagation}. */
        public Builder propagation(Duration min, Duration max) {
            SimPool.checkPropagation(min, max);
            this.minPropagation = min;
            this.maxPropagation = max;
            return this;
        }

        /**
         * Network delay bounds of each leg of an exchange between agents (default 0.5..3 ms); see
         * {@link SimNetwork}.
         *
         * @throws IllegalArgumentException unless {@code 0 <= min <= max <= 1 s}
         */
        public Builder latency(Duration min, Duration max) {
            SimNetwork.checkBounds(min, max);
            this.minLatency = min;
            this.maxLatency = max;
            return this;
        }

        /**
         * Clock drift: each agent's clock and timers run at a rate drawn from the seed in
         * {@code [1/sqrt(1 + maxDrift), sqrt(1 + maxDrift)]}, so that no two agents' rates differ by
         * more than a factor {@code 1 + maxDrift} (default 0: every clock exact). Raft's leases assume
         * that bound: {@code raft.lease.max-drift} (0.05 by default) is the rate by which a follower's
         * clock may run faster than the leader's while the leader's lease still ends before the
         * follower's election timeout (thesis §6.4.1); pass that value here to stay within it.
         *
         * @throws IllegalArgumentException outside {@code [0, 0.5]}
         */
        public Builder drift(double maxDrift) {
            if (!(maxDrift >= 0 && maxDrift <= 0.5)) {
                throw new IllegalArgumentException("drift must be in [0, 0.5], got " + maxDrift);
            }
            this.maxDrift = maxDrift;
            return this;
        }

        /** The cluster, with no agent started. */
        public SimCluster build() {
            return new SimCluster(this);
        }
    }

    // ---------------------------------------------------------------- start and stop

    /**
     * Starts the servers and clients, joins each to {@code s1}, and runs the scheduler until every
     * server follows one leader in a configuration of all servers and every client knows every
     * server.
     *
     * @throws IllegalStateException when the cluster does not form within {@link #FORM_LIMIT} of
     *                               virtual time (the message holds the end of the trace); the agents
     *                               started stay for {@link #close()}
     */
    public void start() {
        if (!agents.isEmpty()) {
            throw new IllegalStateException("the cluster was started already");
        }
        try {
            dataDirs = Files.createTempDirectory("tribune-sim-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 1; i <= serverCount; i++) {
            startAgent("s" + i, true, true);
        }
        for (int i = 1; i <= clientCount; i++) {
            startAgent("c" + i, false, true);
        }
        boolean formed = runUntil(this::formed, FORM_LIMIT);
        if (!formed) {
            throw new IllegalStateException("seed " + seed + ": the cluster did not form within " + FORM_LIMIT
                    + "\n" + traceTail(40));
        }
        trace("formed: leader " + leader().map(a -> a.config().nodeName()).orElse("?"));
    }

    private boolean formed() {
        List<Agent> servers = servers();
        Optional<Agent> l = leader();
        if (l.isEmpty()) {
            return false;
        }
        String leaderId = l.get().config().nodeName();
        for (Agent s : servers) {
            Consensus c = s.consensus().orElseThrow();
            if (!c.leadership().leader().map(ServerInfo::id).orElse("").equals(leaderId)
                    || c.configuration().size() != serverCount) {
                return false;
            }
        }
        return clients().stream().allMatch(c -> c.serverList().size() == serverCount);
    }

    private void startAgent(String name, boolean server, boolean awaitJoin) {
        SimHost host = hosts.get(name);
        if (host == null || host.isCrashed()) {
            // A machine keeps its oscillator across a restart: the rate is drawn once per name.
            double rate = host != null ? host.rate() : drawRate();
            host = new SimHost(name, scheduler, rate);
            hosts.put(name, host);
        }
        boolean again = agents.containsKey(name);
        // A restarted process draws fresh randomness (a real one seeds from the OS): above all a new
        // prefix of its write request ids, or the servers' exactly-once table would take its new
        // writes for retries of the old ones and answer them with the old results.
        int run = starts.merge(name, 1, Integer::sum);
        long agentSeed = run == 1 ? derive(seed, name) : derive(seed, name + "#" + run);
        AgentPlatform platform = AgentPlatform.of(host.clock(), host.scheduler(), agentSeed, host.scheduler());
        Agent a = Agent.start(config(name, server), registry, "simulation", platform);
        agents.put(name, a);
        running.put(name, a);
        if (server) {
            serverPorts.putIfAbsent(name, a.transport().localEndpoint().port());
        }
        trace((again ? "restart " : "start ") + name + (server ? " (server)" : " (client)")
                + (host.rate() == 1.0 ? "" : String.format(java.util.Locale.ROOT, " clock rate %.4f", host.rate())));
        SimHost h = host;
        a.consensus().ifPresent(c -> c.onLeadershipChange(l -> {
            if (h.isCrashed() || running.get(name) != a) {
                return;
            }
            trace("leadership at " + name + ": term " + l.term() + (l.isLeader() ? " leading" : "")
                    + " leader " + l.leader().map(ServerInfo::id).orElse("none"));
            if (l.isLeader()) {
                observeLeader(l.term(), name);
            }
        }));
        if (running.size() > 1) {
            if (awaitJoin) {
                Member first = running.values().iterator().next().membership().localMember();
                CompletableFuture<Integer> joined = a.membership().join(List.of(first.host() + ":" + first.port()));
                if (!await(joined, Duration.ofSeconds(10)) || joined.isCompletedExceptionally()) {
                    throw new IllegalStateException(name + " could not join s1's pool: " + joined);
                }
            } else {
                joinWithRetry(name, a, host);
            }
        }
    }

    /**
     * Joins {@code a}'s view to the running agents it can reach, trying again every second of its
     * clock until one answers, as an agent with {@code retry_join} does (a restart inside a
     * partition would otherwise leave it alone in a pool of its own). Stops with the agent.
     */
    private void joinWithRetry(String name, Agent a, SimHost host) {
        if (running.get(name) != a) {
            return;
        }
        List<String> seeds = new ArrayList<>();
        for (Map.Entry<String, Agent> e : running.entrySet()) {
            if (!e.getKey().equals(name)) {
                Member m = e.getValue().membership().localMember();
                seeds.add(m.host() + ":" + m.port());
            }
        }
        if (seeds.isEmpty()) {
            return;
        }
        a.membership().join(seeds).whenComplete((n, t) -> {
            if (t != null) {
                trace("join of " + name + " failed, retrying: " + t.getMessage());
                host.scheduler().schedule(Duration.ofSeconds(1), () -> joinWithRetry(name, a, host));
            }
        });
    }

    /** Notes that {@code name} reported leading {@code term}; a second server for one term is a violation. */
    void observeLeader(long term, String name) {
        String before = leaderOfTerm.putIfAbsent(term, name);
        if (before != null && !before.equals(name) && leadershipViolations.size() < 100) {
            leadershipViolations.add("two leaders in term " + term + ": " + before + " and " + name + " (at "
                    + now().toMillis() + " ms)");
        }
    }

    /** A clock rate within the drift bound: any two differ by a factor of at most {@code 1 + maxDrift}. */
    private double drawRate() {
        if (maxDrift == 0) {
            return 1.0;
        }
        double half = Math.log1p(maxDrift) / 2;
        return Math.exp((rates.nextDouble() * 2 - 1) * half);
    }

    /** The configuration of agent {@code name}. */
    private AgentConfig config(String name, boolean server) {
        int rpcPort = serverPorts.getOrDefault(name, 0);
        JsonObject o = new JsonObject();
        o.addProperty("node_name", name);
        o.addProperty("datacenter", "dc1");
        o.addProperty("server", server);
        if (server) {
            o.addProperty("bootstrap_expect", serverCount);
        }
        o.addProperty("data_dir", dataDirs.resolve(name).toString().replace("\\", "/"));
        o.addProperty("bind_addr", "127.0.0.1");
        o.addProperty("advertise_addr", "127.0.0.1");
        JsonObject ports = new JsonObject();
        for (String p : List.of("http", "dns", "grpc", "serf_wan")) {
            ports.addProperty(p, -1);
        }
        // A restarted server listens where its peers' Raft configuration says it does.
        ports.addProperty("server", rpcPort);
        ports.addProperty("serf_lan", 0);
        o.add("ports", ports);
        JsonObject plugins = new JsonObject();
        plugins.addProperty("storage", SimDisk.PLUGIN_NAME);
        plugins.addProperty("consensus", "raft");
        plugins.addProperty("transport", SimNetwork.PLUGIN_NAME);
        plugins.addProperty("membership", SimPool.PLUGIN_NAME);
        o.add("plugins", plugins);
        Map<String, String> pc = new LinkedHashMap<>();
        pc.put(SimNetwork.HUB_KEY, hub);
        pc.put("raft.storage.own-threads", "false");
        pc.put("raft.leave.transfer", "false");
        pc.putAll(pluginConfig);
        JsonObject pcJson = new JsonObject();
        pc.forEach(pcJson::addProperty);
        o.add("plugin_config", pcJson);
        JsonObject perf = new JsonObject();
        perf.addProperty("rpc_hold_timeout", holdTimeout.toMillis() + "ms");
        o.add("performance", perf);
        return new ConfigLoader().add(o, name).build();
    }

    /**
     * Stops {@code name} abruptly: it is closed without leaving (its pending work is dropped, as in
     * a crash), and the pool declares it failed after {@code failAfter}, as failure detection would.
     *
     * @throws IllegalArgumentException when no agent of that name is running
     */
    public void kill(String name, Duration failAfter) {
        Agent a = running.remove(name);
        if (a == null) {
            throw new IllegalArgumentException("no agent '" + name + "' is running");
        }
        trace("kill " + name + " (failure detected after " + failAfter.toMillis() + " ms)");
        // Power off first: nothing of the dead process runs or reaches its disk afterwards.
        hosts.get(name).crash();
        disk.crash(name);
        try {
            a.shutdown(false);
        } catch (RuntimeException e) {
            trace("kill " + name + ": shutdown threw " + e);
        }
        pool.fail(name, failAfter);
    }

    /**
     * Starts {@code name} again after a {@link #kill}: same configuration; a server finds its Raft
     * state on its {@link SimDisk} and listens on its old RPC address. Its pool view joins any
     * running agent it can reach (the join is not awaited: this may run inside a scheduler task).
     *
     * @throws IllegalArgumentException when {@code name} was never started or is running
     */
    public void restart(String name) {
        Agent old = agents.get(name);
        if (old == null || running.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is " + (old == null ? "unknown" : "running"));
        }
        startAgent(name, old.consensus().isPresent(), false);
    }

    /**
     * Starts a new client agent {@code name} (member churn) and joins it to the running agents it can
     * reach, without waiting.
     *
     * @throws IllegalArgumentException when the name was used already
     */
    public void addClient(String name) {
        if (agents.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' was started already");
        }
        startAgent(name, false, false);
    }

    /**
     * Makes {@code name} leave the pool gracefully, then stops it once the leave has spread (or after
     * 5 s of its clock); it is no longer running from this call on.
     *
     * @throws IllegalArgumentException when no agent of that name is running
     */
    public void leave(String name) {
        Agent a = running.remove(name);
        if (a == null) {
            throw new IllegalArgumentException("no agent '" + name + "' is running");
        }
        trace("leave " + name);
        // Not Agent.shutdown(true): it waits for the leave on this thread, which runs the scheduler.
        a.membership().leave(Duration.ofSeconds(5)).whenComplete((v, t) -> {
            hosts.get(name).crash();
            disk.crash(name);
            a.shutdown(false);
            trace("left " + name);
        });
    }

    /** Shuts every running agent down (no leave) and deletes the data directories. Idempotent. */
    @Override
    public void close() {
        List<Agent> all = new ArrayList<>(running.values());
        running.clear();
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
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // ---------------------------------------------------------------- driving

    /**
     * Runs the scheduler until {@code condition} holds (checked before each task) or {@code limit}
     * of virtual time passes; whether it held.
     */
    public boolean runUntil(BooleanSupplier condition, Duration limit) {
        return scheduler.runUntil(condition, limit);
    }

    /** Runs the scheduler for {@code d} of virtual time. */
    public void runFor(Duration d) {
        scheduler.runFor(d);
    }

    /** Runs the scheduler until {@code f} completes or {@code limit} passes; whether it completed. */
    public boolean await(CompletableFuture<?> f, Duration limit) {
        return runUntil(f::isDone, limit);
    }

    // ---------------------------------------------------------------- inspection

    /** The run's seed. */
    public long seed() {
        return seed;
    }

    /** The seed of agent {@code name}'s platform: the run's seed mixed with the name. */
    public static long derive(long seed, String name) {
        long h = seed ^ 0x9E3779B97F4A7C15L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001B3L;
        }
        // SplitMix64's finalizer spreads the bits of close seeds.
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }

    /** The scheduler every agent runs on. */
    public SimScheduler scheduler() {
        return scheduler;
    }

    /** The virtual clock. */
    public VirtualClock clock() {
        return clock;
    }

    /** The simulated network between the agents (cuts and loss). */
    public SimNetwork network() {
        return network;
    }

    /** The host (clock rate, power) of {@code name}'s current or last run. */
    public SimHost host(String name) {
        SimHost h = hosts.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no agent '" + name + "' was started");
        }
        return h;
    }

    /** The names of every agent ever started, in start order. */
    public List<String> names() {
        return List.copyOf(agents.keySet());
    }

    /** Breaches of "at most one leader per term" seen so far, as servers reported leadership. */
    public List<String> leadershipViolations() {
        return List.copyOf(leadershipViolations);
    }

    /** How many terms had a leader, as servers reported it. */
    public int termsLed() {
        return leaderOfTerm.size();
    }

    /** The gossip pool of every agent. */
    public SimPool pool() {
        return pool;
    }

    /** The agent started as {@code name}, running or killed. */
    public Agent agent(String name) {
        Agent a = agents.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no agent '" + name + "' was started");
        }
        return a;
    }

    /** Whether {@code name} was started and not killed. */
    public boolean isRunning(String name) {
        return running.containsKey(name);
    }

    /** Running servers, in start order. */
    public List<Agent> servers() {
        return running.values().stream().filter(a -> a.consensus().isPresent()).toList();
    }

    /** Running client agents, in start order. */
    public List<Agent> clients() {
        return running.values().stream().filter(a -> a.consensus().isEmpty()).toList();
    }

    /**
     * The running server that leads: of those that believe they lead, the one of the highest term
     * (an old leader may not have noticed yet that it was deposed).
     */
    public Optional<Agent> leader() {
        Agent best = null;
        long term = -1;
        for (Agent s : servers()) {
            var l = s.consensus().orElseThrow().leadership();
            if (l.isLeader() && l.term() > term) {
                best = s;
                term = l.term();
            }
        }
        return Optional.ofNullable(best);
    }

    /** Virtual time since the cluster was built. */
    public Duration now() {
        return Duration.ofNanos(clock.nanos());
    }

    // ---------------------------------------------------------------- trace

    /** Records {@code event} at the current virtual time. */
    public void trace(String event) {
        String line = String.format(java.util.Locale.ROOT, "%9.3f %s", clock.nanos() / 1e9, event);
        for (byte b : line.getBytes(StandardCharsets.UTF_8)) {
            traceHash = (traceHash ^ (b & 0xff)) * 0x100000001B3L;
        }
        traceHash = (traceHash ^ '\n') * 0x100000001B3L;
        traceCount++;
        if (trace.size() < MAX_TRACE_LINES) {
            trace.add(line);
        }
    }

    /** A hash of every line recorded so far, in order (64-bit FNV-1a). */
    public long traceHash() {
        return traceHash;
    }

    /** How many lines were recorded. */
    public long traceCount() {
        return traceCount;
    }

    /** The lines kept, oldest first. */
    public List<String> traceLines() {
        return List.copyOf(trace);
    }

    /** The last {@code n} lines kept, one per line. */
    public String traceTail(int n) {
        return String.join("\n", trace.subList(Math.max(0, trace.size() - n), trace.size()));
    }
}

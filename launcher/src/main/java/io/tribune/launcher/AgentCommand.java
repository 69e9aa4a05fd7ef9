package io.tribune.launcher;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.tribune.agent.Agent;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginLoadException;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.PluginSource;
import io.tribune.api.SpiKind;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tribune agent}: runs an agent until SIGTERM or Ctrl-C. Flags use Consul's names and
 * override config files key by key.
 */
@Command(addMethodSubcommands = false, name = "agent", sortOptions = false,
        description = "Runs a Tribune agent (client or server). Flags override config files.")
final class AgentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-dev", "--dev"}, description = "single in-memory server for development")
    boolean dev;
    // web UI (docs/ui.md)
    @Option(names = {"-ui", "--ui"}, description = "serve the web UI at /ui/ (always on with -dev)")
    boolean ui;
    @Option(names = {"-server", "--server"}, description = "run in server mode")
    boolean server;
    @Option(names = {"-bootstrap", "--bootstrap"}, description = "bootstrap a one-server cluster")
    boolean bootstrap;
    @Option(names = {"-bootstrap-expect", "--bootstrap-expect"}, paramLabel = "N",
            description = "servers to wait for before bootstrapping")
    Integer bootstrapExpect;
    @Option(names = {"-data-dir", "--data-dir"}, paramLabel = "DIR", description = "where state is kept")
    Path dataDir;
    @Option(names = {"-node", "--node"}, paramLabel = "NAME", description = "node name (default: host name)")
    String node;
    @Option(names = {"-datacenter", "--datacenter"}, paramLabel = "DC", description = "datacenter (default dc1)")
    String datacenter;
    @Option(names = {"-bind", "--bind"}, paramLabel = "ADDR", description = "address for server RPC and gossip")
    String bind;
    @Option(names = {"-client", "--client"}, paramLabel = "ADDR", description = "address for HTTP, DNS and gRPC")
    String client;
    @Option(names = {"-advertise", "--advertise"}, paramLabel = "ADDR", description = "address advertised to others")
    String advertise;
    @Option(names = {"-join", "--join"}, paramLabel = "ADDR", description = "join at start (repeatable)")
    List<String> join;
    @Option(names = {"-retry-join", "--retry-join"}, paramLabel = "ADDR", description = "join at start, retrying (repeatable)")
    List<String> retryJoin;
    @Option(names = {"-retry-interval", "--retry-interval"}, paramLabel = "DURATION", description = "time between join retries (default 30s)")
    String retryInterval;
    @Option(names = {"-retry-max", "--retry-max"}, paramLabel = "N", description = "join attempts before giving up (default 0: forever)")
    Integer retryMax;
    @Option(names = {"-join-wan", "--join-wan"}, paramLabel = "ADDR", description = "join the WAN pool at start (servers; repeatable)")
    List<String> joinWan;
    @Option(names = {"-retry-join-wan", "--retry-join-wan"}, paramLabel = "ADDR", description = "join the WAN pool at start, retrying (servers; repeatable)")
    List<String> retryJoinWan;
    @Option(names = {"-retry-interval-wan", "--retry-interval-wan"}, paramLabel = "DURATION", description = "time between WAN join retries (default 30s)")
    String retryIntervalWan;
    @Option(names = {"-retry-max-wan", "--retry-max-wan"}, paramLabel = "N", description = "WAN join attempts before giving up (default 0: forever)")
    Integer retryMaxWan;
    @Option(names = {"-config-file", "--config-file"}, paramLabel = "FILE", description = "JSON or HCL config file (repeatable)")
    List<Path> configFiles;
    @Option(names = {"-config-dir", "--config-dir"}, paramLabel = "DIR", description = "directory of *.json and *.hcl config files, merged in name order (repeatable)")
    List<Path> configDirs;
    @Option(names = {"-http-port", "--http-port"}, paramLabel = "PORT", description = "HTTP API port (default 8500)")
    Integer httpPort;
    @Option(names = {"-dns-port", "--dns-port"}, paramLabel = "PORT", description = "DNS port (default 8600)")
    Integer dnsPort;
    @Option(names = {"-grpc-port", "--grpc-port"}, paramLabel = "PORT", description = "gRPC API port (default 8502)")
    Integer grpcPort;
    @Option(names = {"-server-port", "--server-port"}, paramLabel = "PORT", description = "server RPC port (default 8300)")
    Integer serverPort;
    @Option(names = {"-serf-lan-port", "--serf-lan-port"}, paramLabel = "PORT", description = "LAN gossip port (default 8301)")
    Integer serfLanPort;
    @Option(names = {"-serf-wan-port", "--serf-wan-port"}, paramLabel = "PORT", description = "WAN gossip port (default 8302)")
    Integer serfWanPort;
    @Option(names = {"-plugin", "--plugin"}, paramLabel = "KIND=NAME",
            description = "choose a plugin: storage, transport, consensus or membership (repeatable)")
    Map<String, String> plugins;
    @Option(names = {"-plugin-config", "--plugin-config"}, paramLabel = "KEY=VALUE",
            description = "a plugin setting, e.g. raft.multiplier=1 (repeatable)")
    Map<String, String> pluginConfig;
    @Option(names = {"-plugin-dir", "--plugin-dir"}, paramLabel = "DIR",
            description = "plugins directory (repeatable; replaces the default HOME/plugins)")
    List<Path> pluginDirs;
    @Option(names = {"-runtime", "--runtime"}, paramLabel = "RUNTIME", defaultValue = "felix",
            description = "plugin runtime: felix (default, embedded OSGi) or jpms (module layers)")
    String runtime;
    @Option(names = {"-log-level", "--log-level"}, paramLabel = "LEVEL", description = "trace, debug, info (default), warn, err")
    String logLevel;
    // ---- obs: log file, rotation, JSON lines (Consul's flags; keys log_file, log_rotate_*, log_json)
    @Option(names = {"-log-file", "--log-file"}, paramLabel = "PATH",
            description = "also log to this file, or to tribune-<time>.log in this directory")
    String logFile;
    @Option(names = {"-log-rotate-bytes", "--log-rotate-bytes"}, paramLabel = "N",
            description = "start a new log file after N bytes (default 0: no size limit)")
    Long logRotateBytes;
    @Option(names = {"-log-rotate-duration", "--log-rotate-duration"}, paramLabel = "DURATION",
            description = "start a new log file after this long (default 24h)")
    String logRotateDuration;
    @Option(names = {"-log-rotate-max-files", "--log-rotate-max-files"}, paramLabel = "N",
            description = "older log files kept (default 0: all; -1: none)")
    Integer logRotateMaxFiles;
    @Option(names = {"-log-json", "--log-json"}, description = "log lines as JSON objects")
    boolean logJson;

    // ---- config feature: Consul's flags for config formats, gossip key, pid file, DNS, node metadata ----
    @Option(names = {"-config-format", "--config-format"}, paramLabel = "FORMAT",
            description = "read every config file as json or hcl, whatever its extension")
    String configFormat;
    @Option(names = {"-hcl", "--hcl"}, paramLabel = "HCL",
            description = "an HCL config fragment, applied after the files and flags (repeatable)")
    List<String> hcl;
    @Option(names = {"-encrypt", "--encrypt"}, paramLabel = "KEY",
            description = "gossip encryption key of the LAN and WAN pools, base64 (tribune keygen)")
    String encrypt;
    @Option(names = {"-pid-file", "--pid-file"}, paramLabel = "FILE", description = "write the process id here at start")
    String pidFile;
    @Option(names = {"-domain", "--domain"}, paramLabel = "DOMAIN", description = "DNS domain (default consul)")
    String domain;
    @Option(names = {"-recursor", "--recursor"}, paramLabel = "ADDR", description = "upstream DNS server (repeatable)")
    List<String> recursors;
    @Option(names = {"-node-meta", "--node-meta"}, paramLabel = "KEY:VALUE", description = "node metadata (repeatable)")
    List<String> nodeMeta;
    @Option(names = {"-rejoin", "--rejoin"}, description = "rejoin_after_leave (no effect here: see docs/configuration.md)")
    boolean rejoin;
    @Option(names = {"-enable-script-checks", "--enable-script-checks"},
            description = "allow checks that run scripts (Args)")
    boolean enableScriptChecks;

    // ---- keys feature: Consul's -node-id and -advertise-wan ----
    @Option(names = {"-node-id", "--node-id"}, paramLabel = "UUID",
            description = "this node's ID (default: kept in the data dir)")
    String nodeId;
    @Option(names = {"-advertise-wan", "--advertise-wan"}, paramLabel = "ADDR",
            description = "address the WAN pool advertises (default: the advertise address)")
    String advertiseWan;

    /** The config feature's flags as config keys (a block of its own so that other flags merge cleanly). */
    private void configFeatureFlags(JsonObject o) {
        put(o, "node_id", nodeId);                   // keys feature
        put(o, "advertise_addr_wan", advertiseWan);  // keys feature
        put(o, "encrypt", encrypt);
        put(o, "pid_file", pidFile);
        put(o, "domain", domain);
        array(o, "recursors", recursors);
        if (rejoin) {
            o.addProperty("rejoin_after_leave", true);
        }
        if (enableScriptChecks) {
            o.addProperty("enable_script_checks", true);
        }
        if (nodeMeta != null && !nodeMeta.isEmpty()) {
            JsonObject m = new JsonObject();
            for (String kv : nodeMeta) {
                int colon = kv.indexOf(':');
                if (colon <= 0) {
                    throw new ConfigException("-node-meta '" + kv + "' must be key:value");
                }
                m.addProperty(kv.substring(0, colon), kv.substring(colon + 1));
            }
            o.add("node_meta", m);
        }
    }

    /** The flags as a config layer with Consul's key names. */
    JsonObject flagLayer() {
        JsonObject o = new JsonObject();
        if (dev) {
            o.addProperty("dev", true);
        }
        if (ui) {
            o.addProperty("ui", true);
        }
        if (server) {
            o.addProperty("server", true);
        }
        if (bootstrap) {
            o.addProperty("bootstrap", true);
        }
        if (bootstrapExpect != null) {
            o.addProperty("bootstrap_expect", bootstrapExpect);
        }
        if (dataDir != null) {
            o.addProperty("data_dir", dataDir.toString());
        }
        put(o, "node_name", node);
        put(o, "datacenter", datacenter);
        put(o, "bind_addr", bind);
        put(o, "client_addr", client);
        put(o, "advertise_addr", advertise);
        put(o, "retry_interval", retryInterval);
        put(o, "log_level", logLevel);
        // obs: log file and format
        put(o, "log_file", logFile);
        if (logRotateBytes != null) {
            o.addProperty("log_rotate_bytes", logRotateBytes);
        }
        put(o, "log_rotate_duration", logRotateDuration);
        if (logRotateMaxFiles != null) {
            o.addProperty("log_rotate_max_files", logRotateMaxFiles);
        }
        if (logJson) {
            o.addProperty("log_json", true);
        }
        if (retryMax != null) {
            o.addProperty("retry_max", retryMax);
        }
        array(o, "start_join", join);
        array(o, "retry_join", retryJoin);
        put(o, "retry_interval_wan", retryIntervalWan);
        if (retryMaxWan != null) {
            o.addProperty("retry_max_wan", retryMaxWan);
        }
        array(o, "start_join_wan", joinWan);
        array(o, "retry_join_wan", retryJoinWan);
        JsonObject ports = new JsonObject();
        port(ports, "http", httpPort);
        port(ports, "dns", dnsPort);
        port(ports, "grpc", grpcPort);
        port(ports, "server", serverPort);
        port(ports, "serf_lan", serfLanPort);
        port(ports, "serf_wan", serfWanPort);
        if (ports.size() > 0) {
            o.add("ports", ports);
        }
        if (plugins != null && !plugins.isEmpty()) {
            JsonObject p = new JsonObject();
            plugins.forEach(p::addProperty);
            o.add("plugins", p);
        }
        if (pluginConfig != null && !pluginConfig.isEmpty()) {
            JsonObject p = new JsonObject();
            pluginConfig.forEach(p::addProperty);
            o.add("plugin_config", p);
        }
        configFeatureFlags(o);
        return o;
    }

    private static void put(JsonObject o, String k, String v) {
        if (v != null) {
            o.addProperty(k, v);
        }
    }

    private static void port(JsonObject o, String k, Integer v) {
        if (v != null) {
            o.addProperty(k, v);
        }
    }

    private static void array(JsonObject o, String k, List<String> v) {
        if (v != null && !v.isEmpty()) {
            JsonArray a = new JsonArray();
            v.forEach(a::add);
            o.add(k, a);
        }
    }

    /** Reads config files and flags into a validated configuration. */
    AgentConfig config() {
        return loader().build();
    }

    /**
     * The config files, the flags and the {@code -hcl} fragments, in that order, as a loader ready to
     * build (its {@link ConfigLoader#warnings()} say what was skipped). Called again on each reload.
     */
    ConfigLoader loader() {
        ConfigLoader loader = new ConfigLoader();
        if (configFiles != null) {
            configFiles.forEach(f -> loader.addPath(f, configFormat));
        }
        if (configDirs != null) {
            configDirs.forEach(d -> loader.addPath(d, configFormat));
        }
        loader.add(flagLayer(), "command line flags");
        if (hcl != null) {
            hcl.forEach(loader::addHcl);
        }
        return loader;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        AgentConfig cfg;
        ConfigLoader configLoader;
        try {
            if (plugins != null) {
                for (String k : plugins.keySet()) {
                    SpiKind.fromKey(k);
                }
            }
            configLoader = loader();
            cfg = configLoader.build();
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        Logging.configure(cfg.logLevel(), io.tribune.agent.observe.LogSettings.of(cfg.pluginConfig()));
        // start: the first step of the start-up timeline (bench/startup.sh): JVM, launcher and config.
        ProcessHandle.current().info().startInstant().ifPresent(t -> System.getLogger(AgentCommand.class.getName())
                .log(System.Logger.Level.DEBUG, "startup: configuration read {0} ms after process start",
                        java.time.Duration.between(t, java.time.Instant.now()).toMillis()));
        AgentLifecycle.logWarnings(configLoader.warnings());
        PluginSource source;
        PluginRegistry registry;
        try {
            source = Home.source(runtime, Home.pluginDirs(pluginDirs), cfg.dataDir());
        } catch (PluginLoadException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        long loadStart = System.nanoTime();
        try {
            registry = PluginRegistry.of(source.load());
            System.getLogger(AgentCommand.class.getName()).log(System.Logger.Level.DEBUG,
                    "plugins loaded in {0} ms", (System.nanoTime() - loadStart) / 1_000_000);
        } catch (PluginLoadException e) {
            source.close();
            err.println("error: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        Agent agent;
        try {
            agent = Agent.start(cfg, registry, source.runtime());
        } catch (PluginLoadException | ConfigException e) {
            source.close();
            err.println("error: " + e.getMessage());
            return Main.EXIT_USAGE;
        } catch (RuntimeException e) {
            source.close();
            err.println("error: agent failed to start: " + e.getMessage());
            System.getLogger(AgentCommand.class.getName()).log(System.Logger.Level.DEBUG, "start failure", e);
            return Main.EXIT_FAILURE;
        }
        agent.enableLiveUpdate(source);   // plugins feature: PUT /v1/agent/plugins/<name>/update
        ProcessHandle.current().info().startInstant().ifPresent(t -> System.getLogger(AgentCommand.class.getName())
                .log(System.Logger.Level.INFO, "ready {0} ms after process start (plugins loaded in {1} runtime)",
                        java.time.Duration.between(t, java.time.Instant.now()).toMillis(), source.runtime()));
        // config feature: pid file, and SIGHUP / /v1/agent/reload re-read the config instead of stopping.
        java.util.Optional<Path> pid = io.tribune.agent.config.ConfigKeys.pidFile(cfg);
        try {
            pid.ifPresent(AgentLifecycle::writePid);
        } catch (IllegalStateException e) {
            err.println("error: " + e.getMessage());
            agent.shutdown(false);
            source.close();
            return Main.EXIT_FAILURE;
        }
        // keys feature: which stop signal arrived, and the config in effect when it did (a reload may
        // change leave_on_terminate and skip_leave_on_interrupt), decide whether the agent leaves.
        java.util.concurrent.atomic.AtomicReference<AgentConfig> latest = new java.util.concurrent.atomic.AtomicReference<>(cfg);
        AgentLifecycle.reloadable(agent, () -> {
            ConfigLoader l = loader();
            AgentConfig next = l.build();
            AgentLifecycle.logWarnings(l.warnings());
            return next;
        }, next -> {
            latest.set(next);
            Logging.configure(next.logLevel());
            System.getLogger(AgentCommand.class.getName()).log(System.Logger.Level.INFO, "reload: log level is now {0}",
                    next.logLevel());
        });
        // Trapped only now, with the hook below right after: a stop signal always finds the hook.
        java.util.concurrent.atomic.AtomicReference<String> stopSignal = AgentLifecycle.trapStopSignals();
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean fromInside = new java.util.concurrent.atomic.AtomicBoolean();
        Thread hook = new Thread(() -> {
            String who = AgentCommand.class.getName();
            AgentLifecycle.Stop stop = AgentLifecycle.onStop(stopSignal.get(), latest.get());
            Logging.direct("INFO", who, stop.message());
            try {
                agent.shutdown(stop.leave());
                Logging.direct("INFO", who, "agent stopped; exiting 0");
            } catch (RuntimeException e) {
                Logging.direct("err", who, "shutdown failed: " + e);
                throw e;
            } finally {
                source.close();
                pid.ifPresent(AgentLifecycle::removePid);
                stopped.countDown();
                if (!fromInside.get()) {
                    // SIGTERM / Ctrl-C: the graceful leave is done, so report success rather than the
                    // JVM's signal status (143 / 130), as Consul exits 0 after a graceful leave.
                    Runtime.getRuntime().halt(0);
                }
            }
        }, "tribune-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.getLogger(AgentCommand.class.getName()).log(System.Logger.Level.INFO, "on SIGINT: {0}; on SIGTERM: {1}",
                AgentLifecycle.onStop("INT", cfg).leave() ? "graceful leave" : "stop without leaving",
                AgentLifecycle.onStop("TERM", cfg).leave() ? "graceful leave" : "stop without leaving");
        agent.awaitTermination();
        // Stopped from inside (e.g. /v1/agent/leave): run the same path as a signal would.
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            fromInside.set(true);
            hook.run();
        } catch (IllegalStateException alreadyShuttingDown) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return 0;
    }
}

package io.tribune.embedded;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginLoadException;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.api.SpiKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Tribune dev agent running inside the caller's JVM: one server with in-memory state, speaking
 * Consul's HTTP API, DNS and Tribune's gRPC API on free ports of 127.0.0.1, for tests and tools
 * that would otherwise start a Consul binary or container.
 *
 * <pre>{@code
 * try (EmbeddedAgent agent = EmbeddedAgent.builder().nodeName("test").start()) {
 *     String base = agent.httpUrl();                 // http://127.0.0.1:<port>
 *     InetSocketAddress dns = agent.dnsAddress();    // UDP and TCP
 * }
 * }</pre>
 *
 * <p>It is the agent that {@code bin/tribune agent -dev} runs, assembled the same way
 * ({@link ConfigLoader} then {@link Agent#start}) with the dev defaults: {@code storage-memory},
 * {@code consensus-single}, {@code transport-inproc}, {@code membership-static}. Plugins and front
 * ends are found with {@link java.util.ServiceLoader} on the class path or module path that loaded
 * this class (no OSGi framework): the {@code io.tribune:tribune-embedded} artifact brings all of
 * them as dependencies.
 *
 * <p>Threading: {@link Builder#start()} blocks until the agent leads and its HTTP API listens; the
 * accessors may be called from any thread; {@link #close()} is idempotent and may be called from
 * any thread, and returns once the agent's threads and sockets are released. Several agents may
 * run in one JVM at once; each has its own in-process transport hub, so they never see each other.
 */
public final class EmbeddedAgent implements TribuneEndpoints, AutoCloseable {
    /** Dev agents on one in-process hub would share a network; each embedded agent gets its own. */
    private static final java.util.concurrent.atomic.AtomicLong HUBS = new java.util.concurrent.atomic.AtomicLong();

    private final Agent agent;
    private final TribuneAddresses addresses;
    private final Optional<String> masterToken;

    private EmbeddedAgent(Agent agent, TribuneAddresses addresses, Optional<String> masterToken) {
        this.agent = agent;
        this.addresses = addresses;
        this.masterToken = masterToken;
    }

    /** A builder with the defaults: node {@code embedded}, datacenter {@code dc1}, no ACLs, log level {@code warn}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The three addresses (127.0.0.1 and the ports bound at start) as one value, e.g. to hand to code under test. */
    @Override
    public TribuneAddresses addresses() {
        return addresses;
    }

    /** The ACL master (initial management) token, when ACLs were enabled with {@link Builder#acl}. */
    public Optional<String> masterToken() {
        return masterToken;
    }

    /** The agent's node name. */
    public String nodeName() {
        return agent.config().nodeName();
    }

    /** The agent's datacenter. */
    public String datacenter() {
        return agent.config().datacenter();
    }

    /**
     * Writes KV entry {@code key} = {@code value} (UTF-8) through the HTTP API, as a client would,
     * with the master token when ACLs are on. Blocks until the write is committed.
     *
     * @throws IllegalArgumentException when the key is empty, starts with '/' or exceeds 512 bytes
     *                                  (nothing is written)
     * @throws IllegalStateException    when the agent answers with an error or cannot be reached
     */
    public void putKey(String key, String value) {
        Objects.requireNonNull(value, "value");
        if (key == null || key.isEmpty() || key.startsWith("/")
                || key.getBytes(StandardCharsets.UTF_8).length > 512) {
            throw new IllegalArgumentException("KV key must be 1 to 512 bytes and not start with '/': '" + key + "'");
        }
        StringBuilder path = new StringBuilder("/v1/kv");
        for (String segment : key.split("/", -1)) {
            path.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        send("PUT", path.toString(), value);
    }

    /**
     * Registers service {@code name} on this agent at 127.0.0.1:{@code port} with no check (so it is
     * passing), through the HTTP API with the master token when ACLs are on; its ID is its name.
     *
     * @throws IllegalArgumentException when the name is not letters, digits, '-' or '_' (at most 64)
     *                                  or the port is outside 0..65535 (nothing is registered)
     * @throws IllegalStateException    when the agent answers with an error or cannot be reached
     */
    public void registerService(String name, int port) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,63}")) {
            throw new IllegalArgumentException("service name must be letters, digits, '-' or '_' (at most 64): '"
                    + name + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("service port must be 0..65535, got " + port);
        }
        JsonObject body = new JsonObject();
        body.addProperty("ID", name);
        body.addProperty("Name", name);
        body.addProperty("Address", "127.0.0.1");
        body.addProperty("Port", port);
        send("PUT", "/v1/agent/service/register", body.toString());
    }

    /** One request to the own HTTP API; a plain connection, so no client threads outlive it. */
    private void send(String method, String path, String body) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(httpUrl() + path).toURL().openConnection();
            try {
                c.setRequestMethod(method);
                c.setConnectTimeout(10_000);
                c.setReadTimeout(30_000);
                masterToken.ifPresent(t -> c.setRequestProperty("X-Consul-Token", t));
                c.setDoOutput(true);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body.getBytes(StandardCharsets.UTF_8));
                }
                int code = c.getResponseCode();
                if (code != 200) {
                    InputStream err = c.getErrorStream();
                    String text = err == null ? "" : new String(err.readNBytes(4096), StandardCharsets.UTF_8);
                    throw new IllegalStateException(method + " " + path + " answered " + code + ": " + text.trim());
                }
                c.getInputStream().readAllBytes();
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Stops the agent without a graceful leave (there is nobody to tell): the front ends close their
     * ports, the plugins and the agent's scheduler stop, and their threads end. Idempotent.
     */
    @Override
    public void close() {
        agent.shutdown(false);
    }

    /**
     * The options of an embedded agent. Not thread-safe: configure and {@link #start()} on one thread.
     * Every setter checks its argument and throws {@link IllegalArgumentException} at once on a bad
     * value; {@link #start()} may be called several times, each call starting a new agent.
     */
    public static final class Builder {
        private String nodeName = "embedded";
        private String datacenter = "dc1";
        private String masterToken;
        private JsonObject extra = new JsonObject();
        private Path dataDir;
        private String logLevel = "warn";
        private final Map<SpiKind, String> plugins = new LinkedHashMap<>();
        private Duration startTimeout = Duration.ofSeconds(30);
        private ClassLoader loader = EmbeddedAgent.class.getClassLoader();

        private Builder() {
        }

        /** The node name (Consul's {@code node_name}); default {@code embedded}. */
        public Builder nodeName(String name) {
            this.nodeName = nonBlank(name, "node name");
            return this;
        }

        /** The datacenter; default {@code dc1}. */
        public Builder datacenter(String dc) {
            this.datacenter = nonBlank(dc, "datacenter");
            return this;
        }

        /**
         * Turns ACLs on with default policy {@code deny} and {@code token} as the master (initial
         * management) token, also used as the agent's own token (so the agent can register its
         * node); clients send it as {@code X-Consul-Token}.
         */
        public Builder acl(String token) {
            this.masterToken = nonBlank(token, "ACL master token");
            return this;
        }

        /**
         * Extra agent configuration as a JSON object with Consul's keys (and Tribune's
         * {@code plugins}/{@code plugin_config}), merged over what the builder sets, so it wins. It is
         * parsed here and checked by the agent's configuration loader at {@link #start()}.
         *
         * @throws IllegalArgumentException when {@code json} is not a JSON object (the builder is unchanged)
         */
        public Builder config(String json) {
            Objects.requireNonNull(json, "json");
            JsonElement e;
            try {
                e = JsonParser.parseString(json);
            } catch (JsonParseException ex) {
                throw new IllegalArgumentException("extra config is not valid JSON: " + ex.getMessage(), ex);
            }
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException("extra config must be a JSON object, got: " + json);
            }
            JsonObject merged = extra.deepCopy();
            e.getAsJsonObject().entrySet().forEach(x -> merged.add(x.getKey(), x.getValue()));
            this.extra = merged;
            return this;
        }

        /**
         * A data directory, for plugins that keep files (choose {@code storage-rocksdb} with
         * {@link #plugin} and put it on the class path). Default none: everything in memory.
         */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Chooses the plugin {@code name} for {@code kind} ({@code storage}, {@code consensus}, ...). */
        public Builder plugin(String kind, String name) {
            SpiKind k = SpiKind.fromKey(kind);
            plugins.put(k, nonBlank(name, "plugin name"));
            return this;
        }

        /**
         * The level of the agent's loggers (trace, debug, info, warn, err); default {@code warn} so
         * tests stay quiet. It is set JVM-wide on the {@code java.util.logging} loggers
         * {@code io.tribune} and {@code tribune} (the plugins') at {@link #start()} (the backend of {@link System.Logger} unless
         * the application installs another).
         */
        public Builder logLevel(String level) {
            String l = Objects.requireNonNull(level, "level").toLowerCase(Locale.ROOT);
            julLevel(l);
            this.logLevel = l;
            return this;
        }

        /** How long {@link #start()} waits for the agent to lead; default 30 s, at most 10 min. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = checkedStartTimeout(timeout);
            return this;
        }

        /** {@code timeout} when it is more than 0 and at most 10 min (both builders' bound). */
        static Duration checkedStartTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("start timeout must be more than 0 and at most 10 min, got "
                        + timeout);
            }
            return timeout;
        }

        /** The class loader whose class path (or module layer) the plugins are found on; default this class's. */
        public Builder classLoader(ClassLoader loader) {
            this.loader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /**
         * The configuration {@link #start()} hands to the agent: dev mode, the options, every port
         * on 127.0.0.1 and 0 (free), and the extra config over them.
         *
         * @throws IllegalArgumentException when the configuration is refused, with the loader's reason
         */
        AgentConfig agentConfig() {
            JsonObject o = new JsonObject();
            o.addProperty("dev", true);
            o.addProperty("node_name", nodeName);
            o.addProperty("datacenter", datacenter);
            o.addProperty("bind_addr", "127.0.0.1");
            o.addProperty("client_addr", "127.0.0.1");
            o.addProperty("advertise_addr", "127.0.0.1");
            o.addProperty("log_level", logLevel);
            JsonObject ports = new JsonObject();
            for (String p : new String[] {"http", "dns", "grpc", "server", "serf_lan"}) {
                ports.addProperty(p, 0);
            }
            o.add("ports", ports);
            if (dataDir != null) {
                o.addProperty("data_dir", dataDir.toString());
            }
            if (!plugins.isEmpty()) {
                JsonObject p = new JsonObject();
                plugins.forEach((k, v) -> p.addProperty(k.key(), v));
                o.add("plugins", p);
            }
            JsonObject pc = new JsonObject();
            pc.addProperty("transport-inproc.hub", "embedded-" + HUBS.incrementAndGet());
            o.add("plugin_config", pc);
            if (masterToken != null) {
                JsonObject acl = new JsonObject();
                acl.addProperty("enabled", true);
                acl.addProperty("default_policy", "deny");
                JsonObject tokens = new JsonObject();
                tokens.addProperty("master", masterToken);
                // the agent's own writes (its node in the catalog) need a token under default deny
                tokens.addProperty("agent", masterToken);
                acl.add("tokens", tokens);
                o.add("acl", acl);
            }
            ConfigLoader loader = new ConfigLoader().add(o, "embedded agent builder");
            if (!extra.entrySet().isEmpty()) {
                loader.add(extra.deepCopy(), "embedded agent extra config");
            }
            try {
                return loader.build();
            } catch (ConfigException e) {
                throw new IllegalArgumentException("embedded agent configuration: " + e.getMessage(), e);
            }
        }

        /**
         * Starts an agent and returns once it leads its one-server cluster and its HTTP, DNS and gRPC
         * interfaces listen. Blocks the calling thread.
         *
         * @throws IllegalArgumentException when the configuration or a plugin choice is refused
         *                                  (nothing is left running)
         * @throws IllegalStateException    when the agent does not lead within the start timeout,
         *                                  or an interface is disabled or absent (the agent is stopped)
         */
        public EmbeddedAgent start() {
            AgentConfig cfg = agentConfig();
            // Kept in static fields: java.util.logging holds its loggers weakly.
            for (Logger l : LOGGERS) {
                l.setLevel(julLevel(cfg.logLevel()));
            }
            PluginRegistry registry;
            Agent agent;
            try {
                registry = PluginRegistry.of(new ServiceLoaderPluginSource(loader).load());
                agent = Agent.start(cfg, registry, "embedded");
            } catch (PluginLoadException | ConfigException e) {
                throw new IllegalArgumentException("embedded agent: " + e.getMessage(), e);
            }
            try {
                awaitLeader(agent, startTimeout);
                TribuneAddresses a = new TribuneAddresses(address(agent, "http"), address(agent, "dns"),
                        address(agent, "grpc-api"));
                return new EmbeddedAgent(agent, a, Optional.ofNullable(masterToken));
            } catch (RuntimeException e) {
                agent.shutdown(false);
                throw e;
            } catch (InterruptedException e) {
                agent.shutdown(false);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the embedded agent started", e);
            }
        }

        static InetSocketAddress address(Agent agent, String service) {
            return agent.serviceAddress(service).orElseThrow(() -> new IllegalStateException(
                    "the embedded agent has no '" + service + "' interface: is its module on the class path, "
                            + "or was it disabled with a port of -1?"));
        }

        /**
         * Waits for the single server to lead. consensus-single leads at once on start; a short
         * sleep between checks keeps this cheap if another consensus plugin is chosen.
         */
        private static void awaitLeader(Agent agent, Duration timeout) throws InterruptedException {
            var consensus = agent.consensus().orElseThrow(() -> new IllegalStateException("not a server"));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!consensus.isLeader()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the embedded agent did not become leader within " + timeout);
                }
                Thread.sleep(1);
            }
        }

        private static String nonBlank(String s, String what) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return s;
        }

        static Level julLevel(String level) {
            return switch (level) {
                case "trace" -> Level.FINEST;
                case "debug" -> Level.FINE;
                case "info" -> Level.INFO;
                case "warn" -> Level.WARNING;
                case "err", "error" -> Level.SEVERE;
                default -> throw new IllegalArgumentException("log level '" + level
                        + "' must be trace, debug, info, warn or err");
            };
        }
    }

    /** Sets the level of the agents' loggers JVM-wide (an embedded cluster's agents share them). */
    static void applyLogLevel(String level) {
        for (Logger l : LOGGERS) {
            l.setLevel(Builder.julLevel(level));
        }
    }

    /**
     * The roots of the agent's loggers: class names under {@code io.tribune}, and the plugins'
     * loggers, which the agent names {@code tribune.<component>}.
     */
    private static final java.util.List<Logger> LOGGERS = java.util.List.of(Logger.getLogger("io.tribune"),
            Logger.getLogger("tribune"));
}

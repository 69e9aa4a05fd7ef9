package io.tribune.agent.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.tribune.agent.local.ConfigServices;
import io.tribune.api.PluginConfig;
import io.tribune.api.SpiKind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Builds an {@link AgentConfig} from layers of JSON objects with Consul's key names: config files
 * first (in the order given, a directory's {@code *.json} and {@code *.hcl} files in name order),
 * then command line flags, later layers overriding earlier ones key by key ({@code ports} and
 * {@code plugins} merge per sub-key; lists are replaced). HCL files and {@code -hcl} fragments are
 * read into the same JSON layer ({@link ConfigFiles}).
 *
 * <p>Unknown keys and values of the wrong type are errors that name the key and the file (and the
 * line, for a file's unknown key). Keys Consul has that mean nothing here ({@link #IGNORED}) and
 * files of a directory with another extension are {@link #warnings()}, not errors.
 *
 * <p>Not thread-safe: one loader per reading; reading again (reload) uses a new loader.
 */
public final class ConfigLoader {
    private static final Set<String> KEYS = Set.of("node_name", "datacenter", "server", "bootstrap",
            "bootstrap_expect", "data_dir", "bind_addr", "client_addr", "advertise_addr", "ports", "start_join",
            "retry_join", "retry_interval", "retry_max", "plugins", "plugin_config", "leave_on_terminate",
            "log_level", "dev", "performance", "limits", "services", "service", "checks", "check",
            "enable_script_checks", "anti_entropy_interval", "ca_file", "cert_file", "key_file", "verify_incoming",
            "verify_outgoing", "verify_server_hostname", "domain", "recursors", "dns_config", "discovery_max_stale",
            "start_join_wan", "retry_join_wan", "retry_interval_wan", "retry_max_wan",
            // network coordinates (CoordinateSettings)
            "coordinate_update_period", "coordinate_update_batch_size", "coordinate_update_max_batches",
            // ACLs (io.tribune.agent.acl.AclSettings): the acl block, and Consul's legacy acl_* keys
            "acl", "primary_datacenter", "acl_datacenter", "acl_default_policy", "acl_down_policy", "acl_ttl",
            "acl_token", "acl_agent_token", "acl_agent_master_token", "acl_master_token", "acl_replication_token",
            "enable_acl_replication",
            // config files, reload and HTTPS (config feature): gossip key, pid file, node metadata, HTTPS client certs
            "encrypt", "pid_file", "node_meta", "rejoin_after_leave", "verify_incoming_https",
            // web UI (docs/ui.md): served at /ui/ when true; default true in -dev
            "ui",
            // observability (io.tribune.agent.observe.LogSettings, autopilot defaults): log file, rotation, JSON lines
            "log_file", "log_rotate_bytes", "log_rotate_duration", "log_rotate_max_files", "log_json", "autopilot",
            // telemetry (io.tribune.agent.metrics.TelemetrySettings; docs/metrics.md)
            "telemetry",
            // keys feature (ConfigKeys): per-listener addresses, WAN advertise address, node ID,
            // leave behaviour on signals, HTTP response headers
            "addresses", "advertise_addr_wan", "node_id", "skip_leave_on_interrupt", "http_config");
    /**
     * Consul 1.4 keys that have no counterpart here and change nothing if ignored (update checks,
     * syslog, Consul's own protocol versions, timers of parts Tribune does not have): accepted with
     * a warning naming them, so a Consul config file loads. Keys whose absence would change
     * behaviour silently (node_id, connect, segments, ...) stay errors.
     */
    static final Set<String> IGNORED = Set.of("disable_update_check", "disable_anonymous_signature",
            "disable_host_node_id", "disable_remote_exec", "enable_debug", "raft_protocol", "protocol",
            "enable_syslog", "syslog_facility", "disable_keyring_file", "reconnect_timeout", "reconnect_timeout_wan",
            "check_update_interval", "enable_local_script_checks");
    /** Most services, and most checks, that config files may define together. */
    static final int MAX_DEFINITIONS = 1024;
    private static final Set<String> PORT_KEYS = Set.of("http", "dns", "grpc", "server", "serf_lan", "serf_wan",
            // HTTPS listener (config feature), -1 (off) by default as in Consul
            "https");

    private final JsonObject merged = new JsonObject();
    /** Services and checks of all layers: unlike other keys they add up across files, as in Consul. */
    private final JsonArray services = new JsonArray();
    private final JsonArray checks = new JsonArray();
    /** The layer that last set each top-level key, so that a bad value names its file. */
    private final Map<String, String> origin = new TreeMap<>();
    /** Each file's text by source name, to find the line of a key. */
    private final Map<String, String> texts = new TreeMap<>();
    private final List<String> warnings = new ArrayList<>();

    /** Adds a config file, or every {@code *.json} and {@code *.hcl} file of a directory (format by extension). */
    public ConfigLoader addPath(Path file) {
        return addPath(file, null);
    }

    /**
     * Adds a config file or directory. With {@code format} ("json" or "hcl", Consul's
     * {@code -config-format}) every file is read in that format whatever its extension; without
     * one, the extension decides, a directory's other files are skipped with a warning, and a
     * single file with another extension is an error.
     *
     * @throws ConfigException when the path does not exist, a file cannot be read or parsed, or a key
     *                         is unknown; the loader may then hold part of the layers and should be dropped
     */
    public ConfigLoader addPath(Path file, String format) {
        if (format != null && !format.equals("json") && !format.equals("hcl")) {
            throw new ConfigException("-config-format '" + format + "' must be json or hcl");
        }
        if (!Files.exists(file)) {
            throw new ConfigException("config path " + file + " does not exist");
        }
        if (Files.isDirectory(file)) {
            List<Path> files = new ArrayList<>();
            try (Stream<Path> s = Files.list(file)) {
                // Name order, as Consul merges a directory; sub-directories are not descended into.
                s.filter(p -> !Files.isDirectory(p)).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new ConfigException("cannot list config directory " + file + ": " + e.getMessage(), e);
            }
            for (Path f : files) {
                String fmt = format != null ? format : ConfigFiles.formatOf(f);
                if (fmt == null) {
                    warnings.add("skipping config file " + f + ": its extension is neither .json nor .hcl");
                    continue;
                }
                addFile(f, fmt);
            }
            return this;
        }
        String fmt = format != null ? format : ConfigFiles.formatOf(file);
        if (fmt == null) {
            throw new ConfigException("config file " + file + ": cannot tell its format from the extension; name it "
                    + "*.json or *.hcl, or pass -config-format json|hcl");
        }
        return addFile(file, fmt);
    }

    private ConfigLoader addFile(Path file, String format) {
        ConfigFiles.Parsed p = ConfigFiles.read(file, format);
        String source = "config file " + file;
        texts.put(source, p.text());
        return add(p.layer(), source);
    }

    /**
     * keys feature: one config file read as the loader reads it (HCL through hcl4j, whole numbers as
     * integers, repeated blocks as lists), without merging or validating keys: for commands that
     * take Consul's service definition files ({@code tribune services register}).
     *
     * @param format "json", "hcl", or null to tell by the extension
     * @throws ConfigException naming the file (and line, for syntax errors) when it is missing,
     *                         unreadable, larger than 1 MiB, of another extension, or not valid
     */
    public static JsonObject readFile(Path file, String format) {
        String fmt = format != null ? format : ConfigFiles.formatOf(file);
        if (fmt == null) {
            throw new ConfigException("config file " + file + ": cannot tell its format from the extension; name it "
                    + "*.json or *.hcl");
        }
        return ConfigFiles.read(file, fmt).layer();
    }

    /** Adds an HCL fragment of the command line ({@code -hcl 'key = value'}), after the files. */
    public ConfigLoader addHcl(String fragment) {
        String source = "-hcl fragment";
        texts.put(source, fragment);
        return add(ConfigFiles.parse(fragment, "hcl", source), source);
    }

    /**
     * What was accepted but deserves a word, in the order met: skipped files of a directory, keys
     * Consul has that are ignored here. The caller logs them (agent) or prints them (validate).
     */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Adds one layer; {@code source} names it in error messages. */
    public ConfigLoader add(JsonObject layer, String source) {
        for (Map.Entry<String, JsonElement> e : layer.entrySet()) {
            String k = e.getKey();
            if (IGNORED.contains(k)) {
                warnings.add("configuration key '" + k + "' in " + source + " has no meaning in Tribune and is ignored");
                continue;
            }
            if (!KEYS.contains(k)) {
                int line = ConfigFiles.lineOf(texts.get(source), k);
                throw new ConfigException("unknown configuration key '" + k + "' in " + source
                        + (line > 0 ? " (line " + line + ")" : ""));
            }
            origin.put(k, source);
            JsonElement v = e.getValue();
            if (k.equals("services") || k.equals("service") || k.equals("checks") || k.equals("check")) {
                boolean svc = k.startsWith("service");
                JsonArray target = svc ? services : checks;
                String plural = svc ? "services" : "checks";
                List<JsonElement> items = new ArrayList<>();
                if (v.isJsonArray() && k.endsWith("s")) {
                    v.getAsJsonArray().forEach(items::add);
                } else if (v.isJsonObject() && !k.endsWith("s")) {
                    items.add(v);
                } else {
                    // HCL gives repeated blocks (service { } service { }) as a list under the singular key.
                    if (v.isJsonArray() && !k.endsWith("s")) {
                        v.getAsJsonArray().forEach(items::add);
                    } else {
                        throw new ConfigException("configuration key '" + k + "' in " + source + " must be "
                                + (k.endsWith("s") ? "an array of objects" : "an object"));
                    }
                }
                for (JsonElement item : items) {
                    if (!item.isJsonObject()) {
                        throw new ConfigException(plural + "[" + target.size() + "] in " + source
                                + " must be an object");
                    }
                    if (target.size() >= MAX_DEFINITIONS) {
                        throw new ConfigException("more than " + MAX_DEFINITIONS + " " + plural + " in the config");
                    }
                    target.add(item);
                }
                continue;
            }
            if ((k.equals("ports") || k.equals("plugins") || k.equals("plugin_config") || k.equals("performance")
                    || k.equals("limits") || k.equals("dns_config") || k.equals("acl") || k.equals("node_meta")
                    || k.equals("telemetry") || k.equals("addresses") || k.equals("http_config"))) {
                if (v.isJsonArray() && v.getAsJsonArray().size() == 1 && v.getAsJsonArray().get(0).isJsonObject()) {
                    // hcl4j may give a block written once as a one-element list.
                    v = v.getAsJsonArray().get(0);
                }
                if (!v.isJsonObject()) {
                    throw new ConfigException("configuration key '" + k + "' in " + source + " must be an object");
                }
                JsonObject target = merged.has(k) ? merged.getAsJsonObject(k) : new JsonObject();
                for (Map.Entry<String, JsonElement> sub : v.getAsJsonObject().entrySet()) {
                    if (k.equals("ports") && !PORT_KEYS.contains(sub.getKey())) {
                        throw new ConfigException("unknown port '" + sub.getKey() + "' in " + source
                                + "; expected one of " + new java.util.TreeSet<>(PORT_KEYS));
                    }
                    if (k.equals("addresses") && !ConfigKeys.ADDRESS_KEYS.contains(sub.getKey())) {
                        int line = ConfigFiles.lineOfPath(texts.get(source), "addresses", sub.getKey());
                        throw new ConfigException("unknown key 'addresses." + sub.getKey() + "' in " + source
                                + (line > 0 ? " (line " + line + ")" : "") + "; expected one of "
                                + ConfigKeys.ADDRESS_KEYS);
                    }
                    target.add(sub.getKey(), sub.getValue());
                }
                merged.add(k, target);
            } else {
                merged.add(k, v);
            }
        }
        return this;
    }

    /** Validates the merged layers and applies defaults. */
    public AgentConfig build() {
        boolean dev = bool("dev", false);
        String node = str("node_name", null);
        if (node == null) {
            node = hostname();
        }
        if (!node.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
            throw new ConfigException("node_name '" + node + "' must be letters, digits, '-', '_' or '.', at most 128");
        }
        String dc = str("datacenter", "dc1").toLowerCase(Locale.ROOT);
        if (!dc.matches("[a-z0-9][a-z0-9_-]{0,63}")) {
            throw new ConfigException("datacenter '" + dc + "' must be letters, digits, '-' or '_'");
        }
        boolean server = bool("server", dev);
        boolean bootstrap = bool("bootstrap", dev);
        int expect = integer("bootstrap_expect", 0);
        if (expect < 0) {
            throw new ConfigException("bootstrap_expect must not be negative" + where("bootstrap_expect"));
        }
        if (expect > 0 && dev) {
            // Consul's wording; -dev implies bootstrap, which would otherwise give the message below.
            throw new ConfigException("'bootstrap_expect > 0' not allowed in dev mode" + where("bootstrap_expect"));
        }
        if ((expect > 0 || bootstrap) && !server) {
            throw new ConfigException("bootstrap and bootstrap_expect need server mode (-server)");
        }
        if (bootstrap && expect > 0) {
            throw new ConfigException("'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive");
        }
        Optional<Path> dataDir = Optional.ofNullable(str("data_dir", null)).map(Path::of);
        if (!dev && dataDir.isEmpty()) {
            throw new ConfigException("data_dir (-data-dir) is required unless -dev is set");
        }
        String bind = str("bind_addr", dev ? "127.0.0.1" : "0.0.0.0");
        String client = str("client_addr", "127.0.0.1");
        String advertise = str("advertise_addr", bind.equals("0.0.0.0") ? hostAddress() : bind);
        AgentConfig.Ports ports = ports();
        Duration retryInterval = duration("retry_interval", Duration.ofSeconds(30));
        Map<SpiKind, String> plugins = new EnumMap<>(SpiKind.class);
        if (merged.has("plugins")) {
            for (Map.Entry<String, JsonElement> e : merged.getAsJsonObject("plugins").entrySet()) {
                SpiKind kind;
                try {
                    kind = SpiKind.fromKey(e.getKey());
                } catch (IllegalArgumentException ex) {
                    throw new ConfigException("plugins: " + ex.getMessage());
                }
                plugins.put(kind, primitive("plugins." + e.getKey(), e.getValue()).getAsString());
            }
        }
        Map<String, String> pluginProps = new TreeMap<>();
        if (merged.has("plugin_config")) {
            for (Map.Entry<String, JsonElement> e : merged.getAsJsonObject("plugin_config").entrySet()) {
                pluginProps.put(e.getKey(), primitive("plugin_config." + e.getKey(), e.getValue()).getAsString());
            }
        }
        dnsSettings(pluginProps);
        wanSettings(pluginProps, server && !dev, ports);
        coordinateSettings(pluginProps);
        aclSettings(pluginProps);
        configFeatureSettings(pluginProps, ports, dev);
        keysFeatureSettings(pluginProps, server, dev);
        // web UI (docs/ui.md): read by the HTTP module as ui.enabled
        pluginProps.put("ui.enabled", Boolean.toString(bool("ui", dev)));
        logSettings(pluginProps);
        autopilotSettings(pluginProps);
        if (merged.has("telemetry")) {
            io.tribune.agent.metrics.TelemetrySettings.toProperties(merged.getAsJsonObject("telemetry"), pluginProps);
        }
        if (merged.has("performance")) {
            JsonObject perf = merged.getAsJsonObject("performance");
            if (perf.has("raft_multiplier")) {
                int m = primitive("performance.raft_multiplier", perf.get("raft_multiplier")).getAsInt();
                if (m < 1 || m > 10) {
                    throw new ConfigException("performance.raft_multiplier must be between 1 and 10, got " + m);
                }
                pluginProps.putIfAbsent("raft.multiplier", Integer.toString(m));
            }
            if (perf.has("rpc_hold_timeout")) {
                // Consul's key; the forwarder reads it as rpc.hold-timeout.
                String v = primitive("performance.rpc_hold_timeout", perf.get("rpc_hold_timeout")).getAsString();
                Duration d;
                try {
                    d = PluginConfig.parseDuration(v);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("performance.rpc_hold_timeout: " + e.getMessage());
                }
                if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofMinutes(10)) > 0) {
                    throw new ConfigException("performance.rpc_hold_timeout must be more than 0 and at most 10m, got "
                            + v);
                }
                pluginProps.putIfAbsent("rpc.hold-timeout", v);
            }
        }
        if (merged.has("limits") && merged.getAsJsonObject("limits").has("http_max_conns_per_client")) {
            // Consul's key (default 200, 0: no limit); the HTTP front end reads it as http.max-conns-per-client.
            JsonElement v = merged.getAsJsonObject("limits").get("http_max_conns_per_client");
            long n;
            try {
                // Whole numbers only: Gson would read 1.5 as 1.
                n = Long.parseLong(primitive("limits.http_max_conns_per_client", v).getAsString());
            } catch (NumberFormatException e) {
                throw new ConfigException("limits.http_max_conns_per_client must be a number, got " + v);
            }
            if (n < 0 || n > 1_000_000) {
                throw new ConfigException("limits.http_max_conns_per_client must be between 0 (no limit) and "
                        + "1000000, got " + n);
            }
            pluginProps.putIfAbsent("http.max-conns-per-client", Long.toString(n));
        }
        String logLevel = str("log_level", "info").toLowerCase(Locale.ROOT);
        if (!Set.of("trace", "debug", "info", "warn", "err", "error").contains(logLevel)) {
            throw new ConfigException("log_level '" + logLevel + "' must be trace, debug, info, warn or err"
                    + where("log_level"));
        }
        Duration ae = duration("anti_entropy_interval", Duration.ofMinutes(1));
        if (ae.compareTo(Duration.ofSeconds(1)) < 0 || ae.compareTo(Duration.ofHours(24)) > 0) {
            throw new ConfigException("anti_entropy_interval must be between 1s and 24h, got " + ae);
        }
        Duration discoveryMaxStale = duration("discovery_max_stale", Duration.ZERO);
        if (discoveryMaxStale.isNegative()) {
            throw new ConfigException("discovery_max_stale must not be negative, got " + str("discovery_max_stale", ""));
        }
        List<String> svcDefs = new ArrayList<>();
        services.forEach(x -> svcDefs.add(x.toString()));
        List<String> checkDefs = new ArrayList<>();
        checks.forEach(x -> checkDefs.add(x.toString()));
        AgentConfig cfg = new AgentConfig(dev, node, dc, server, bootstrap, expect, dataDir, bind, client, advertise,
                ports, list("start_join"), list("retry_join"), retryInterval, integer("retry_max", 0), plugins,
                PluginConfig.of(pluginProps), bool("leave_on_terminate", dev || !server), logLevel,
                AgentConfig.Limits.DEFAULT, svcDefs, checkDefs, bool("enable_script_checks", false), ae, tls(dc),
                discoveryMaxStale);
        // Read the definitions now, as the agent will at start, so a bad one stops startup with its key.
        ConfigServices.validate(cfg);
        return cfg;
    }

    /**
     * TLS for server RPC, as Consul's keys: ca_file, cert_file and key_file together turn it on;
     * verify_server_hostname expects server certificates named {@code server.<dc>.<domain>}.
     */
    private Optional<io.tribune.api.transport.TransportSetup.Tls> tls(String dc) {
        String ca = str("ca_file", null);
        String cert = str("cert_file", null);
        String key = str("key_file", null);
        boolean vin = bool("verify_incoming", false);
        boolean vout = bool("verify_outgoing", false);
        boolean vhost = bool("verify_server_hostname", false);
        String domain = str("domain", "consul");
        if (!domain.matches("[A-Za-z0-9][A-Za-z0-9.-]{0,252}")) {
            throw new ConfigException("domain '" + domain + "' is not a DNS domain");
        }
        if (ca == null && cert == null && key == null) {
            if (vin || vout || vhost) {
                throw new ConfigException("verify_incoming, verify_outgoing and verify_server_hostname need ca_file, "
                        + "cert_file and key_file");
            }
            return Optional.empty();
        }
        if (ca == null && cert != null && key != null && !vin && !vout && !vhost && httpsPort() >= 0) {
            // cert_file and key_file alone serve HTTPS (as in Consul); server RPC TLS needs the CA too.
            return Optional.empty();
        }
        if (ca == null || cert == null || key == null) {
            throw new ConfigException("TLS needs ca_file, cert_file and key_file together");
        }
        for (String[] f : new String[][] {{"ca_file", ca}, {"cert_file", cert}, {"key_file", key}}) {
            if (!Files.isReadable(Path.of(f[1]))) {
                throw new ConfigException(f[0] + " '" + f[1] + "' is not a readable file");
            }
        }
        if (vhost && !vout) {
            throw new ConfigException("verify_server_hostname needs verify_outgoing");
        }
        return Optional.of(new io.tribune.api.transport.TransportSetup.Tls(Path.of(ca), Path.of(cert), Path.of(key),
                vin, vout, vhost, "server." + dc + "." + domain));
    }

    /** {@code ports.https}, or -1 when not set (Consul's default: no HTTPS listener; 0: an ephemeral port). */
    private int httpsPort() {
        return merged.has("ports") ? port(merged.getAsJsonObject("ports"), "https", -1) : -1;
    }

    /**
     * The keys of the config feature as agent properties ({@link ConfigKeys}): {@code encrypt} (the
     * gossip key of the LAN and WAN pools), {@code pid_file}, {@code node_meta},
     * {@code rejoin_after_leave}, and the HTTPS listener ({@code ports.https} with {@code cert_file},
     * {@code key_file}, {@code ca_file}, {@code verify_incoming_https}).
     */
    private void configFeatureSettings(Map<String, String> props, AgentConfig.Ports ports, boolean dev) {
        String encrypt = str("encrypt", null);
        if (encrypt != null) {
            byte[] k;
            try {
                k = java.util.Base64.getDecoder().decode(encrypt.strip());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("encrypt: the key is not base64 (make one with 'tribune keygen')"
                        + where("encrypt"));
            }
            if (k.length != 16 && k.length != 24 && k.length != 32) {
                throw new ConfigException("encrypt: the key must be 16, 24 or 32 bytes once decoded, got " + k.length
                        + where("encrypt"));
            }
            // The WAN pool takes the LAN pool's gossip-swim keys unless gossip-swim.wan.encrypt is set
            // (WanSettings); an explicit -plugin-config gossip-swim.encrypt wins over this key.
            props.putIfAbsent(ConfigKeys.GOSSIP_ENCRYPT, encrypt.strip());
        }
        String pid = str("pid_file", null);
        if (pid != null) {
            if (pid.isBlank()) {
                throw new ConfigException("pid_file must not be empty" + where("pid_file"));
            }
            props.put(ConfigKeys.PID_FILE, pid);
        }
        if (merged.has("node_meta")) {
            JsonObject meta = merged.getAsJsonObject("node_meta");
            if (meta.size() > ConfigKeys.MAX_NODE_META) {
                throw new ConfigException("node_meta has " + meta.size() + " pairs; at most "
                        + ConfigKeys.MAX_NODE_META + where("node_meta"));
            }
            for (Map.Entry<String, JsonElement> e : meta.entrySet()) {
                String v = primitive("node_meta." + e.getKey(), e.getValue()).getAsString();
                String problem = ConfigKeys.nodeMetaProblem(e.getKey(), v);
                if (problem != null) {
                    throw new ConfigException("node_meta: " + problem + where("node_meta"));
                }
                props.put(ConfigKeys.NODE_META_PREFIX + e.getKey(), v);
            }
        }
        if (bool("rejoin_after_leave", false)) {
            // Consul rejoins the members of its serf snapshot; gossip-swim keeps none, so the
            // flag changes nothing here: say so rather than pretend.
            warnings.add("rejoin_after_leave (-rejoin) has no effect in Tribune: the gossip pool keeps no snapshot of "
                    + "members; use retry_join (-retry-join) to rejoin after a restart");
        }
        int https = httpsPort();
        boolean verifyHttps = bool("verify_incoming_https", false);
        if (https >= 0) {
            // 0 asks for an ephemeral port (tests), as for the other listeners.
            String cert = str("cert_file", null);
            String key = str("key_file", null);
            if (cert == null || key == null) {
                throw new ConfigException("ports.https needs cert_file and key_file" + where("ports"));
            }
            for (String[] f : new String[][] {{"cert_file", cert}, {"key_file", key}}) {
                if (!Files.isReadable(Path.of(f[1]))) {
                    throw new ConfigException(f[0] + " '" + f[1] + "' is not a readable file" + where(f[0]));
                }
            }
            String ca = str("ca_file", null);
            if (verifyHttps && ca == null) {
                throw new ConfigException("verify_incoming_https needs ca_file" + where("verify_incoming_https"));
            }
            if (https > 0 && List.of(ports.http(), ports.dns(), ports.grpc()).contains(https)) {
                throw new ConfigException("ports.https " + https + " is already used by another listener"
                        + where("ports"));
            }
            props.put(ConfigKeys.HTTPS_PORT, Integer.toString(https));
            props.put(ConfigKeys.HTTPS_CERT, cert);
            props.put(ConfigKeys.HTTPS_KEY, key);
            if (ca != null) {
                props.put(ConfigKeys.HTTPS_CA, ca);
            }
            props.put(ConfigKeys.HTTPS_VERIFY_INCOMING, Boolean.toString(verifyHttps));
        } else if (verifyHttps) {
            throw new ConfigException("verify_incoming_https needs an HTTPS listener (ports.https)"
                    + where("verify_incoming_https"));
        }
    }

    /**
     * The keys feature's keys as agent properties ({@link ConfigKeys}): {@code node_id} (a UUID,
     * lower-cased), {@code addresses.{http,https,dns,grpc}} (one IP address each, overriding
     * {@code client_addr} for that listener), {@code advertise_addr_wan} (an IP address),
     * {@code skip_leave_on_interrupt} (default: true for servers, false for clients and -dev, as
     * Consul) and {@code http_config.response_headers}. Every bad value names the key, the file and
     * the line.
     */
    private void keysFeatureSettings(Map<String, String> props, boolean server, boolean dev) {
        String nodeId = str("node_id", null);
        if (nodeId != null) {
            String problem = ConfigKeys.nodeIdProblem(nodeId);
            if (problem != null) {
                throw new ConfigException("node_id: " + problem + where("node_id"));
            }
            props.put(ConfigKeys.NODE_ID, nodeId.strip().toLowerCase(Locale.ROOT));
        }
        if (merged.has("addresses")) {
            for (Map.Entry<String, JsonElement> e : merged.getAsJsonObject("addresses").entrySet()) {
                String key = "addresses." + e.getKey();
                String v = primitive(key, e.getValue()).getAsString().strip();
                String problem = ConfigKeys.addressProblem(v);
                if (problem != null) {
                    throw new ConfigException(key + ": " + problem + where(key));
                }
                props.put(ConfigKeys.ADDRESS_PREFIX + e.getKey(), v);
            }
        }
        String wan = str("advertise_addr_wan", null);
        if (wan != null) {
            String problem = ConfigKeys.addressProblem(wan.strip());
            if (problem != null) {
                throw new ConfigException("advertise_addr_wan: " + problem + where("advertise_addr_wan"));
            }
            if (ConfigKeys.isWildcard(wan.strip())) {
                throw new ConfigException("advertise_addr_wan: '" + wan.strip() + "' reaches no one; advertise an "
                        + "address other datacenters can reach" + where("advertise_addr_wan"));
            }
            props.put(ConfigKeys.ADVERTISE_WAN, wan.strip());
        }
        // Consul's defaults: a server stays in the cluster on Ctrl-C, a client leaves; -dev leaves
        // (a throw-away agent: Tribune's choice, so that Ctrl-C on a dev agent is clean).
        props.put(ConfigKeys.SKIP_LEAVE_ON_INTERRUPT, Boolean.toString(bool("skip_leave_on_interrupt", server && !dev)));
        if (merged.has("http_config")) {
            for (Map.Entry<String, JsonElement> e : merged.getAsJsonObject("http_config").entrySet()) {
                String key = "http_config." + e.getKey();
                if (!e.getKey().equals("response_headers")) {
                    throw new ConfigException("configuration key '" + key + "' is not supported; http_config takes "
                            + "response_headers only" + where(key));
                }
                JsonElement v = e.getValue();
                if (v.isJsonArray() && v.getAsJsonArray().size() == 1 && v.getAsJsonArray().get(0).isJsonObject()) {
                    v = v.getAsJsonArray().get(0);   // hcl4j's one-element list for a block
                }
                if (!v.isJsonObject()) {
                    throw new ConfigException("configuration key '" + key + "' must be an object of header names "
                            + "and values" + where(key));
                }
                if (v.getAsJsonObject().size() > ConfigKeys.MAX_RESPONSE_HEADERS) {
                    throw new ConfigException(key + " has " + v.getAsJsonObject().size() + " headers; at most "
                            + ConfigKeys.MAX_RESPONSE_HEADERS + where(key));
                }
                for (Map.Entry<String, JsonElement> h : v.getAsJsonObject().entrySet()) {
                    String value = primitive(key + "." + h.getKey(), h.getValue()).getAsString();
                    String problem = ConfigKeys.headerProblem(h.getKey(), value);
                    if (problem != null) {
                        throw new ConfigException(key + ": " + problem + where(key + "." + h.getKey()));
                    }
                    props.put(ConfigKeys.RESPONSE_HEADER_PREFIX + h.getKey(), value);
                }
            }
        }
    }

    /** Consul's ACL keys as {@code acl.*} properties ({@link io.tribune.agent.acl.AclSettings}). */
    private void aclSettings(Map<String, String> props) {
        Map<String, String> acl = new TreeMap<>();
        if (merged.has("acl")) {
            for (Map.Entry<String, JsonElement> e : merged.getAsJsonObject("acl").entrySet()) {
                if (e.getKey().equals("tokens") && e.getValue().isJsonObject()) {
                    for (Map.Entry<String, JsonElement> t : e.getValue().getAsJsonObject().entrySet()) {
                        acl.put("tokens." + t.getKey(), primitive("acl.tokens." + t.getKey(), t.getValue()).getAsString());
                    }
                } else {
                    acl.put(e.getKey(), primitive("acl." + e.getKey(), e.getValue()).getAsString());
                }
            }
        }
        io.tribune.agent.acl.AclSettings.toProperties(k -> merged.has(k) ? primitive(k, merged.get(k)).getAsString()
                : null, acl, props);
    }

    /**
     * Consul's WAN join keys ({@code start_join_wan}, {@code retry_join_wan}, {@code retry_interval_wan},
     * {@code retry_max_wan}) as {@code wan.*} properties ({@link WanSettings}). Only a server outside
     * {@code -dev} with a WAN port has a WAN pool, so joins anywhere else are refused here.
     */
    private void wanSettings(Map<String, String> props, boolean hasWanPool, AgentConfig.Ports ports) {
        WanSettings w;
        try {
            w = new WanSettings(list("start_join_wan"), list("retry_join_wan"),
                    duration("retry_interval_wan", WanSettings.DEFAULT_RETRY_INTERVAL), integer("retry_max_wan", 0));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        if (w.joins() && (!hasWanPool || ports.serfWan() < 0)) {
            throw new ConfigException("start_join_wan and retry_join_wan (-join-wan, -retry-join-wan) need a WAN pool: "
                    + "only a server outside -dev mode with ports.serf_wan enabled has one");
        }
        props.putAll(w.asProperties());
    }

    /** Consul's {@code log_*} file keys as {@code log.*} properties ({@link io.tribune.agent.observe.LogSettings}). */
    private void logSettings(Map<String, String> props) {
        String file = str("log_file", null);
        long bytes;
        try {
            bytes = Long.parseLong(str("log_rotate_bytes", "0").trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("configuration key 'log_rotate_bytes' must be a whole number, got "
                    + merged.get("log_rotate_bytes"));
        }
        try {
            props.putAll(new io.tribune.agent.observe.LogSettings(
                    file == null || file.isEmpty() ? Optional.empty() : Optional.of(file), bytes,
                    duration("log_rotate_duration", io.tribune.agent.observe.RotatingLogFile.DEFAULT_ROTATE_DURATION),
                    integer("log_rotate_max_files", 0), bool("log_json", false)).asProperties());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /**
     * Consul's {@code autopilot} object ({@code cleanup_dead_servers}, {@code last_contact_threshold},
     * {@code max_trailing_logs}, {@code server_stabilization_time}) as {@code autopilot.*} properties: the
     * configuration the leader uses until an operator stores one through the API.
     */
    private void autopilotSettings(Map<String, String> props) {
        JsonElement e = merged.get("autopilot");
        if (e == null || e.isJsonNull()) {
            return;
        }
        if (!e.isJsonObject()) {
            throw new ConfigException("configuration key 'autopilot' must be an object");
        }
        Map<String, String> names = Map.of("cleanup_dead_servers", "autopilot.cleanup-dead-servers",
                "last_contact_threshold", "autopilot.last-contact-threshold", "max_trailing_logs",
                "autopilot.max-trailing-logs", "server_stabilization_time", "autopilot.server-stabilization-time");
        for (Map.Entry<String, JsonElement> sub : e.getAsJsonObject().entrySet()) {
            String prop = names.get(sub.getKey());
            if (prop == null) {
                throw new ConfigException("unknown key 'autopilot." + sub.getKey() + "'; expected one of "
                        + new java.util.TreeSet<>(names.keySet()));
            }
            props.put(prop, primitive("autopilot." + sub.getKey(), sub.getValue()).getAsString());
        }
    }

    /** Consul's {@code coordinate_update_*} keys as {@code coordinate.*} properties ({@link CoordinateSettings}). */
    private void coordinateSettings(Map<String, String> props) {
        try {
            props.putAll(new CoordinateSettings(duration("coordinate_update_period",
                    CoordinateSettings.DEFAULT.updatePeriod()), integer("coordinate_update_batch_size",
                    CoordinateSettings.DEFAULT.batchSize()), integer("coordinate_update_max_batches",
                    CoordinateSettings.DEFAULT.maxBatches())).asProperties());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /**
     * Consul's DNS keys ({@code domain}, {@code recursors}, {@code dns_config.node_ttl},
     * {@code service_ttl}, {@code only_passing}, {@code recursor_timeout}) as {@code dns.*} properties
     * for the DNS interface, which validates them again at start.
     */
    private void dnsSettings(Map<String, String> props) {
        String domain = str("domain", null);
        if (domain != null) {
            props.put("dns.domain", domain);
        }
        List<String> recursors = list("recursors");
        if (!recursors.isEmpty()) {
            props.put("dns.recursors", String.join(",", recursors));
        }
        if (!merged.has("dns_config")) {
            return;
        }
        for (Map.Entry<String, JsonElement> e : merged.getAsJsonObject("dns_config").entrySet()) {
            String v = primitive("dns_config." + e.getKey(), e.getValue()).getAsString();
            switch (e.getKey()) {
                case "node_ttl" -> props.put("dns.node-ttl", Long.toString(dnsDuration(e.getKey(), v).toSeconds()));
                case "service_ttl" -> props.put("dns.service-ttl",
                        Long.toString(dnsDuration(e.getKey(), v).toSeconds()));
                case "recursor_timeout" -> props.put("dns.recursor-timeout-ms",
                        Long.toString(dnsDuration(e.getKey(), v).toMillis()));
                case "only_passing" -> {
                    if (!v.equals("true") && !v.equals("false")) {
                        throw new ConfigException("dns_config.only_passing must be true or false, got '" + v + "'");
                    }
                    props.put("dns.only-passing", v);
                }
                default -> throw new ConfigException("unknown key 'dns_config." + e.getKey()
                        + "'; expected node_ttl, service_ttl, only_passing or recursor_timeout");
            }
        }
    }

    private static Duration dnsDuration(String key, String v) {
        try {
            Duration d = PluginConfig.parseDuration(v);
            if (d.isNegative()) {
                throw new ConfigException("dns_config." + key + " must not be negative");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("dns_config." + key + ": " + e.getMessage());
        }
    }

    private AgentConfig.Ports ports() {
        AgentConfig.Ports d = AgentConfig.Ports.DEFAULT;
        if (!merged.has("ports")) {
            return d;
        }
        JsonObject p = merged.getAsJsonObject("ports");
        return new AgentConfig.Ports(port(p, "http", d.http()), port(p, "dns", d.dns()), port(p, "grpc", d.grpc()),
                port(p, "server", d.server()), port(p, "serf_lan", d.serfLan()), port(p, "serf_wan", d.serfWan()));
    }

    private int port(JsonObject p, String key, int def) {
        if (!p.has(key)) {
            return def;
        }
        int v;
        try {
            v = primitive("ports." + key, p.get(key)).getAsInt();
        } catch (NumberFormatException e) {
            throw new ConfigException("ports." + key + " must be a whole number" + where("ports"));
        }
        if (v < -1 || v > 65535) {
            throw new ConfigException("ports." + key + " = " + v + " is outside 0..65535 (-1 disables)" + where("ports"));
        }
        return v;
    }

    private JsonPrimitive primitive(String key, JsonElement e) {
        if (e == null || !e.isJsonPrimitive()) {
            throw new ConfigException("configuration key '" + key + "' must be a string, number or boolean"
                    + where(key));
        }
        return e.getAsJsonPrimitive();
    }

    /**
     * " (in config file X, line N)" for the layer that set the top-level key of {@code key}, or "";
     * the line is that of the innermost part of a dotted key that can be found in the file's text.
     */
    private String where(String key) {
        String[] parts = key.split("[.\\[]");
        String src = origin.get(parts[0]);
        if (src == null) {
            return "";
        }
        int line = ConfigFiles.lineOfPath(texts.get(src), parts);
        return " (in " + src + (line > 0 ? ", line " + line : "") + ")";
    }

    private String str(String key, String def) {
        JsonElement e = merged.get(key);
        return e == null || e.isJsonNull() ? def : primitive(key, e).getAsString();
    }

    private boolean bool(String key, boolean def) {
        JsonElement e = merged.get(key);
        if (e == null || e.isJsonNull()) {
            return def;
        }
        JsonPrimitive p = primitive(key, e);
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        String s = p.getAsString();
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new ConfigException("configuration key '" + key + "' must be true or false, got '" + s + "'"
                + where(key));
    }

    private int integer(String key, int def) {
        JsonElement e = merged.get(key);
        if (e == null || e.isJsonNull()) {
            return def;
        }
        try {
            return Integer.parseInt(primitive(key, e).getAsString().trim());
        } catch (NumberFormatException ex) {
            throw new ConfigException("configuration key '" + key + "' must be a whole number, got " + e + where(key));
        }
    }

    private Duration duration(String key, Duration def) {
        String s = str(key, null);
        if (s == null) {
            return def;
        }
        try {
            return PluginConfig.parseDuration(s);
        } catch (IllegalArgumentException ex) {
            throw new ConfigException("configuration key '" + key + "': " + ex.getMessage() + where(key));
        }
    }

    private List<String> list(String key) {
        JsonElement e = merged.get(key);
        if (e == null || e.isJsonNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            for (JsonElement x : a) {
                out.add(primitive(key, x).getAsString());
            }
        } else {
            out.add(primitive(key, e).getAsString());
        }
        return out;
    }

    private static String hostname() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            int dot = h.indexOf('.');
            return dot > 0 ? h.substring(0, dot) : h;
        } catch (UnknownHostException e) {
            return "tribune";
        }
    }

    private static String hostAddress() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}

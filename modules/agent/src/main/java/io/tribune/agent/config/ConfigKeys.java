package io.tribune.agent.config;

import io.tribune.api.PluginConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Agent properties that {@link ConfigLoader} derives from Consul's keys {@code encrypt},
 * {@code pid_file}, {@code node_meta} and the HTTPS listener ({@code ports.https},
 * {@code cert_file}, {@code key_file}, {@code ca_file}, {@code verify_incoming_https}), and the
 * readers of them. They travel in {@link AgentConfig#pluginConfig()} like the other derived
 * settings ({@code dns.*}, {@code wan.*}), so that the configuration record keeps its shape.
 *
 * <p>Stateless; the readers are thread-safe.
 */
public final class ConfigKeys {
    /** The gossip plugin's key that {@code encrypt} sets (LAN pool, and the WAN pool unless it has its own). */
    public static final String GOSSIP_ENCRYPT = "gossip-swim.encrypt";
    /** Where the agent writes its process id at start (removed at exit). */
    public static final String PID_FILE = "agent.pid-file";
    /** Prefix of the node's metadata pairs ({@code agent.node-meta.rack = r1}). */
    public static final String NODE_META_PREFIX = "agent.node-meta.";
    /** The HTTPS listener's port; absent: no HTTPS listener. */
    public static final String HTTPS_PORT = "http.https-port";
    /** PEM certificate chain of the HTTPS listener. */
    public static final String HTTPS_CERT = "http.https-cert-file";
    /** PEM private key (PKCS#8) of the HTTPS listener. */
    public static final String HTTPS_KEY = "http.https-key-file";
    /** PEM CA certificates that client certificates must chain to. */
    public static final String HTTPS_CA = "http.https-ca-file";
    /** "true": HTTPS clients must present a certificate signed by {@link #HTTPS_CA}. */
    public static final String HTTPS_VERIFY_INCOMING = "http.https-verify-incoming";
    /** Most node metadata pairs, as Consul ({@code metaMaxKeyPairs}). */
    public static final int MAX_NODE_META = 64;
    private static final int MAX_META_KEY = 128;
    private static final int MAX_META_VALUE = 512;

    private ConfigKeys() {
    }

    /**
     * Why a node metadata pair is refused, or null when it is fine: keys are letters, digits,
     * {@code _} and {@code -} up to 128 characters and may not start with the reserved
     * {@code consul-}; values are at most 512 characters (Consul's limits).
     */
    public static String nodeMetaProblem(String key, String value) {
        if (key.isEmpty() || key.length() > MAX_META_KEY || !key.matches("[A-Za-z0-9_-]+")) {
            return "key '" + abbreviate(key) + "' must be 1 to " + MAX_META_KEY + " letters, digits, '_' or '-'";
        }
        if (key.startsWith("consul-")) {
            return "key '" + key + "' uses the reserved prefix 'consul-'";
        }
        if (value.length() > MAX_META_VALUE) {
            return "the value of '" + key + "' is longer than " + MAX_META_VALUE + " characters";
        }
        return null;
    }

    /** The node's metadata ({@code node_meta}, {@code -node-meta}), sorted by key. */
    public static Map<String, String> nodeMeta(AgentConfig config) {
        Map<String, String> out = new TreeMap<>();
        config.pluginConfig().asMap().forEach((k, v) -> {
            if (k.startsWith(NODE_META_PREFIX)) {
                out.put(k.substring(NODE_META_PREFIX.length()), v);
            }
        });
        return out;
    }

    /** The pid file ({@code pid_file}, {@code -pid-file}), if set. */
    public static Optional<Path> pidFile(AgentConfig config) {
        String p = config.pluginConfig().getString(PID_FILE, "");
        return p.isEmpty() ? Optional.empty() : Optional.of(Path.of(p));
    }

    /**
     * The HTTPS listener's settings, if {@code ports.https} is set.
     *
     * @param port           the port
     * @param certFile       PEM certificate chain
     * @param keyFile        PEM private key
     * @param caFile         PEM CA for client certificates, if set
     * @param verifyIncoming whether a client certificate is required
     */
    public record Https(int port, Path certFile, Path keyFile, Optional<Path> caFile, boolean verifyIncoming) {
    }

    /** The HTTPS listener of {@code props} (an agent's plugin config), if one is configured. */
    public static Optional<Https> https(PluginConfig props) {
        String port = props.getString(HTTPS_PORT, "");
        if (port.isEmpty()) {
            return Optional.empty();
        }
        String ca = props.getString(HTTPS_CA, "");
        return Optional.of(new Https(Integer.parseInt(port), Path.of(props.getString(HTTPS_CERT, "")),
                Path.of(props.getString(HTTPS_KEY, "")), ca.isEmpty() ? Optional.empty() : Optional.of(Path.of(ca)),
                Boolean.parseBoolean(props.getString(HTTPS_VERIFY_INCOMING, "false"))));
    }

    // ---- keys feature: node_id, addresses.*, advertise_addr_wan, skip_leave_on_interrupt, http_config ----

    /** This node's ID from {@code node_id} (a lower-case UUID); absent: the data dir's, else derived. */
    public static final String NODE_ID = "agent.node-id";
    /** Prefix of a listener's own address ({@code addresses.http}, ...), overriding {@code client_addr}. */
    public static final String ADDRESS_PREFIX = "agent.address.";
    /** The listeners {@code addresses} may name, as Consul 1.4. */
    public static final java.util.SortedSet<String> ADDRESS_KEYS =
            java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(java.util.List.of("dns", "grpc",
                    "http", "https")));
    /** The address the WAN pool advertises ({@code advertise_addr_wan}); absent: {@code advertise_addr}. */
    public static final String ADVERTISE_WAN = "agent.advertise-addr-wan";
    /** "true": Ctrl-C (SIGINT) stops the agent without a graceful leave ({@code skip_leave_on_interrupt}). */
    public static final String SKIP_LEAVE_ON_INTERRUPT = "agent.skip-leave-on-interrupt";
    /** Prefix of a header the HTTP API adds to every response ({@code http_config.response_headers}). */
    public static final String RESPONSE_HEADER_PREFIX = "http.response-header.";
    /** Most response headers: a handful is the use (CORS, frame options); this bounds every response. */
    public static final int MAX_RESPONSE_HEADERS = 64;
    /** Longest response header value, in characters. */
    public static final int MAX_RESPONSE_HEADER_VALUE = 4096;
    /** The name of the file in the data directory that keeps this node's ID across restarts, as Consul's. */
    public static final String NODE_ID_FILE = "node-id";
    private static final java.util.regex.Pattern UUID_TEXT =
            java.util.regex.Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final java.util.regex.Pattern IPV4 =
            java.util.regex.Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    /** A header name: an RFC 9110 token. */
    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}");

    /**
     * Why {@code id} is not a node ID, or null when it is one: Consul's form, 36 hexadecimal
     * characters and dashes (8-4-4-4-12), any case.
     */
    public static String nodeIdProblem(String id) {
        String s = id.strip();
        if (!UUID_TEXT.matcher(s).matches()) {
            return "'" + abbreviate(s) + "' is not a UUID (36 characters like adf4238a-882b-9ddc-4a9d-5b6758e4159e)";
        }
        if (s.equals("00000000-0000-0000-0000-000000000000")) {
            return "the nil UUID cannot name a node";
        }
        return null;
    }

    /**
     * Why {@code address} cannot be a listener or advertise address, or null when it can: a single
     * IPv4 or IPv6 literal. Consul also takes several addresses, go-sockaddr templates and
     * {@code unix://} sockets there; Tribune refuses them rather than bind something else.
     */
    public static String addressProblem(String address) {
        String a = address.strip();
        if (a.isEmpty()) {
            return "the address is empty";
        }
        if (a.startsWith("unix://")) {
            return "unix sockets are not supported; give an IP address";
        }
        if (a.contains("{{")) {
            return "go-sockaddr templates are not supported; give an IP address";
        }
        if (a.contains(" ")) {
            return "'" + abbreviate(a) + "' holds several addresses; give one IP address";
        }
        if (IPV4.matcher(a).matches()) {
            return null;
        }
        if (a.contains(":") && a.matches("[0-9A-Fa-f:.]{2,45}")) {
            try {
                // An IPv6 literal: parsed without any name lookup since it holds only hex digits and colons.
                java.net.InetAddress.getByName(a);
                return null;
            } catch (java.net.UnknownHostException e) {
                // falls through
            }
        }
        return "'" + abbreviate(a) + "' is not an IP address";
    }

    /** Whether {@code address} is the any-address ({@code 0.0.0.0}, {@code ::}), which binds but reaches no one. */
    public static boolean isWildcard(String address) {
        String a = address.strip();
        return a.equals("0.0.0.0") || a.equals("::") || a.equals("[::]") || a.matches("0*:(0*:)*0*");
    }

    /** Why a response header is refused, or null: a token name, a value without control characters. */
    public static String headerProblem(String name, String value) {
        if (!TOKEN.matcher(name).matches()) {
            return "'" + abbreviate(name) + "' is not a header name";
        }
        if (value.length() > MAX_RESPONSE_HEADER_VALUE) {
            return "the value of '" + name + "' is longer than " + MAX_RESPONSE_HEADER_VALUE + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return "the value of '" + name + "' holds a control character";
            }
        }
        return null;
    }

    /**
     * Where {@code listener} ({@code http}, {@code https}, {@code dns} or {@code grpc}) binds: its
     * {@code addresses} entry, else {@code client_addr}.
     */
    public static String address(AgentConfig config, String listener) {
        if (!ADDRESS_KEYS.contains(listener)) {
            throw new IllegalArgumentException("no listener '" + listener + "'; expected one of " + ADDRESS_KEYS);
        }
        String a = config.pluginConfig().getString(ADDRESS_PREFIX + listener, "");
        return a.isEmpty() ? config.clientAddr() : a;
    }

    /** The address the WAN pool advertises: {@code advertise_addr_wan}, else {@code advertise_addr}. */
    public static String advertiseAddrWan(AgentConfig config) {
        String a = config.pluginConfig().getString(ADVERTISE_WAN, "");
        return a.isEmpty() ? config.advertiseAddr() : a;
    }

    /** The configured node ID ({@code node_id}), lower-case, if set. */
    public static Optional<String> nodeId(AgentConfig config) {
        String id = config.pluginConfig().getString(NODE_ID, "");
        return id.isEmpty() ? Optional.empty() : Optional.of(id);
    }

    /**
     * Whether a SIGINT (Ctrl-C) skips the graceful leave ({@code skip_leave_on_interrupt}): as
     * configured, else Consul's default, true for a server and false for a client (false in -dev).
     */
    public static boolean skipLeaveOnInterrupt(AgentConfig config) {
        String v = config.pluginConfig().getString(SKIP_LEAVE_ON_INTERRUPT, "");
        return v.isEmpty() ? config.server() && !config.dev() : Boolean.parseBoolean(v);
    }

    /** The headers the HTTP API adds to every response ({@code http_config.response_headers}), by name. */
    public static Map<String, String> responseHeaders(PluginConfig props) {
        Map<String, String> out = new TreeMap<>();
        props.asMap().forEach((k, v) -> {
            if (k.startsWith(RESPONSE_HEADER_PREFIX)) {
                out.put(k.substring(RESPONSE_HEADER_PREFIX.length()), v);
            }
        });
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}

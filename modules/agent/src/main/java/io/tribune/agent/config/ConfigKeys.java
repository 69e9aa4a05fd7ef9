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

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}

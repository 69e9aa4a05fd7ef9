package io.tribune.agent.config;

import io.tribune.api.PluginConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How a server joins the WAN pool, the gossip pool of every server of every datacenter (Consul's
 * {@code start_join_wan}, {@code retry_join_wan}, {@code retry_interval_wan}, {@code retry_max_wan};
 * flags {@code -join-wan}, {@code -retry-join-wan}, {@code -retry-interval-wan}, {@code -retry-max-wan}).
 *
 * <p>They travel inside {@link AgentConfig#pluginConfig()} under {@code wan.*} keys, as the DNS
 * settings travel under {@code dns.*}: {@link ConfigLoader} writes them there after validating the
 * Consul keys, and {@link #of(AgentConfig)} reads them back. The keys are:
 *
 * <table>
 * <caption>WAN keys in plugin_config</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code wan.start-join}</td><td>none</td><td>comma-separated addresses joined at start; a
 *     failure stops the agent</td></tr>
 * <tr><td>{@code wan.retry-join}</td><td>none</td><td>comma-separated addresses joined at start, retried
 *     until one answers</td></tr>
 * <tr><td>{@code wan.retry-interval}</td><td>30 s (Consul's)</td><td>time between two retries</td></tr>
 * <tr><td>{@code wan.retry-max}</td><td>0 (forever)</td><td>attempts before giving up</td></tr>
 * </table>
 *
 * <p>The membership plugin of the WAN pool gets the same {@code <plugin>.*} keys as the LAN pool (so
 * the same gossip encryption key and keyring), except that a key {@code <plugin>.wan.<name>} replaces
 * {@code <plugin>.<name>} for the WAN pool only ({@link #wanPluginConfig}): e.g.
 * {@code gossip-swim.wan.encrypt} gives the WAN pool a key of its own.
 *
 * @param startJoin     addresses joined at start
 * @param retryJoin     addresses joined at start, retried
 * @param retryInterval time between retries (positive)
 * @param retryMax      attempts before giving up (0: forever; not negative)
 */
public record WanSettings(List<String> startJoin, List<String> retryJoin, Duration retryInterval, int retryMax) {
    /** Prefix of the WAN keys in the plugin configuration. */
    public static final String PREFIX = "wan.";
    /** Key of {@code start_join_wan}. */
    public static final String START_JOIN = PREFIX + "start-join";
    /** Key of {@code retry_join_wan}. */
    public static final String RETRY_JOIN = PREFIX + "retry-join";
    /** Key of {@code retry_interval_wan}. */
    public static final String RETRY_INTERVAL = PREFIX + "retry-interval";
    /** Key of {@code retry_max_wan}. */
    public static final String RETRY_MAX = PREFIX + "retry-max";
    /** Consul's default {@code retry_interval_wan}. */
    public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(30);
    /** Most addresses in one join list: more is a configuration mistake, not a cluster. */
    public static final int MAX_ADDRESSES = 256;
    /** The infix of a plugin key that applies to the WAN pool only. */
    static final String WAN_INFIX = ".wan.";

    public WanSettings {
        startJoin = List.copyOf(startJoin);
        retryJoin = List.copyOf(retryJoin);
        Objects.requireNonNull(retryInterval, "retryInterval");
        if (retryInterval.isNegative() || retryInterval.isZero()) {
            throw new IllegalArgumentException("retry_interval_wan must be positive, got " + retryInterval);
        }
        if (retryMax < 0) {
            throw new IllegalArgumentException("retry_max_wan must not be negative, got " + retryMax);
        }
        if (startJoin.size() > MAX_ADDRESSES || retryJoin.size() > MAX_ADDRESSES) {
            throw new IllegalArgumentException("at most " + MAX_ADDRESSES + " WAN join addresses");
        }
        for (String a : startJoin) {
            address(a);
        }
        for (String a : retryJoin) {
            address(a);
        }
    }

    /** Nothing to join. */
    public static final WanSettings NONE = new WanSettings(List.of(), List.of(), DEFAULT_RETRY_INTERVAL, 0);

    /** Whether any address is to be joined. */
    public boolean joins() {
        return !startJoin.isEmpty() || !retryJoin.isEmpty();
    }

    /**
     * The WAN settings carried in {@code config}'s plugin configuration.
     *
     * @throws ConfigException when a value is malformed (only possible when set by hand in plugin_config)
     */
    public static WanSettings of(AgentConfig config) {
        PluginConfig pc = config.pluginConfig();
        try {
            return new WanSettings(split(pc.getString(START_JOIN, "")), split(pc.getString(RETRY_JOIN, "")),
                    pc.getDuration(RETRY_INTERVAL, DEFAULT_RETRY_INTERVAL), pc.getInt(RETRY_MAX, 0));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("WAN join settings: " + e.getMessage(), e);
        }
    }

    /** The properties that carry these settings (empty lists and defaults are left out). */
    public Map<String, String> asProperties() {
        Map<String, String> m = new TreeMap<>();
        if (!startJoin.isEmpty()) {
            m.put(START_JOIN, String.join(",", startJoin));
        }
        if (!retryJoin.isEmpty()) {
            m.put(RETRY_JOIN, String.join(",", retryJoin));
        }
        if (!retryInterval.equals(DEFAULT_RETRY_INTERVAL)) {
            m.put(RETRY_INTERVAL, retryInterval.toString());
        }
        if (retryMax != 0) {
            m.put(RETRY_MAX, Integer.toString(retryMax));
        }
        return m;
    }

    /**
     * The plugin configuration of plugin {@code plugin} for one pool, from every key of
     * {@code all}: the {@code <plugin>.*} keys, where for the WAN pool a {@code <plugin>.wan.<name>}
     * key replaces {@code <plugin>.<name>}, and for the LAN pool the {@code <plugin>.wan.*} keys are
     * left out. Pure; the result is sorted by key.
     */
    public static Map<String, String> wanPluginConfig(Map<String, String> all, String plugin, boolean wan) {
        String own = plugin + ".";
        String wanOnly = plugin + WAN_INFIX;
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(all).entrySet()) {
            String k = e.getKey();
            if (k.startsWith(own) && !k.startsWith(wanOnly)) {
                out.put(k, e.getValue());
            }
        }
        if (wan) {
            for (Map.Entry<String, String> e : new TreeMap<>(all).entrySet()) {
                if (e.getKey().startsWith(wanOnly)) {
                    out.put(own + e.getKey().substring(wanOnly.length()), e.getValue());
                }
            }
        }
        return out;
    }

    private static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        for (String p : s.split(",")) {
            if (!p.isBlank()) {
                out.add(p.trim());
            }
        }
        return out;
    }

    private static void address(String a) {
        if (a == null || a.isBlank() || a.length() > 255 || a.contains(",") || a.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("WAN join address '" + a + "' is not a host or host:port");
        }
    }
}

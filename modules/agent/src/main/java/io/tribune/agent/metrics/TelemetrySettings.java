package io.tribune.agent.metrics;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.tribune.agent.config.ConfigException;
import io.tribune.api.PluginConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Consul's {@code telemetry} block as far as Tribune serves it: how long a metric stays in the
 * Prometheus output after its last update, whether gauges carry the host (node) name, and the
 * prefix of every name. The config loader turns the block into {@code telemetry.*} properties of
 * the plugin configuration ({@link #toProperties}); the agent reads them back with {@link #of}.
 *
 * @param prometheusRetention {@code prometheus_retention_time}: a counter or timer not updated for
 *                            this long leaves the Prometheus output; zero (Consul's default) turns
 *                            the Prometheus output off (HTTP 415, as Consul answers)
 * @param disableHostname     {@code disable_hostname}: when false (Consul's default) gauge names get
 *                            the node name after the prefix ({@code consul.node-1.runtime.alloc_bytes})
 * @param prefix              {@code metrics_prefix}, default {@code consul}
 */
public record TelemetrySettings(Duration prometheusRetention, boolean disableHostname, String prefix) {
    // Before DEFAULT: the constructor reads it.
    /** The longest retention accepted: a metric kept for more than a day is a leak, not a choice. */
    static final Duration MAX_RETENTION = Duration.ofDays(1);
    /** Consul's defaults: no Prometheus output, host names in gauge names, prefix {@code consul}. */
    public static final TelemetrySettings DEFAULT = new TelemetrySettings(Duration.ZERO, false, "consul");
    static final String RETENTION_KEY = "telemetry.prometheus-retention-time";
    static final String HOSTNAME_KEY = "telemetry.disable-hostname";
    static final String PREFIX_KEY = "telemetry.metrics-prefix";
    /** The sub-keys of {@code telemetry} that are served. */
    private static final Set<String> KEYS = Set.of("prometheus_retention_time", "disable_hostname", "metrics_prefix");

    /**
     * Validates.
     *
     * @throws ConfigException when the retention is negative or longer than a day, or the prefix is
     *                         not dotted letters, digits and underscores of at most 64 characters
     */
    public TelemetrySettings {
        if (prometheusRetention == null || prometheusRetention.isNegative()
                || prometheusRetention.compareTo(MAX_RETENTION) > 0) {
            throw new ConfigException("telemetry.prometheus_retention_time must be between 0 (Prometheus output off) "
                    + "and 24h, got " + prometheusRetention);
        }
        if (prefix == null || !prefix.matches("[A-Za-z_][A-Za-z0-9_]{0,63}(\\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,3}")
                || prefix.length() > 64) {
            throw new ConfigException("telemetry.metrics_prefix must be dot-separated letters, digits and '_' "
                    + "(at most 64 characters), got '" + prefix + "'");
        }
    }

    /** Whether {@code ?format=prometheus} is served. */
    public boolean prometheusEnabled() {
        return !prometheusRetention.isZero();
    }

    /** The settings in {@code config}'s {@code telemetry.*} properties; defaults where absent. */
    public static TelemetrySettings of(PluginConfig config) {
        try {
            return new TelemetrySettings(config.getDuration(RETENTION_KEY, DEFAULT.prometheusRetention()),
                    config.getBoolean(HOSTNAME_KEY, DEFAULT.disableHostname()),
                    config.getString(PREFIX_KEY, DEFAULT.prefix()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("telemetry: " + e.getMessage(), e);
        }
    }

    /**
     * Checks Consul's {@code telemetry} object and writes it as {@code telemetry.*} properties into
     * {@code props} (an explicit {@code plugin_config} entry wins). Nothing is written when it fails.
     *
     * @throws ConfigException naming the sub-key, for an unknown sub-key (with the list of served ones)
     *                         or a bad value
     */
    public static void toProperties(JsonObject telemetry, Map<String, String> props) {
        String retention = null;
        String disable = null;
        String prefix = null;
        for (Map.Entry<String, JsonElement> e : telemetry.entrySet()) {
            String k = e.getKey();
            if (!KEYS.contains(k)) {
                throw new ConfigException("unknown key 'telemetry." + k + "'; Tribune serves " + new TreeSet<>(KEYS));
            }
            JsonElement v = e.getValue();
            if (!v.isJsonPrimitive()) {
                throw new ConfigException("telemetry." + k + " must be a string, number or boolean, got " + v);
            }
            String s = v.getAsString();
            switch (k) {
                case "prometheus_retention_time" -> {
                    try {
                        PluginConfig.parseDuration(s);
                    } catch (IllegalArgumentException ex) {
                        throw new ConfigException("telemetry.prometheus_retention_time: " + ex.getMessage());
                    }
                    retention = s;
                }
                case "disable_hostname" -> {
                    if (!s.equals("true") && !s.equals("false")) {
                        throw new ConfigException("telemetry.disable_hostname must be true or false, got '" + s + "'");
                    }
                    disable = s;
                }
                default -> prefix = s;
            }
        }
        // Validate the whole block before writing any of it.
        new TelemetrySettings(retention == null ? DEFAULT.prometheusRetention() : PluginConfig.parseDuration(retention),
                Boolean.parseBoolean(disable), prefix == null ? DEFAULT.prefix() : prefix);
        if (retention != null) {
            props.putIfAbsent(RETENTION_KEY, retention);
        }
        if (disable != null) {
            props.putIfAbsent(HOSTNAME_KEY, disable);
        }
        if (prefix != null) {
            props.putIfAbsent(PREFIX_KEY, prefix);
        }
    }
}

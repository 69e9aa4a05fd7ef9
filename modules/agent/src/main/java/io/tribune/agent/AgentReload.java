package io.tribune.agent;

import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What a configuration reload may change while the agent runs, and what needs a restart.
 *
 * <p>Reloaded in place (as Consul reloads them): the services and checks of the config files, the
 * log level, the ACL tokens set in the config ({@code acl.tokens.*}), and the leave behaviour on
 * signals ({@code leave_on_terminate}, {@code skip_leave_on_interrupt}: the launcher reads the
 * last reloaded config when a signal arrives). Every other key that
 * differs is named by {@link #restartKeys}; the running agent keeps its old value for it.
 *
 * <p>Pure functions; thread-safe.
 */
final class AgentReload {
    private AgentReload() {
    }

    /** Consul's key and the record component it is read into, for every key that needs a restart. */
    private static final List<Map.Entry<String, Function<AgentConfig, Object>>> RESTART_FIELDS = List.of(
            Map.entry("dev", AgentConfig::dev), Map.entry("node_name", AgentConfig::nodeName),
            Map.entry("datacenter", AgentConfig::datacenter), Map.entry("server", AgentConfig::server),
            Map.entry("bootstrap", AgentConfig::bootstrap), Map.entry("bootstrap_expect", AgentConfig::bootstrapExpect),
            Map.entry("data_dir", AgentConfig::dataDir), Map.entry("bind_addr", AgentConfig::bindAddr),
            Map.entry("client_addr", AgentConfig::clientAddr), Map.entry("advertise_addr", AgentConfig::advertiseAddr),
            Map.entry("ports", AgentConfig::ports), Map.entry("start_join", AgentConfig::startJoin),
            Map.entry("retry_join", AgentConfig::retryJoin), Map.entry("retry_interval", AgentConfig::retryInterval),
            Map.entry("retry_max", AgentConfig::retryMax), Map.entry("plugins", AgentConfig::plugins),
            Map.entry("enable_script_checks", AgentConfig::enableScriptChecks),
            Map.entry("anti_entropy_interval", AgentConfig::antiEntropyInterval),
            Map.entry("ca_file/cert_file/key_file/verify_*", AgentConfig::tls),
            Map.entry("discovery_max_stale", AgentConfig::discoveryMaxStale));

    /** Derived properties a reload applies (ACL tokens); every other property that differs needs a restart. */
    static final String RELOADED_PREFIX = "acl.tokens.";

    /**
     * The keys whose new value differs from the running one and that take effect only after a
     * restart, in a stable order: record fields first, then derived properties by name
     * ({@code gossip-swim.encrypt}, {@code dns.domain}, ...).
     */
    static List<String> restartKeys(AgentConfig running, AgentConfig next) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Function<AgentConfig, Object>> f : RESTART_FIELDS) {
            if (!Objects.equals(f.getValue().apply(running), f.getValue().apply(next))) {
                out.add(f.getKey());
            }
        }
        Map<String, String> a = running.pluginConfig().asMap();
        Map<String, String> b = next.pluginConfig().asMap();
        Set<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        Set<String> derived = new java.util.LinkedHashSet<>();
        for (String k : keys) {
            if (!reloaded(k) && !signalKey(k) && !Objects.equals(a.get(k), b.get(k))) {
                derived.add(consulName(k));
            }
        }
        out.addAll(derived);
        return out;
    }

    /**
     * keys feature: the Consul key behind a derived property, so that the restart warning names what
     * the operator wrote ({@code addresses} rather than {@code agent.address.http}); other properties
     * keep their own name.
     */
    static String consulName(String property) {
        if (property.startsWith(ConfigKeys.ADDRESS_PREFIX)) {
            return "addresses." + property.substring(ConfigKeys.ADDRESS_PREFIX.length());
        }
        if (property.startsWith(ConfigKeys.RESPONSE_HEADER_PREFIX)) {
            return "http_config.response_headers";
        }
        return switch (property) {
            case ConfigKeys.NODE_ID -> "node_id";
            case ConfigKeys.ADVERTISE_WAN -> "advertise_addr_wan";
            default -> property;
        };
    }

    /** The agent's own tokens are swapped in place; the master token seeds the ACL system at start only. */
    private static boolean reloaded(String key) {
        return key.startsWith(RELOADED_PREFIX) && !key.equals(RELOADED_PREFIX + "master");
    }

    /**
     * keys feature: read when a signal arrives (the launcher keeps the last reloaded config), so a
     * reload changes them at once, as Consul's agent command keeps its reloaded config.
     */
    private static boolean signalKey(String key) {
        return key.equals(ConfigKeys.SKIP_LEAVE_ON_INTERRUPT);
    }

    /** The ACL token kinds ({@code agent}, {@code default}, ...) whose value differs, with the new value ("" if removed). */
    static Map<String, String> changedTokens(AgentConfig running, AgentConfig next) {
        Map<String, String> out = new java.util.TreeMap<>();
        Map<String, String> a = running.pluginConfig().asMap();
        Map<String, String> b = next.pluginConfig().asMap();
        Set<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String k : keys) {
            if (reloaded(k) && !Objects.equals(a.get(k), b.get(k))) {
                out.put(k.substring(RELOADED_PREFIX.length()), b.getOrDefault(k, ""));
            }
        }
        return out;
    }
}

package io.tribune.agent.acl;

import io.tribune.agent.config.ConfigException;
import io.tribune.api.PluginConfig;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The ACL configuration (Consul 1.4's {@code acl} block and {@code primary_datacenter}). The config
 * loader keeps it as {@code acl.*} properties of the agent's property map, like the other agent-level
 * settings, and this record reads them back.
 *
 * @param enabled                whether ACLs are enforced ({@code acl.enabled}, default false)
 * @param defaultAllow           {@code acl.default_policy}: allow (default) or deny what no rule covers
 * @param downPolicy             {@code acl.down_policy}: what a client agent does when no server answers
 *                               a token resolution (default extend-cache)
 * @param tokenTtl               how long a client agent caches a resolved token ({@code acl.token_ttl}, 30 s)
 * @param policyTtl              how long policies are cached ({@code acl.policy_ttl}, 30 s); a resolved
 *                               token includes its policies, so the cache keeps it for the shorter of both
 * @param enableTokenReplication {@code acl.enable_token_replication}: a secondary datacenter copies the
 *                               primary's global tokens too, not only its policies
 * @param primaryDatacenter      {@code primary_datacenter}: where ACLs are authoritative; "" for this one
 * @param master                 {@code acl.tokens.master}: a management token known from the configuration
 * @param agent                  {@code acl.tokens.agent}: the token of the agent's own requests
 * @param agentMaster            {@code acl.tokens.agent_master}: agent endpoints of this agent, even with
 *                               no server reachable
 * @param replication            {@code acl.tokens.replication}: the token a secondary's leader reads the
 *                               primary with
 * @param defaultToken           {@code acl.tokens.default}: the token of requests that carry none
 */
public record AclSettings(boolean enabled, boolean defaultAllow, DownPolicy downPolicy, Duration tokenTtl,
                          Duration policyTtl, boolean enableTokenReplication, String primaryDatacenter, String master,
                          String agent, String agentMaster, String replication, String defaultToken) {

    /** Consul's {@code acl.down_policy} values. */
    public enum DownPolicy {
        /** Allow everything while no server answers. */
        ALLOW,
        /** Deny everything while no server answers. */
        DENY,
        /** Keep using cached tokens past their TTL; deny unknown ones (Consul's default). */
        EXTEND_CACHE,
        /** As extend-cache, and refresh in the background while serving the cached token. */
        ASYNC_CACHE;

        static DownPolicy parse(String s) {
            return switch (s) {
                case "allow" -> ALLOW;
                case "deny" -> DENY;
                case "extend-cache" -> EXTEND_CACHE;
                case "async-cache" -> ASYNC_CACHE;
                default -> throw new ConfigException("acl.down_policy must be allow, deny, extend-cache or "
                        + "async-cache, got '" + s + "'");
            };
        }
    }

    /** Property keys (in the agent's property map). */
    static final String ENABLED = "acl.enabled";
    static final String DEFAULT_POLICY = "acl.default-policy";
    static final String DOWN_POLICY = "acl.down-policy";
    static final String TOKEN_TTL = "acl.token-ttl";
    static final String POLICY_TTL = "acl.policy-ttl";
    static final String TOKEN_REPLICATION = "acl.enable-token-replication";
    static final String PRIMARY_DC = "acl.primary-datacenter";
    static final String TOKEN_PREFIX = "acl.tokens.";
    /** The keys that hold secrets: never printed. */
    public static final Set<String> SECRET_KEYS = Set.of(TOKEN_PREFIX + "master", TOKEN_PREFIX + "agent",
            TOKEN_PREFIX + "agent_master", TOKEN_PREFIX + "replication", TOKEN_PREFIX + "default");

    /** Defaults: 30 s, Consul's TTLs. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);

    /** ACLs off. */
    public static final AclSettings DISABLED = new AclSettings(false, true, DownPolicy.EXTEND_CACHE, DEFAULT_TTL,
            DEFAULT_TTL, false, "", "", "", "", "", "");

    public AclSettings {
        Objects.requireNonNull(downPolicy, "downPolicy");
        Objects.requireNonNull(tokenTtl, "tokenTtl");
        Objects.requireNonNull(policyTtl, "policyTtl");
        Objects.requireNonNull(primaryDatacenter, "primaryDatacenter");
        Objects.requireNonNull(master, "master");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(agentMaster, "agentMaster");
        Objects.requireNonNull(replication, "replication");
        Objects.requireNonNull(defaultToken, "defaultToken");
    }

    /** How long a client agent keeps a resolved token: the shorter of the two TTLs. */
    public Duration cacheTtl() {
        return tokenTtl.compareTo(policyTtl) <= 0 ? tokenTtl : policyTtl;
    }

    /**
     * Reads the settings from the agent's properties (written by {@link #toProperties}).
     *
     * @throws ConfigException naming the key of a bad value
     */
    public static AclSettings from(PluginConfig p) {
        String dflt = p.getString(DEFAULT_POLICY, "allow");
        if (!dflt.equals("allow") && !dflt.equals("deny")) {
            throw new ConfigException("acl.default_policy must be allow or deny, got '" + dflt + "'");
        }
        Duration tokenTtl = ttl(p, TOKEN_TTL, "acl.token_ttl");
        Duration policyTtl = ttl(p, POLICY_TTL, "acl.policy_ttl");
        return new AclSettings(p.getBoolean(ENABLED, false), dflt.equals("allow"),
                DownPolicy.parse(p.getString(DOWN_POLICY, "extend-cache")), tokenTtl, policyTtl,
                p.getBoolean(TOKEN_REPLICATION, false), p.getString(PRIMARY_DC, ""),
                p.getString(TOKEN_PREFIX + "master", ""), p.getString(TOKEN_PREFIX + "agent", ""),
                p.getString(TOKEN_PREFIX + "agent_master", ""), p.getString(TOKEN_PREFIX + "replication", ""),
                p.getString(TOKEN_PREFIX + "default", ""));
    }

    private static Duration ttl(PluginConfig p, String key, String consulKey) {
        Duration d;
        try {
            d = p.getDuration(key, DEFAULT_TTL);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(consulKey + ": " + e.getMessage());
        }
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofHours(24)) > 0) {
            throw new ConfigException(consulKey + " must be more than 0 and at most 24h, got " + d);
        }
        return d;
    }

    /**
     * Consul's keys of one merged configuration as properties: {@code acl} (an object) and
     * {@code primary_datacenter}, then the legacy keys where the new ones are not set
     * ({@code acl_datacenter}, {@code acl_default_policy}, {@code acl_down_policy}, {@code acl_ttl},
     * {@code acl_token}, {@code acl_agent_token}, {@code acl_agent_master_token},
     * {@code acl_master_token}, {@code acl_replication_token}, {@code enable_acl_replication}).
     * As in Consul 1.4, a legacy {@code acl_datacenter} turns ACLs on.
     *
     * @param get    reads a top-level key of the merged configuration as a string, or null when absent
     * @param acl    the {@code acl} object's entries as strings ({@code tokens.master}, ...), empty when absent
     * @param out    where the properties go
     * @throws ConfigException for an unknown key of the {@code acl} block or a bad value
     */
    public static void toProperties(java.util.function.Function<String, String> get, Map<String, String> acl,
                                    Map<String, String> out) {
        for (Map.Entry<String, String> e : acl.entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            switch (k) {
                case "enabled" -> out.put(ENABLED, bool("acl.enabled", v));
                case "default_policy" -> out.put(DEFAULT_POLICY, v.toLowerCase(Locale.ROOT));
                case "down_policy" -> out.put(DOWN_POLICY, v.toLowerCase(Locale.ROOT));
                case "token_ttl" -> out.put(TOKEN_TTL, v);
                case "policy_ttl" -> out.put(POLICY_TTL, v);
                case "enable_token_replication" -> out.put(TOKEN_REPLICATION, bool("acl.enable_token_replication", v));
                case "tokens.master", "tokens.agent", "tokens.agent_master", "tokens.replication", "tokens.default" ->
                        out.put("acl." + k, v);
                default -> throw new ConfigException("unknown configuration key 'acl." + k + "'");
            }
        }
        legacy(get, "acl_default_policy", DEFAULT_POLICY, out);
        legacy(get, "acl_down_policy", DOWN_POLICY, out);
        legacy(get, "acl_ttl", TOKEN_TTL, out);
        legacy(get, "acl_ttl", POLICY_TTL, out);
        legacy(get, "acl_token", TOKEN_PREFIX + "default", out);
        legacy(get, "acl_agent_token", TOKEN_PREFIX + "agent", out);
        legacy(get, "acl_agent_master_token", TOKEN_PREFIX + "agent_master", out);
        legacy(get, "acl_master_token", TOKEN_PREFIX + "master", out);
        legacy(get, "acl_replication_token", TOKEN_PREFIX + "replication", out);
        String repl = get.apply("enable_acl_replication");
        if (repl != null) {
            out.putIfAbsent(TOKEN_REPLICATION, bool("enable_acl_replication", repl));
        }
        String primary = get.apply("primary_datacenter");
        String legacyDc = get.apply("acl_datacenter");
        if (primary != null) {
            out.put(PRIMARY_DC, primary.toLowerCase(Locale.ROOT));
        } else if (legacyDc != null) {
            out.put(PRIMARY_DC, legacyDc.toLowerCase(Locale.ROOT));
        }
        if (legacyDc != null) {
            out.putIfAbsent(ENABLED, "true");
        }
        // Check every value now, so a bad one stops the start with its key.
        from(PluginConfig.of(out));
    }

    private static void legacy(java.util.function.Function<String, String> get, String key, String prop,
                               Map<String, String> out) {
        String v = get.apply(key);
        if (v != null) {
            out.putIfAbsent(prop, key.endsWith("policy") ? v.toLowerCase(Locale.ROOT) : v);
        }
    }

    private static String bool(String key, String v) {
        if (!v.equals("true") && !v.equals("false")) {
            throw new ConfigException(key + " must be true or false, got '" + v + "'");
        }
        return v;
    }

    /** The settings without secrets. */
    @Override
    public String toString() {
        return "AclSettings[enabled=" + enabled + ", default_policy=" + (defaultAllow ? "allow" : "deny")
                + ", down_policy=" + downPolicy + ", token_ttl=" + tokenTtl + ", policy_ttl=" + policyTtl
                + ", primary_datacenter=" + primaryDatacenter + "]";
    }
}

package io.tribune.agent.config;

import io.tribune.api.PluginConfig;
import io.tribune.api.SpiKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The agent's validated configuration. Built by {@link ConfigLoader} from JSON files and command
 * line flags, which use Consul's key names ({@code node_name}, {@code bootstrap_expect},
 * {@code ports.http}, ...).
 *
 * @param dev              single-node in-memory mode (Consul's {@code -dev})
 * @param nodeName         this node's name in its datacenter
 * @param datacenter       the datacenter name, lower-case
 * @param server           server mode (runs consensus) or client mode
 * @param bootstrap        bootstrap a single-server cluster at once
 * @param bootstrapExpect  servers to wait for before bootstrapping (0: not set)
 * @param dataDir          where state is kept; empty in dev mode
 * @param bindAddr         address for server RPC and gossip
 * @param clientAddr       address for HTTP, DNS and gRPC
 * @param advertiseAddr    address other nodes use to reach this one
 * @param ports            listening ports
 * @param startJoin        addresses to join at start (failure is fatal)
 * @param retryJoin        addresses to join at start, retried until success
 * @param retryInterval    time between retry-join attempts
 * @param retryMax         retry-join attempts before giving up (0: forever)
 * @param plugins          explicit plugin choices by area
 * @param pluginConfig     properties passed to plugins ({@code raft.multiplier}, ...)
 * @param leaveOnTerminate leave the cluster gracefully on SIGTERM / Ctrl-C
 * @param logLevel         trace, debug, info, warn or err
 * @param limits           request size limits
 * @param tls              mutual TLS for server RPC ({@code ca_file}, {@code cert_file}, {@code key_file},
 *                         {@code verify_incoming}, {@code verify_outgoing}, {@code verify_server_hostname});
 *                         empty for plaintext
 * @param services         service definitions of the config files ({@code services}/{@code service}), each a
 *                         JSON object in the agent API's registration shape, validated at build time
 * @param checks           check definitions of the config files ({@code checks}/{@code check}), likewise
 * @param enableScriptChecks whether script checks ({@code Args}) may be registered; Consul's
 *                         {@code enable_script_checks}, default false: a script check runs commands
 * @param antiEntropyInterval time between full syncs of local services and checks into the catalog
 *                         (before scaling by cluster size), default 1 min as Consul
 * @param discoveryMaxStale Consul's {@code discovery_max_stale}: when positive, service-discovery
 *                         reads ({@code /v1/catalog/*}, {@code /v1/health/*} and DNS) that ask for no
 *                         consistency mode are served as stale reads by any server whose last contact
 *                         with the leader is at most this old, and by the leader otherwise; zero (the
 *                         default) leaves them in the default mode
 */
public record AgentConfig(boolean dev, String nodeName, String datacenter, boolean server, boolean bootstrap,
                          int bootstrapExpect, Optional<Path> dataDir, String bindAddr, String clientAddr,
                          String advertiseAddr, Ports ports, List<String> startJoin, List<String> retryJoin,
                          Duration retryInterval, int retryMax, Map<SpiKind, String> plugins,
                          PluginConfig pluginConfig, boolean leaveOnTerminate, String logLevel, Limits limits,
                          List<String> services, List<String> checks, boolean enableScriptChecks,
                          Duration antiEntropyInterval, Optional<io.tribune.api.transport.TransportSetup.Tls> tls,
                          Duration discoveryMaxStale) {

    public AgentConfig {
        Objects.requireNonNull(nodeName, "nodeName");
        plugins = Map.copyOf(plugins.isEmpty() ? new EnumMap<>(SpiKind.class) : new EnumMap<>(plugins));
        startJoin = List.copyOf(startJoin);
        retryJoin = List.copyOf(retryJoin);
        services = List.copyOf(services);
        checks = List.copyOf(checks);
        Objects.requireNonNull(antiEntropyInterval, "antiEntropyInterval");
        Objects.requireNonNull(discoveryMaxStale, "discoveryMaxStale");
        if (discoveryMaxStale.isNegative()) {
            throw new IllegalArgumentException("discoveryMaxStale must not be negative, got " + discoveryMaxStale);
        }
    }

    /**
     * The datacenter where ACLs are authoritative: {@code primary_datacenter} (or the legacy
     * {@code acl_datacenter}) when configured, else this agent's own.
     */
    public String primaryDatacenter() {
        String p = pluginConfig.getString("acl.primary-datacenter", "");
        return p.isEmpty() ? datacenter : p;
    }

    /**
     * Listening ports, Consul's defaults: HTTP 8500, DNS 8600, gRPC 8502, server RPC 8300, LAN gossip
     * 8301, WAN gossip 8302. A negative port disables the listener.
     */
    public record Ports(int http, int dns, int grpc, int server, int serfLan, int serfWan) {
        /** Consul's default ports. */
        public static final Ports DEFAULT = new Ports(8500, 8600, 8502, 8300, 8301, 8302);
    }

    /**
     * Sizes the HTTP API accepts.
     *
     * @param maxKeyBytes        longest KV key in bytes
     * @param maxValueBytes      largest KV value, 512 KiB as Consul's {@code kv_max_value_size}
     * @param maxRequestBytes    largest HTTP request body
     * @param maxTxnOps          operations in one transaction, 64 as Consul's {@code txn_max_req_len} default
     */
    public record Limits(int maxKeyBytes, int maxValueBytes, int maxRequestBytes, int maxTxnOps) {
        /** Consul-compatible limits. */
        public static final Limits DEFAULT = new Limits(2048, 512 * 1024, 4 * 1024 * 1024, 64);
    }

    /** This configuration with {@code props} as its plugin and derived properties (keys feature: the settled node ID). */
    public AgentConfig withPluginConfig(PluginConfig props) {
        return new AgentConfig(dev, nodeName, datacenter, server, bootstrap, bootstrapExpect, dataDir, bindAddr,
                clientAddr, advertiseAddr, ports, startJoin, retryJoin, retryInterval, retryMax, plugins, props,
                leaveOnTerminate, logLevel, limits, services, checks, enableScriptChecks, antiEntropyInterval, tls,
                discoveryMaxStale);
    }

    /** The plugin chosen for {@code kind}, if the configuration names one. */
    public Optional<String> plugin(SpiKind kind) {
        return Optional.ofNullable(plugins.get(kind));
    }
}

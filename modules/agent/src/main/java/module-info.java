/**
 * The Tribune agent core: the agent's request layer and its duties, with no front end of its own.
 *
 * <ul>
 *   <li>{@code io.tribune.agent.rpc}: the request layer's face: typed operations (KV, catalog, health,
 *       sessions, events, coordinates, status, operator, snapshots, agent operations), their options and
 *       answers, one error type with kinds, and {@link io.tribune.agent.rpc.Requests}, the entry point
 *       of every front end (HTTP, gRPC, DNS live in modules of their own).</li>
 *   <li>Inside ({@code rpc.internal}, not exported): forwarding (client to server, follower to leader,
 *       to another datacenter), holding, exactly-once writes, the agent cache, and the RPCs between
 *       agents, typed with a Protocol Buffers schema.</li>
 *   <li>{@code io.tribune.agent.server}: the server's endpoints and duties (bootstrap, leader
 *       reconciliation, session TTLs, tombstones, snapshot restore).</li>
 *   <li>{@code io.tribune.agent.local}: the agent's own services and checks, anti-entropy, and the
 *       reader of Consul's service and check definitions.</li>
 *   <li>{@code io.tribune.agent.cluster}: gossip tags, joining, keyring operations on every member.</li>
 *   <li>Platform services handed in from outside, the plugin registry, and the configuration.</li>
 * </ul>
 *
 * <p>Uses the plugin SPIs of {@code io.tribune.api} (plugins are found by the launcher's runtime and
 * handed over as {@link io.tribune.agent.plugins.PluginSource}), the state machine of
 * {@code io.tribune.state}, and the optional parts that provide {@link io.tribune.agent.AgentService}
 * and {@link io.tribune.agent.local.CheckRunner}.
 */
module io.tribune.agent {
    requires transitive io.tribune.api;
    requires transitive io.tribune.state;
    requires transitive io.tribune.platform;
    requires transitive com.google.gson;
    requires com.google.protobuf;
    // ACL rules and decisions.
    requires io.tribune.acl;
    // HCL config files (ConfigFiles).
    requires hcl4j;
    // HTTP health checks use the JDK client.
    requires java.net.http;
    // Observability (io.tribune.agent.observe): the agent's java.util.logging handler, log file and monitors.
    requires java.logging;
    // Telemetry (io.tribune.agent.metrics): Micrometer with its Prometheus registry, the JVM's MXBeans.
    requires micrometer.core;
    requires micrometer.registry.prometheus;
    requires io.prometheus.metrics.model;
    requires java.management;

    exports io.tribune.agent;
    exports io.tribune.agent.config;
    exports io.tribune.agent.local;
    exports io.tribune.agent.platform;
    exports io.tribune.agent.plugins;
    exports io.tribune.agent.rpc;
    exports io.tribune.agent.cluster;
    // Observability: log lines, log file, monitors (obs).
    exports io.tribune.agent.observe;
    // Generated protobuf classes read their own fields reflectively in some paths (text format, equals).
    opens io.tribune.agent.rpc.wire to com.google.protobuf;

    uses io.tribune.api.Plugin;
    uses io.tribune.agent.AgentService;
    // Extra health-check kinds (gRPC health from io.tribune.grpcapi), optional.
    uses io.tribune.agent.local.CheckRunner;
}

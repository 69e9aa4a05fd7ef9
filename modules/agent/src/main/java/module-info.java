/**
 * The Tribune agent core: platform services (clock, scheduler, metrics) handed to plugins, the
 * plugin registry that checks SPI versions and chooses one implementation per SPI area, the agent
 * configuration (Consul's keys), the Consul-compatible HTTP API served with Netty, and request
 * forwarding (client to server, follower to leader, datacenter to datacenter) over the transport SPI,
 * where every write carries a client request id so that a retried write applies at most once, and
 * gossip keyring operations that reach every member of the LAN pool over the same transport.
 *
 * <p>Uses the plugin SPIs of {@code io.tribune.api} (plugins are found by the launcher's runtime
 * and handed over as {@link io.tribune.agent.plugins.PluginSource}) and the state machine of
 * {@code io.tribune.state}.
 */
module io.tribune.agent {
    requires transitive io.tribune.api;
    requires transitive io.tribune.state;
    requires transitive io.tribune.platform;
    requires com.google.gson;
    // HTTP health checks (and the tests) use the JDK client.
    requires java.net.http;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires io.netty.transport;

    exports io.tribune.agent;
    exports io.tribune.agent.api;
    exports io.tribune.agent.cluster;
    exports io.tribune.agent.config;
    exports io.tribune.agent.http;
    exports io.tribune.agent.platform;
    exports io.tribune.agent.plugins;
    exports io.tribune.agent.rpc;

    uses io.tribune.api.Plugin;
    uses io.tribune.agent.AgentService;
    // Extra health-check kinds (gRPC health from io.tribune.grpcapi), optional.
    uses io.tribune.agent.api.CheckRunner;
}

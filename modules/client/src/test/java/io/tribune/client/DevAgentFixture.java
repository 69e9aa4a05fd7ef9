package io.tribune.client;

import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.grpcapi.GrpcApiService;

/**
 * An in-process dev agent (storage-memory, consensus-single, transport-inproc, membership-static)
 * serving the gRPC API on a free loopback port, and a client connected to it. Public for the
 * recipe tests in {@code io.tribune.client.recipes}.
 */
public final class DevAgentFixture implements AutoCloseable {
    public final Agent agent;
    public final String target;

    /** {@code serverPort} must differ between fixtures of one JVM (the in-process transport keys by port). */
    public DevAgentFixture(String node, int serverPort) {
        this(node, serverPort, "");
    }

    /** With {@code extraJson} (e.g. {@code , "acl": {...}}) appended to the configuration object. */
    public DevAgentFixture(String node, int serverPort, String extraJson) {
        var cfg = new ConfigLoader().add(com.google.gson.JsonParser.parseString("{\"dev\": true, \"node_name\": \""
                + node + "\", \"client_addr\": \"127.0.0.1\", \"ports\": {\"http\": -1, \"dns\": -1, \"grpc\": 0, "
                + "\"server\": " + serverPort + "}" + extraJson + "}").getAsJsonObject(), "test").build();
        var registry = PluginRegistry.of(new ServiceLoaderPluginSource(DevAgentFixture.class.getClassLoader()).load());
        agent = Agent.start(cfg, registry, "embedded");
        target = "127.0.0.1:" + GrpcApiService.address(agent).orElseThrow().getPort();
    }

    public TribuneClient client() {
        return TribuneClient.builder().target(target).build();
    }

    @Override
    public void close() {
        agent.shutdown(false);
    }
}

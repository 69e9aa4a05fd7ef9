package io.tribune.agent.testing;

import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Response;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * In-process dev agents (storage-memory, consensus-single, transport-inproc, membership-static) for the
 * agent module's own tests, driven through their request layer: the agent module has no HTTP API.
 */
public final class DevAgents {
    private DevAgents() {
    }

    /**
     * Starts a dev agent named {@code node}; {@code serverPort} must differ between test classes (the
     * in-process transport registers endpoints by port). Returns once it leads.
     */
    public static Agent start(String node, int serverPort) throws InterruptedException {
        var cfg = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"" + node + "\", "
                + "\"ports\": {\"http\": -1, \"dns\": -1, \"grpc\": -1, \"server\": " + serverPort + "}}")
                .getAsJsonObject(), "test").build();
        var registry = PluginRegistry.of(new ServiceLoaderPluginSource(DevAgents.class.getClassLoader()).load());
        Agent a = Agent.start(cfg, registry, "embedded");
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!a.consensus().orElseThrow().isLeader()) {
            if (System.nanoTime() > end) {
                a.shutdown(false);
                throw new AssertionError("the dev agent did not become leader");
            }
            Thread.sleep(10);
        }
        return a;
    }

    /** Runs {@code op} on {@code a} and waits (at most 30 s) for the answer. */
    public static <R> Response<R> call(Agent a, Op<R> op) throws Exception {
        return a.requests().call(op, Options.DEFAULT).get(30, TimeUnit.SECONDS);
    }
}

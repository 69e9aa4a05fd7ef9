package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.agent.testing.TestCluster;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * An in-process dev agent (storage-memory, consensus-single, transport-inproc, membership-static)
 * with its HTTP API on an ephemeral loopback port, and helpers to call it. One per test class.
 */
final class DevAgent implements AutoCloseable {
    final Agent agent;
    final HttpClient http = HttpClient.newHttpClient();
    final String base;

    private DevAgent(Agent agent) {
        this.agent = agent;
        this.base = "http://127.0.0.1:" + agent.httpAddress().orElseThrow().getPort();
    }

    /**
     * Starts a dev agent named {@code node}; {@code serverPort} must differ between test classes
     * (the in-process transport registers endpoints by port). Waits until the local node is in
     * the catalog with its serfHealth check.
     */
    static DevAgent start(String node, int serverPort) throws Exception {
        return start(node, serverPort, "");
    }

    /** {@link #start(String, int)} with more top-level config keys ({@code "telemetry": {...}}), or "". */
    static DevAgent start(String node, int serverPort, String moreConfig) throws Exception {
        return start(node, serverPort, moreConfig, "");
    }

    /** {@link #start(String, int, String)} waiting for the node's registration with {@code token} ("" for none). */
    static DevAgent start(String node, int serverPort, String moreConfig, String token) throws Exception {
        var cfg = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"" + node + "\", "
                + "\"ports\": {\"http\": 0, \"server\": " + serverPort + "}"
                + (moreConfig.isEmpty() ? "" : ", " + moreConfig) + "}").getAsJsonObject(), "test").build();
        var registry = PluginRegistry.of(new ServiceLoaderPluginSource(DevAgent.class.getClassLoader()).load());
        DevAgent a = new DevAgent(Agent.start(cfg, registry, "embedded"));
        boolean registered = a.waitFor(Duration.ofSeconds(30), () -> {
            try {
                return Http.send(a.agent, "GET", "/v1/health/node/" + node, null,
                        token.isEmpty() ? java.util.Map.of() : java.util.Map.of("X-Consul-Token", token)).body()
                        .contains("serfHealth");
            } catch (Exception e) {
                return false;
            }
        });
        if (!registered) {
            a.close();
            throw new AssertionError("the local node was not registered in the catalog");
        }
        return a;
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return Http.send(agent, method, path, body);
    }

    /** GET expecting 200; returns the parsed JSON body. */
    JsonElement get(String path) throws Exception {
        HttpResponse<String> r = send("GET", path, null);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JsonParser.parseString(r.body());
    }

    /** PUT expecting 200; returns the body. */
    String put(String path, String body) throws Exception {
        HttpResponse<String> r = send("PUT", path, body);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }

    static long index(HttpResponse<?> r) {
        return Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow());
    }

    /** Polls {@code cond} every 20 ms until it holds or {@code limit} passes. */
    boolean waitFor(Duration limit, BooleanSupplier cond) throws InterruptedException {
        return TestCluster.waitFor(limit, cond);
    }

    @Override
    public void close() {
        agent.shutdown(false);
    }
}

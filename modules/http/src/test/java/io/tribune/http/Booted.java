package io.tribune.http;

import io.tribune.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** An in-process dev agent started from a config fragment, with its HTTP API on a loopback port. */
final class Booted implements AutoCloseable {
    final Agent agent;
    final String node;
    final String base;
    final HttpClient http = HttpClient.newHttpClient();

    private Booted(Agent agent, String node) {
        this.agent = agent;
        this.node = node;
        this.base = "http://127.0.0.1:" + agent.httpAddress().orElseThrow().getPort();
    }

    /** {@code serverPort} must differ between test classes (the in-process transport keys on it). */
    static Booted start(String node, int serverPort, String extra) throws Exception {
        AgentConfig cfg = load("{\"dev\": true, \"node_name\": \"" + node + "\", \"ports\": {\"http\": 0, "
                + "\"server\": " + serverPort + "}" + (extra.isEmpty() ? "" : ", " + extra) + "}");
        var registry = PluginRegistry.of(new ServiceLoaderPluginSource(Booted.class.getClassLoader()).load());
        Booted b = new Booted(Agent.start(cfg, registry, "embedded"), node);
        if (!b.waitFor(Duration.ofSeconds(30), () -> b.catalogCheck("serfHealth") != null)) {
            b.close();
            throw new AssertionError("the local node was not registered in the catalog");
        }
        return b;
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonElement get(String path) throws Exception {
        HttpResponse<String> r = send("GET", path, null);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JsonParser.parseString(r.body());
    }

    void put(String path, String body) throws Exception {
        HttpResponse<String> r = send("PUT", path, body);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
    }

    /** The check as the catalog holds it, or null. */
    JsonObject catalogCheck(String id) {
        try {
            for (JsonElement c : get("/v1/health/node/" + node).getAsJsonArray()) {
                if (c.getAsJsonObject().get("CheckID").getAsString().equals(id)) {
                    return c.getAsJsonObject();
                }
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    String catalogCheckStatus(String id) {
        JsonObject c = catalogCheck(id);
        return c == null ? "" : c.get("Status").getAsString();
    }

    /** The node's service ids in the catalog. */
    java.util.Set<String> catalogServices() throws Exception {
        JsonElement n = get("/v1/catalog/node/" + node);
        if (n.isJsonNull()) {
            return java.util.Set.of();
        }
        return n.getAsJsonObject().getAsJsonObject("Services").keySet();
    }

    boolean waitFor(Duration limit, BooleanSupplier cond) throws InterruptedException {
        return Poll.until(limit, cond);
    }

    @Override
    public void close() {
        agent.shutdown(false);
    }

    static AgentConfig load(String json) {
        return new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), "test").build();
    }
}

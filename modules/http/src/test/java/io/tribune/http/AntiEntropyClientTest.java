package io.tribune.http;

import io.tribune.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.api.membership.Member;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anti-entropy on a client agent (no local replica): one single-node server and one client that
 * finds it through gossip; the client's catalog entry is changed behind its back on the server.
 */
@Timeout(120)
class AntiEntropyClientTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @TempDir
    static Path dirs;
    private static Agent server;
    private static Agent client;

    private static Agent start(String json) {
        var cfg = new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), "test").build();
        var registry = PluginRegistry.of(new ServiceLoaderPluginSource(AntiEntropyClientTest.class.getClassLoader())
                .load());
        return Agent.start(cfg, registry, "embedded");
    }

    private static String common(String node) {
        return "\"node_name\": \"" + node + "\", \"bind_addr\": \"127.0.0.1\", \"advertise_addr\": \"127.0.0.1\", "
                + "\"data_dir\": \"" + dirs.resolve(node).toString().replace("\\", "/") + "\", "
                + "\"ports\": {\"http\": 0, \"server\": 0, \"serf_lan\": 0, \"serf_wan\": -1}, "
                + "\"plugins\": {\"storage\": \"storage-memory\", \"consensus\": \"consensus-single\", "
                + "\"transport\": \"transport-inproc\", \"membership\": \"gossip-swim\"}, "
                + "\"plugin_config\": {\"transport-inproc.hub\": \"ae-client-test\", \"gossip-swim.profile\": \"local\"}";
    }

    @BeforeAll
    static void startAgents() throws Exception {
        server = start("{" + common("aesrv") + ", \"server\": true, \"bootstrap\": true}");
        Member m = server.membership().localMember();
        client = start("{" + common("aecli") + ", \"server\": false, \"anti_entropy_interval\": \"1s\", "
                + "\"start_join\": [\"" + m.host() + ":" + m.port() + "\"], "
                + "\"service\": {\"id\": \"api1\", \"name\": \"api\", \"port\": 7000}}");
        assertTrue(waitFor(() -> services().contains("api1")), "the client's config service never reached the catalog");
    }

    @AfterAll
    static void stopAgents() {
        if (client != null) {
            client.shutdown(false);
        }
        if (server != null) {
            server.shutdown(false);
        }
    }

    private static HttpResponse<String> send(Agent a, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + a.httpAddress().orElseThrow().getPort() + path)).timeout(Duration.ofSeconds(30));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The client node's service ids as the server's catalog holds them. */
    private static Set<String> services() {
        try {
            HttpResponse<String> r = send(server, "GET", "/v1/catalog/node/aecli", null);
            JsonElement n = JsonParser.parseString(r.body());
            return r.statusCode() != 200 || n.isJsonNull() ? Set.of()
                    : n.getAsJsonObject().getAsJsonObject("Services").keySet();
        } catch (Exception e) {
            return Set.of();
        }
    }

    private static boolean waitFor(BooleanSupplier cond) throws InterruptedException {
        return Poll.until(Duration.ofSeconds(30), cond);
    }

    @Test
    void clientRepairsDriftThroughTheServer() throws Exception {
        HttpResponse<String> r = send(server, "PUT", "/v1/catalog/deregister", "{\"Node\": \"aecli\", "
                + "\"ServiceID\": \"api1\"}");
        assertEquals(200, r.statusCode(), r.body());
        r = send(server, "PUT", "/v1/catalog/register", "{\"Node\": \"aecli\", \"SkipNodeUpdate\": true, "
                + "\"Service\": {\"ID\": \"foreign\", \"Service\": \"foreign\", \"Port\": 1}}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(waitFor(() -> services().contains("api1") && !services().contains("foreign")),
                "the client did not repair its catalog entry: " + services());
    }
}

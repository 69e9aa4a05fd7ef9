package io.tribune.agent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent cache and {@code ?max_stale} in a real in-process cluster: two raft servers and a
 * client agent (gossip-swim on 127.0.0.1, in-process transport). The scenarios run in order: the
 * second stops the leader, which leaves the other server without a quorum (so without a leader
 * for good) and the client with no server that can answer a non-stale read.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AgentCacheMaxStaleClusterTest {
    /** Short hold so requests that need the missing leader fail fast. */
    private static final Duration HOLD = Duration.ofSeconds(1);
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Agent s1;
    private static Agent s2;
    private static Agent client;
    @TempDir
    static Path dataDirs;

    @BeforeAll
    static void startCluster() throws Exception {
        var registry = PluginRegistry.of(new ServiceLoaderPluginSource(AgentCacheMaxStaleClusterTest.class
                .getClassLoader()).load());
        s1 = Agent.start(config("cache-s1", true, true), registry, "embedded");
        assertTrue(waitFor(() -> s1.consensus().orElseThrow().isLeader()), "s1 never became leader");
        String seed = "127.0.0.1:" + s1.membership().localMember().port();
        s2 = Agent.start(config("cache-s2", true, false), registry, "embedded");
        s2.membership().join(List.of(seed)).get(10, TimeUnit.SECONDS);
        client = Agent.start(config("cache-c1", false, false), registry, "embedded");
        client.membership().join(List.of(seed)).get(10, TimeUnit.SECONDS);
        assertTrue(waitFor(() -> client.rpc().serverList().size() == 2), "client did not learn the servers");
        assertTrue(waitFor(() -> s2.consensus().orElseThrow().configuration().size() == 2
                && s2.consensus().orElseThrow().leadership().leader().isPresent()), "s2 did not join the configuration");
        HttpResponse<String> reg = send(client, "PUT", "/v1/catalog/register", "{\"Node\": \"web-node\","
                + " \"Address\": \"10.1.1.1\", \"Service\": {\"Service\": \"web\", \"Port\": 80}}");
        assertEquals(200, reg.statusCode(), reg.body());
        assertTrue(waitFor(() -> bodyOf(s2, "/v1/health/service/web?stale").contains("web-node")),
                "the registration did not reach s2");
    }

    @AfterAll
    static void stopCluster() {
        for (Agent a : new Agent[] {client, s2, s1}) {
            if (a != null) {
                a.shutdown(false);
            }
        }
    }

    private static AgentConfig config(String node, boolean server, boolean bootstrap) {
        String json = "{\"node_name\": \"" + node + "\", \"datacenter\": \"dc1\", \"server\": " + server
                + ", \"bootstrap\": " + bootstrap + ", \"data_dir\": \""
                + dataDirs.resolve(node).toString().replace("\\", "/") + "\", \"bind_addr\": \"127.0.0.1\","
                + " \"advertise_addr\": \"127.0.0.1\", \"ports\": {\"http\": 0, \"server\": 0, \"serf_lan\": 0, \"serf_wan\": 0},"
                + " \"plugins\": {\"storage\": \"storage-memory\", \"consensus\": \"raft\","
                + " \"transport\": \"transport-inproc\", \"membership\": \"gossip-swim\"},"
                + " \"plugin_config\": {\"transport-inproc.hub\": \"agent-cache-test\", \"gossip-swim.profile\": \"local\","
                + " \"raft.leave.transfer\": \"false\"},"
                + " \"performance\": {\"rpc_hold_timeout\": \"" + HOLD.toSeconds() + "s\"}}";
        return new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), node).build();
    }

    @Test
    @Order(1)
    void cachedHealthReadOnTheClientMissesThenHits() throws Exception {
        HttpResponse<String> first = send(client, "GET", "/v1/health/service/web?cached", null);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("MISS", first.headers().firstValue("X-Cache").orElseThrow());
        assertTrue(first.body().contains("web-node"), first.body());
        HttpResponse<String> second = send(client, "GET", "/v1/health/service/web?cached", null);
        assertEquals("HIT", second.headers().firstValue("X-Cache").orElseThrow());
        assertEquals(first.body(), second.body());
        assertEquals("0", second.headers().firstValue("Age").orElseThrow());
        // The background refresh sees a new instance without the caller asking the servers.
        assertEquals(200, send(client, "PUT", "/v1/catalog/register", "{\"Node\": \"web-node-2\","
                + " \"Address\": \"10.1.1.2\", \"Service\": {\"Service\": \"web\", \"Port\": 80}}").statusCode());
        assertTrue(waitFor(() -> bodyOf(client, "/v1/health/service/web?cached").contains("web-node-2")),
                "the cached entry was not refreshed");
    }

    @Test
    @Order(2)
    void maxStaleOnAFreshFollowerIsServedLocally() throws Exception {
        long before = s2.rpc().stats().get("reads_to_leader");
        HttpResponse<String> r = send(s2, "GET", "/v1/health/service/web?stale&max_stale=1h", null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(before, (long) s2.rpc().stats().get("reads_to_leader"), "a fresh stale read went to the leader");
        assertEquals(400, send(s2, "GET", "/v1/health/service/web?stale&max_stale=soon", null).statusCode());
    }

    @Test
    @Order(3)
    void withServersUnableToAnswerTheClientKeepsServingTheCacheAndMaxStaleSendsOldReadsToTheLeader()
            throws Exception {
        s1.shutdown(false);
        // s2 alone is no quorum: it never has a leader again.
        assertTrue(waitFor(() -> s2.consensus().orElseThrow().leadership().leader().isEmpty()), "s2 still sees a leader");

        HttpResponse<String> uncached = send(client, "GET", "/v1/health/service/web", null);
        assertEquals(500, uncached.statusCode(), "the servers answered a default read without a leader: "
                + uncached.body());
        HttpResponse<String> cached = send(client, "GET", "/v1/health/service/web?cached", null);
        assertEquals(200, cached.statusCode(), cached.body());
        assertEquals("HIT", cached.headers().firstValue("X-Cache").orElseThrow());
        assertTrue(cached.body().contains("web-node") && cached.body().contains("web-node-2"), cached.body());
        // Once a refresh has failed, Age counts from the last answer a server gave.
        assertTrue(waitFor(() -> {
            try {
                return Long.parseLong(send(client, "GET", "/v1/health/service/web?cached", null).headers()
                        .firstValue("Age").orElse("0")) >= 1;
            } catch (Exception e) {
                return false;
            }
        }), "Age did not grow while the servers could not answer");

        // On the leaderless follower: plain stale still answers; with max_stale the read needs a
        // leader (a follower without one cannot bound its staleness), which there is none of.
        assertEquals(200, send(s2, "GET", "/v1/health/service/web?stale", null).statusCode());
        HttpResponse<String> tooStale = send(s2, "GET", "/v1/health/service/web?stale&max_stale=2s", null);
        assertEquals(500, tooStale.statusCode(), tooStale.body());
        assertTrue(tooStale.body().contains("No cluster leader"), tooStale.body());
    }

    private static String bodyOf(Agent a, String path) {
        try {
            HttpResponse<String> r = send(a, "GET", path, null);
            return r.statusCode() == 200 ? r.body() : "";
        } catch (Exception e) {
            return "";
        }
    }

    private static HttpResponse<String> send(Agent a, String method, String path, String body) throws Exception {
        String base = "http://127.0.0.1:" + a.httpAddress().orElseThrow().getPort();
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(LIMIT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean waitFor(BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return cond.getAsBoolean();
    }
}

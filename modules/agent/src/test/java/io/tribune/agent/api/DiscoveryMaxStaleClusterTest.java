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
 * {@code discovery_max_stale} in a real in-process cluster: two raft servers and a client agent
 * (gossip-swim on 127.0.0.1, in-process transport), every agent configured with a 10 s bound. The
 * last scenario stops the leader, which leaves the other server without a quorum, so without a
 * leader for good.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DiscoveryMaxStaleClusterTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
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
        var registry = PluginRegistry.of(new ServiceLoaderPluginSource(DiscoveryMaxStaleClusterTest.class
                .getClassLoader()).load());
        s1 = Agent.start(config("dms-s1", true, true), registry, "embedded");
        assertTrue(waitFor(() -> s1.consensus().orElseThrow().isLeader()), "s1 never became leader");
        String seed = "127.0.0.1:" + s1.membership().localMember().port();
        s2 = Agent.start(config("dms-s2", true, false), registry, "embedded");
        s2.membership().join(List.of(seed)).get(10, TimeUnit.SECONDS);
        client = Agent.start(config("dms-c1", false, false), registry, "embedded");
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
                + " \"discovery_max_stale\": \"" + BOUND.toSeconds() + "s\","
                + " \"plugins\": {\"storage\": \"storage-memory\", \"consensus\": \"raft\","
                + " \"transport\": \"transport-inproc\", \"membership\": \"gossip-swim\"},"
                + " \"plugin_config\": {\"transport-inproc.hub\": \"discovery-stale-test\", \"gossip-swim.profile\": \"local\","
                + " \"raft.leave.transfer\": \"false\"},"
                + " \"performance\": {\"rpc_hold_timeout\": \"" + HOLD.toSeconds() + "s\"}}";
        return new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), node).build();
    }

    private static long readsToLeader(Agent a) {
        return a.rpc().stats().get("reads_to_leader");
    }

    @Test
    @Order(1)
    void followerServesDiscoveryReadsLocallyWithinTheBound() throws Exception {
        assertEquals(BOUND, s2.config().discoveryMaxStale());
        long before = readsToLeader(s2);
        for (String path : List.of("/v1/health/service/web", "/v1/catalog/service/web", "/v1/catalog/nodes")) {
            HttpResponse<String> r = send(s2, "GET", path, null);
            assertEquals(200, r.statusCode(), path + ": " + r.body());
            assertTrue(r.body().contains("web-node"), r.body());
            assertEquals("stale", r.headers().firstValue("X-Consul-Effective-Consistency").orElseThrow(), path);
            assertEquals("true", r.headers().firstValue("X-Consul-KnownLeader").orElseThrow(), path);
            long lastContact = Long.parseLong(r.headers().firstValue("X-Consul-LastContact").orElseThrow());
            assertTrue(lastContact >= 0 && lastContact <= BOUND.toMillis(), "LastContact " + lastContact);
        }
        assertEquals(before, readsToLeader(s2), "a discovery read within the bound went to the leader");
    }

    @Test
    @Order(2)
    void explicitModesAndNonDiscoveryReadsKeepTheirRoute() throws Exception {
        long before = readsToLeader(s2);
        HttpResponse<String> consistent = send(s2, "GET", "/v1/catalog/nodes?consistent", null);
        assertEquals(200, consistent.statusCode(), consistent.body());
        assertEquals("consistent", consistent.headers().firstValue("X-Consul-Effective-Consistency").orElseThrow());
        assertEquals("0", consistent.headers().firstValue("X-Consul-LastContact").orElseThrow(), "answered by the leader");
        assertEquals(before + 1, readsToLeader(s2));
        // The KV store is not service discovery: a default read still needs the leader's lease.
        assertEquals(200, send(s1, "PUT", "/v1/kv/dms/k", "v").statusCode());
        HttpResponse<String> kv = send(s2, "GET", "/v1/kv/dms/k", null);
        assertEquals(200, kv.statusCode(), kv.body());
        assertEquals("leader", kv.headers().firstValue("X-Consul-Effective-Consistency").orElseThrow());
        assertEquals(before + 2, readsToLeader(s2));
    }

    @Test
    @Order(3)
    void clientAgentsSettingTravelsWithItsRequest() throws Exception {
        // Whichever server the client picks, both are fresh: the read is served stale there.
        HttpResponse<String> r = send(client, "GET", "/v1/health/service/web", null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("stale", r.headers().firstValue("X-Consul-Effective-Consistency").orElseThrow());
        assertTrue(r.body().contains("web-node"), r.body());
    }

    @Test
    @Order(4)
    void followerWithoutALeaderFallsBackToTheDefaultModeWhichNeedsTheLeader() throws Exception {
        s1.shutdown(false);
        assertTrue(waitFor(() -> s2.consensus().orElseThrow().leadership().leader().isEmpty()), "s2 still sees a leader");
        HttpResponse<String> r = send(s2, "GET", "/v1/health/service/web", null);
        assertEquals(500, r.statusCode(), "a leaderless follower answered a discovery read: " + r.body());
        assertTrue(r.body().contains("No cluster leader"), r.body());
        // An explicit ?stale read is still served: the bound only applies to default-mode reads.
        HttpResponse<String> stale = send(s2, "GET", "/v1/health/service/web?stale", null);
        assertEquals(200, stale.statusCode(), stale.body());
        assertTrue(stale.body().contains("web-node"), stale.body());
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

    /** Polls {@code cond} every 20 ms until it holds or {@link #LIMIT} passes. */
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

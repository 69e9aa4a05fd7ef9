package io.tribune.http;

import static io.tribune.http.Http.bodyOf;
import static io.tribune.http.Http.send;
import static io.tribune.agent.testing.TestCluster.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.Agent;
import io.tribune.agent.testing.TestCluster;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

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
    @RegisterExtension
    // raft.follower-reads=false: the scenario needs the client's background refresh (a blocking
    // query) to fail once the leader stops. With follower reads a follower serves that query itself,
    // and its long poll outlives the leader, so whether the refresh fails would depend on which
    // server the client picked.
    static final TestCluster cluster = TestCluster.builder("agent-cache-test").holdTimeout(HOLD)
            .pluginConfig("raft.leave.transfer", "false").pluginConfig("raft.follower-reads", "false")
            .servers("cache-s1", "cache-s2").clients("cache-c1").build();
    private static Agent s1;
    private static Agent s2;
    private static Agent client;

    @BeforeAll
    static void registerAService() throws Exception {
        s1 = cluster.agent("cache-s1");
        s2 = cluster.agent("cache-s2");
        client = cluster.client();
        Http.registerService(client, "web-node", "10.1.1.1", "web", s2);
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
        long before = s2.rpcStats().get("reads_to_leader");
        HttpResponse<String> r = send(s2, "GET", "/v1/health/service/web?stale&max_stale=1h", null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(before, (long) s2.rpcStats().get("reads_to_leader"), "a fresh stale read went to the leader");
        assertEquals(400, send(s2, "GET", "/v1/health/service/web?stale&max_stale=soon", null).statusCode());
    }

    @Test
    @Order(3)
    void withServersUnableToAnswerTheClientKeepsServingTheCacheAndMaxStaleSendsOldReadsToTheLeader()
            throws Exception {
        cluster.stop(s1);
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
}

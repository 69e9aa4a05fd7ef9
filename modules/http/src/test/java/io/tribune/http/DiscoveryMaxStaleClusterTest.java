package io.tribune.http;

import static io.tribune.http.Http.send;
import static io.tribune.agent.testing.TestCluster.stat;
import static io.tribune.agent.testing.TestCluster.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.Agent;
import io.tribune.agent.testing.TestCluster;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

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
    @RegisterExtension
    static final TestCluster cluster = TestCluster.builder("discovery-stale-test").holdTimeout(HOLD)
            .setting("discovery_max_stale", BOUND.toSeconds() + "s")
            .pluginConfig("raft.leave.transfer", "false").servers("dms-s1", "dms-s2").clients("dms-c1").build();
    private static Agent s1;
    private static Agent s2;
    private static Agent client;

    @BeforeAll
    static void registerAService() throws Exception {
        s1 = cluster.agent("dms-s1");
        s2 = cluster.agent("dms-s2");
        client = cluster.client();
        Http.registerService(client, "web-node", "10.1.1.1", "web", s2);
    }

    private static long readsToLeader(Agent a) {
        return stat(a, "reads_to_leader");
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
        // (Confirmed by the leader's read index and served on the follower: not forwarded, not stale.)
        assertEquals(before, readsToLeader(s2));
        // The KV store is not service discovery: a default read still needs the leader's lease.
        assertEquals(200, send(s1, "PUT", "/v1/kv/dms/k", "v").statusCode());
        HttpResponse<String> kv = send(s2, "GET", "/v1/kv/dms/k", null);
        assertEquals(200, kv.statusCode(), kv.body());
        assertTrue(kv.body().contains("\"Key\":\"dms/k\""), "the write acknowledged before is seen: " + kv.body());
        assertEquals("leader", kv.headers().firstValue("X-Consul-Effective-Consistency").orElseThrow());
        assertEquals(before, readsToLeader(s2));
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
        cluster.stop(s1);
        assertTrue(waitFor(() -> s2.consensus().orElseThrow().leadership().leader().isEmpty()), "s2 still sees a leader");
        HttpResponse<String> r = send(s2, "GET", "/v1/health/service/web", null);
        assertEquals(500, r.statusCode(), "a leaderless follower answered a discovery read: " + r.body());
        assertTrue(r.body().contains("No cluster leader"), r.body());
        // An explicit ?stale read is still served: the bound only applies to default-mode reads.
        HttpResponse<String> stale = send(s2, "GET", "/v1/health/service/web?stale", null);
        assertEquals(200, stale.statusCode(), stale.body());
        assertTrue(stale.body().contains("web-node"), stale.body());
    }
}

package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static io.tribune.http.Http.bodyOf;
import static io.tribune.http.Http.send;
import static io.tribune.http.Http.sendAsync;
import static io.tribune.agent.testing.TestCluster.stat;
import static io.tribune.agent.testing.TestCluster.waitFor;

import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.testing.TestCluster;
import io.tribune.api.transport.Endpoint;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Forwarding in a real in-process cluster: three servers running raft over the in-process
 * transport (one hub of its own), one client agent, all discovering each other through
 * gossip-swim (local timing) on 127.0.0.1. The scenarios run in order because the last ones stop
 * servers: first a leader (election while writes are held), then the client's server (failover),
 * leaving one of three servers (no leader at all).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForwardingClusterTest {
    /** Short hold so the no-leader case fails fast; still several election timeouts (0.5-1 s). */
    private static final Duration HOLD = Duration.ofSeconds(4);
    @RegisterExtension
    static final TestCluster cluster = TestCluster.builder("forwarding-test").holdTimeout(HOLD)
            // A stopped leader hands off nothing: the others must time out and elect (Raft §5.2).
            .pluginConfig("raft.leave.transfer", "false").servers("s1", "s2", "s3").clients("c1").build();
    private static Agent client;

    @BeforeAll
    static void awaitRegistrations() throws Exception {
        client = cluster.client();
        // Every agent registers itself in the catalog (the client and followers through forwarding);
        // waiting for it keeps background writes out of the scenarios' counters.
        Http.awaitEveryNodeInCatalog(cluster, "");
    }

    // ---------------------------------------------------------------- scenarios

    @Test
    @Order(1)
    void writeThroughAFollowerCommitsOnTheLeader() throws Exception {
        Agent f = follower();
        long before = stat(f, "writes_to_leader");
        HttpResponse<String> r = send(f, "PUT", "/v1/kv/fwd/a", "one");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("true", r.body());
        // (Background catalog writes of the agents are forwarded too, so count at least this one.)
        assertTrue(stat(f, "writes_to_leader") > before, "the follower forwarded no apply");
        assertEquals("one", send(leader(), "GET", "/v1/kv/fwd/a?raw", null).body());
        // A handler that reads back what it wrote (the event's LTime is its raft index) waits for
        // the follower's own state machine.
        HttpResponse<String> ev = send(f, "PUT", "/v1/event/fire/deploy", "p");
        assertEquals(200, ev.statusCode(), ev.body());
        long ltime = JsonParser.parseString(ev.body()).getAsJsonObject().get("LTime").getAsLong();
        assertTrue(ltime > 0, ev.body());
        // The follower learns of the commit with the leader's next heartbeat.
        assertTrue(waitFor(() -> "one".equals(bodyOf(f, "/v1/kv/fwd/a?raw&stale"))));
    }

    @Test
    @Order(2)
    void consistentReadOnAFollowerIsConfirmedByTheLeaderAndServedThere() throws Exception {
        Agent f = follower();
        long forwarded = stat(f, "reads_to_leader");
        HttpResponse<String> r = send(f, "GET", "/v1/kv/fwd/a?raw&consistent", null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("one", r.body());
        // The raft plugin serves the barrier on the follower from the leader's read index (thesis
        // §6.4), so the request itself is not forwarded.
        assertEquals(forwarded, stat(f, "reads_to_leader"));
        assertEquals("true", r.headers().firstValue("X-Consul-KnownLeader").orElseThrow());
        // A default-mode read is confirmed by the leader's lease, and served there too.
        assertEquals("one", send(f, "GET", "/v1/kv/fwd/a?raw", null).body());
        assertEquals(forwarded, stat(f, "reads_to_leader"));
    }

    @Test
    @Order(3)
    void staleReadOnAFollowerIsServedLocally() throws Exception {
        Agent f = follower();
        long forwarded = stat(f, "reads_to_leader");
        HttpResponse<String> r = send(f, "GET", "/v1/kv/fwd/a?stale", null);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"Key\":\"fwd/a\""), r.body());
        assertEquals(forwarded, stat(f, "reads_to_leader"));
        assertEquals("true", r.headers().firstValue("X-Consul-KnownLeader").orElseThrow());
        assertTrue(r.headers().firstValue("X-Consul-LastContact").isPresent());
    }

    @Test
    @Order(4)
    void writeAndReadThroughTheClientAgent() throws Exception {
        long before = stat(client, "requests_to_server");
        HttpResponse<String> w = send(client, "PUT", "/v1/kv/fwd/b", "two");
        assertEquals(200, w.statusCode(), w.body());
        assertEquals("true", w.body());
        HttpResponse<String> r = send(client, "GET", "/v1/kv/fwd/b?raw", null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("two", r.body());
        assertTrue(stat(client, "requests_to_server") >= before + 2);
        // Headers an old agent used between agents mean nothing on the HTTP API: a caller cannot pose as
        // a forwarding hop.
        HttpResponse<String> s = send(client, "GET", "/v1/kv/fwd/b?raw", null,
                Map.of("X-Tribune-Forwarded", "client"));
        assertEquals(200, s.statusCode(), s.body());
        assertEquals("two", s.body());
        // The client's own catalog registration went through a server as a forwarded apply.
        assertTrue(waitFor(() -> bodyOf(client, "/v1/catalog/nodes").contains("\"Node\":\"c1\"")),
                "client node never appeared in the catalog");
        // Agent endpoints stay local: the client answers /v1/agent/self about itself.
        assertTrue(bodyOf(client, "/v1/agent/self").contains("\"NodeName\":\"c1\""));
        // A session created through the client without a Node belongs to the client, as in Consul,
        // although a server serves the request; a caller cannot pose as another origin.
        HttpResponse<String> created = send(client, "PUT", "/v1/session/create", "{}",
                Map.of("X-Tribune-Origin-Node", "s1"));
        assertEquals(200, created.statusCode(), created.body());
        String id = JsonParser.parseString(created.body()).getAsJsonObject().get("ID").getAsString();
        String info = bodyOf(client, "/v1/session/info/" + id);
        assertTrue(info.contains("\"Node\":\"c1\""), info);
    }

    @Test
    @Order(5)
    void unknownDatacenterFailsWithNoPathOnServersAndClients() throws Exception {
        for (Agent a : List.of(follower(), leader(), client)) {
            HttpResponse<String> r = send(a, "GET", "/v1/kv/fwd/a?dc=dc2", null);
            assertEquals(500, r.statusCode());
            assertEquals("No path to datacenter", r.body());
        }
        HttpResponse<String> w = send(client, "PUT", "/v1/kv/fwd/x?dc=dc2", "v");
        assertEquals(500, w.statusCode());
        assertEquals("No path to datacenter", w.body());
        assertEquals(404, send(leader(), "GET", "/v1/kv/fwd/x", null).statusCode(), "nothing was written");
        // The local datacenter named explicitly is served as usual.
        assertEquals("one", send(client, "GET", "/v1/kv/fwd/a?raw&dc=DC1", null).body());
    }

    @Test
    @Order(6)
    void forwardedBlockingQueryWakesOnAWrite() throws Exception {
        HttpResponse<String> first = send(client, "GET", "/v1/kv/fwd/b", null);
        long index = Long.parseLong(first.headers().firstValue("X-Consul-Index").orElseThrow());
        long servedBefore = servedHttpTotal();
        CompletableFuture<HttpResponse<String>> blocked = sendAsync(client, "GET",
                "/v1/kv/fwd/b?raw&wait=30s&index=" + index, null);
        // Wait until a server has taken the query (it then blocks in the state store's watch).
        assertTrue(waitFor(() -> servedHttpTotal() > servedBefore), "the blocking query never reached a server");
        assertEquals(200, send(follower(), "PUT", "/v1/kv/fwd/b", "three").statusCode());
        HttpResponse<String> woke = blocked.get(20, TimeUnit.SECONDS);
        assertEquals(200, woke.statusCode(), woke.body());
        assertEquals("three", woke.body());
        assertTrue(Long.parseLong(woke.headers().firstValue("X-Consul-Index").orElseThrow()) > index);
    }

    @Test
    @Order(8)
    void writesDuringALeaderElectionAreHeldAndSucceed() throws Exception {
        Agent old = leader();
        String oldName = old.config().nodeName();
        cluster.stop(old);
        Agent survivor = cluster.servers().get(0);
        long holds = stat(survivor, "holds");
        // Sent at once: for at least an election timeout the survivor still names the stopped
        // leader (unreachable) and then elects; the write is held meanwhile.
        HttpResponse<String> r = send(survivor, "PUT", "/v1/kv/fwd/c", "held");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("true", r.body());
        assertTrue(stat(survivor, "holds") > holds, "the write was never held");
        Agent now = leader();
        assertNotEquals(oldName, now.config().nodeName());
        assertEquals("held", send(now, "GET", "/v1/kv/fwd/c?raw", null).body());
    }

    @Test
    @Order(9)
    void clientMovesToAnotherServerWhenItsServerStops() throws Exception {
        // Let gossip drop the server stopped above, so the client's first choice is a live server.
        Endpoint gone = cluster.stopped().get(0).transport().localEndpoint();
        assertTrue(waitFor(() -> !client.serverList().contains(gone)), "stopped server still listed");
        Endpoint current = client.serverList().get(0);
        Agent target = cluster.servers().stream().filter(s -> s.transport().localEndpoint().equals(current)).findFirst()
                .orElseThrow();
        long failovers = stat(client, "failovers");
        cluster.stop(target);
        // Gossip has not noticed yet: the first attempt hits the stopped server and fails over.
        HttpResponse<String> r = send(client, "GET", "/v1/kv/fwd/a?raw&stale", null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("one", r.body());
        assertTrue(stat(client, "failovers") > failovers, "no failover was counted");
        assertNotEquals(current, client.serverList().get(0));
    }

    @Test
    @Order(10)
    void withNoLeaderAtAllAWriteFailsAfterTheHoldTimeout() throws Exception {
        Agent last = cluster.servers().get(0);
        assertTrue(waitFor(() -> last.consensus().orElseThrow().leadership().leader().isEmpty()
                || !last.consensus().orElseThrow().isLeader()));
        long start = System.nanoTime();
        HttpResponse<String> r = send(last, "PUT", "/v1/kv/fwd/d", "never");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(500, r.statusCode(), r.body());
        // Calls to the stopped leader were refused, never delivered (the transport says so): the
        // write certainly applied nowhere, so the answer is Consul's plain one.
        assertEquals("No cluster leader", r.body());
        // Behaviour, not speed: the request was held for the whole hold timeout before failing.
        assertTrue(tookMillis >= HOLD.toMillis() - 50, "failed after " + tookMillis + " ms, before the hold ended");
        HttpResponse<String> read = send(last, "GET", "/v1/kv/fwd/a?raw", null);
        assertEquals(500, read.statusCode());
        assertEquals("No cluster leader", read.body());
        // Stale reads need no leader.
        assertEquals("one", send(last, "GET", "/v1/kv/fwd/a?raw&stale", null).body());
    }

    /**
     * Opt-in figures ({@code -Dtribune.bench=true}, {@code -Dtribune.bench.n=N}): sequential write and
     * read latency over HTTP served by the leader itself, forwarded by a follower, and forwarded by
     * the client agent. Prints numbers; asserts only that the requests succeed.
     */
    @Test
    @Order(7)
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    @EnabledIfSystemProperty(named = "tribune.bench", matches = "true")
    void benchForwardingLatency() throws Exception {
        int n = Integer.getInteger("tribune.bench.n", 300);
        Map<String, Agent> via = new LinkedHashMap<>();
        via.put("leader", leader());
        via.put("follower", follower());
        via.put("client", client);
        for (Map.Entry<String, Agent> e : via.entrySet()) {
            for (String[] op : new String[][] {{"PUT", "/v1/kv/bench/k", "v"}, {"GET", "/v1/kv/bench/k", null},
                    {"GET", "/v1/kv/bench/k?consistent", null}, {"GET", "/v1/kv/bench/k?stale", null}}) {
                for (int i = 0; i < n / 5; i++) { // warm-up
                    send(e.getValue(), op[0], op[1], op[2]);
                }
                long[] micros = new long[n];
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = send(e.getValue(), op[0], op[1], op[2]);
                    micros[i] = (System.nanoTime() - t0) / 1000;
                    assertEquals(200, r.statusCode(), r.body());
                }
                Arrays.sort(micros);
                System.out.printf("bench forwarding via %-8s %-4s %-30s n=%d p50=%dus p99=%dus mean=%dus%n",
                        e.getKey(), op[0], op[1], n, micros[n / 2], micros[(int) (n * 0.99)],
                        Arrays.stream(micros).sum() / n);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Agent leader() throws InterruptedException {
        return cluster.leader();
    }

    private static Agent follower() throws InterruptedException {
        return cluster.follower();
    }

    private static long servedHttpTotal() {
        return cluster.servers().stream().mapToLong(s -> stat(s, "served_for_others")).sum();
    }
}

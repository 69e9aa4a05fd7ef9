package io.tribune.http;

import static io.tribune.http.Http.send;
import static io.tribune.agent.testing.TestCluster.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.testing.TestCluster;
import io.tribune.api.membership.Keyring;
import io.tribune.api.membership.MemberStatus;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
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
 * {@code /v1/operator/keyring} on a real in-process cluster: two raft servers and a client agent,
 * gossip-swim encrypting with a shared key on 127.0.0.1, the in-process transport carrying
 * {@code tribune.rpc.keyring}. A rotation through the API reaches every agent and gossip goes on
 * with the new key alone; a {@code use} or {@code remove} that would cut a member off changes
 * nothing and names it; a member whose transport stopped is named and makes the answer an error.
 * The scenarios run in order: the last one stops the client's transport.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KeyringClusterTest {
    private static final String K1 = key(16, 1);
    private static final String K2 = key(32, 2);
    private static final String K3 = key(24, 3);
    private static final String K4 = key(16, 4);
    private static String key(int bytes, int fill) {
        byte[] b = new byte[bytes];
        Arrays.fill(b, (byte) fill);
        return Base64.getEncoder().encodeToString(b);
    }

    @RegisterExtension
    static final TestCluster cluster = TestCluster.builder("keyring-cluster-test")
            .pluginConfig("gossip-swim.encrypt", K1).servers("kr-s1", "kr-s2").clients("kr-c1").build();
    private static Agent s1;
    private static Agent s2;
    private static Agent client;

    @BeforeAll
    static void awaitGossip() throws Exception {
        s1 = cluster.agent("kr-s1");
        s2 = cluster.agent("kr-s2");
        client = cluster.client();
        assertTrue(waitFor(() -> everyoneSees(3, s1, s2, client)), "the three agents did not see each other alive");
    }

    // ---------------------------------------------------------------- scenarios

    @Test
    @Order(1)
    void aRotationThroughTheApiReachesEveryAgentAndGossipGoesOnWithTheNewKeyAlone() throws Exception {
        JsonObject before = pool(client, "");
        assertEquals(3, before.get("NumNodes").getAsInt(), before.toString());
        assertEquals(Map.of(K1, 3), counts(before, "Keys"));
        assertEquals(Map.of(K1, 3), counts(before, "PrimaryKeys"));

        // Install through the client: when it answers, every agent holds the key.
        assertEquals(200, send(client, "POST", "/v1/operator/keyring", body(K2)).statusCode());
        for (Agent a : List.of(s1, s2, client)) {
            assertEquals(List.of(K1, K2), keyring(a).keys(), a.config().nodeName());
        }
        // Use through a server (a follower or the leader: no forwarding is involved).
        HttpResponse<String> use = send(s2, "PUT", "/v1/operator/keyring", body(K2));
        assertEquals(200, use.statusCode(), use.body());
        for (Agent a : List.of(s1, s2, client)) {
            assertEquals(K2, keyring(a).primaryKey(), a.config().nodeName());
        }
        JsonObject listed = pool(s1, "");
        assertEquals(3, listed.get("NumNodes").getAsInt());
        assertEquals(Map.of(K1, 3, K2, 3), counts(listed, "Keys"));
        assertEquals(Map.of(K2, 3), counts(listed, "PrimaryKeys"));
        // ?local-only is this agent alone.
        assertEquals(1, pool(client, "?local-only").get("NumNodes").getAsInt());

        assertEquals(200, send(client, "DELETE", "/v1/operator/keyring", body(K1)).statusCode());
        for (Agent a : List.of(s1, s2, client)) {
            assertEquals(List.of(K2), keyring(a).keys(), a.config().nodeName());
        }

        // Gossip works on the new key alone: an agent that knows only K2 joins and is seen by all,
        // and one that knows only the removed K1 cannot join.
        Agent fresh = cluster.startAgent("kr-c2", false, false, Map.of("gossip-swim.encrypt", K2));
        try {
            cluster.join(fresh);
            assertTrue(waitFor(() -> everyoneSees(4, s1, s2, client, fresh)), "kr-c2 was not seen by every agent");
            JsonObject four = pool(fresh, "");
            assertEquals(4, four.get("NumNodes").getAsInt());
            assertEquals(Map.of(K2, 4), counts(four, "Keys"));

            Agent stale = cluster.startAgent("kr-old", false, false, Map.of("gossip-swim.join-retries", "0"));
            try {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> stale.membership().join(List.of(cluster.seed())).get(20, TimeUnit.SECONDS));
                assertTrue(e.getCause() != null, "join failed without a cause");
                assertFalse(s1.membership().members().stream().anyMatch(m -> m.name().equals("kr-old")));
            } finally {
                cluster.stop(stale);
            }
        } finally {
            cluster.leave(fresh);
        }
        assertTrue(waitFor(() -> everyoneSees(3, s1, s2, client)), "kr-c2's leave did not reach every agent");
    }

    @Test
    @Order(2)
    void aUseOfAKeySomeMemberLacksOrARemoveOfAKeyInUseChangesNothingAndNamesTheMembers() throws Exception {
        String primary = keyring(s1).primaryKey();
        // Only kr-s2 holds K3: kr-s1 and kr-c1 cannot take the use, and applied on kr-s2 alone it
        // would leave them unable to read kr-s2's gossip. It is refused as a whole.
        assertEquals(200, send(s2, "POST", "/v1/operator/keyring?local-only", body(K3)).statusCode());
        HttpResponse<String> use = send(client, "PUT", "/v1/operator/keyring", body(K3));
        assertEquals(400, use.statusCode(), use.body());
        assertTrue(use.body().startsWith("2/3 nodes reported failure (nothing was changed)"), use.body());
        assertTrue(use.body().contains("\n  kr-c1: does not hold the key") && use.body().contains("\n  kr-s1: "),
                use.body());
        assertFalse(use.body().contains("kr-s2"), use.body());
        for (Agent a : List.of(s1, s2, client)) {
            assertEquals(primary, keyring(a).primaryKey(), a.config().nodeName());
        }

        // Everyone holds K3, kr-s2 encrypts with it: removing it would leave kr-s2 unheard.
        assertEquals(200, send(client, "POST", "/v1/operator/keyring", body(K3)).statusCode());
        assertEquals(200, send(s2, "PUT", "/v1/operator/keyring?local-only", body(K3)).statusCode());
        HttpResponse<String> remove = send(s1, "DELETE", "/v1/operator/keyring", body(K3));
        assertEquals(400, remove.statusCode(), remove.body());
        assertTrue(remove.body().startsWith("1/3 nodes reported failure (nothing was changed)\n  kr-s2: "),
                remove.body());
        for (Agent a : List.of(s1, s2, client)) {
            assertTrue(keyring(a).keys().contains(K3), a.config().nodeName());
        }
        assertEquals(Map.of(primary, 2, K3, 1), counts(pool(s1, ""), "PrimaryKeys"));

        assertEquals(200, send(s2, "PUT", "/v1/operator/keyring?local-only", body(primary)).statusCode());
        assertEquals(200, send(s1, "DELETE", "/v1/operator/keyring", body(K3)).statusCode());
        for (Agent a : List.of(s1, s2, client)) {
            assertEquals(List.of(primary), keyring(a).keys(), a.config().nodeName());
        }

        // Bad input is refused before anything is sent.
        assertEquals(400, send(client, "POST", "/v1/operator/keyring", "{\"Key\": \"c2hvcnQ=\"}").statusCode());
        assertEquals(400, send(client, "GET", "/v1/operator/keyring?relay-factor=9", null).statusCode());
        assertEquals(200, send(client, "GET", "/v1/operator/keyring?relay-factor=2", null).statusCode());
        assertEquals(List.of(primary), keyring(client).keys());
    }

    /**
     * Opt-in figures ({@code -Dtribune.bench=true}, {@code -Dtribune.bench.n=N}): latency of a
     * keyring listing and of an install (of a key every member already holds, so nothing changes)
     * over the three agents, sent to the client agent, which fans each out. Prints numbers; asserts
     * only that the requests succeed.
     */
    @Test
    @Order(3)
    @EnabledIfSystemProperty(named = "tribune.bench", matches = "true")
    void benchKeyringFanOutLatency() throws Exception {
        int n = Integer.getInteger("tribune.bench.n", 300);
        String held = keyring(s1).primaryKey();
        for (String[] op : new String[][] {{"GET", null}, {"POST", body(held)}, {"PUT", body(held)}}) {
            for (int i = 0; i < n / 5; i++) { // warm-up
                send(client, op[0], "/v1/operator/keyring", op[1]);
            }
            long[] micros = new long[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = send(client, op[0], "/v1/operator/keyring", op[1]);
                micros[i] = (System.nanoTime() - t0) / 1000;
                assertEquals(200, r.statusCode(), r.body());
            }
            Arrays.sort(micros);
            System.out.printf("bench keyring via client %-4s members=3 n=%d p50=%dus p99=%dus mean=%dus%n", op[0], n,
                    micros[n / 2], micros[(int) (n * 0.99)], Arrays.stream(micros).sum() / n);
        }
    }

    @Test
    @Order(4)
    void aMemberThatAnswersNoKeyringQueriesIsNamedAndTheAnswerIsAnError() throws Exception {
        String primary = keyring(s1).primaryKey();
        // Gossip still sees kr-c1 alive, but it answers no keyring query (as an agent of another
        // version would not).
        client.keyring().close();

        HttpResponse<String> install = send(s1, "POST", "/v1/operator/keyring", body(K4));
        assertEquals(500, install.statusCode(), install.body());
        assertTrue(install.body().startsWith("1/3 nodes reported failure\n  kr-c1: "), install.body());
        // Reported, not hidden: the members that answered applied it.
        assertTrue(keyring(s1).keys().contains(K4) && keyring(s2).keys().contains(K4));
        assertFalse(keyring(client).keys().contains(K4));

        HttpResponse<String> list = send(s2, "GET", "/v1/operator/keyring", null);
        assertEquals(500, list.statusCode(), list.body());
        assertTrue(list.body().contains("kr-c1: "), list.body());
        assertEquals(1, pool(s2, "?local-only").get("NumNodes").getAsInt());

        // A use cannot check kr-c1, so it changes nothing.
        HttpResponse<String> use = send(s1, "PUT", "/v1/operator/keyring", body(K4));
        assertEquals(500, use.statusCode(), use.body());
        assertTrue(use.body().startsWith("1/3 nodes reported failure (nothing was changed)"), use.body());
        for (Agent a : List.of(s1, s2, client)) {
            assertEquals(primary, keyring(a).primaryKey(), a.config().nodeName());
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Keyring keyring(Agent a) {
        return a.membership().keyring().orElseThrow();
    }

    private static String body(String key) {
        return "{\"Key\": \"" + key + "\"}";
    }

    /** The one pool of a 200 listing. */
    private static JsonObject pool(Agent a, String query) throws Exception {
        HttpResponse<String> r = send(a, "GET", "/v1/operator/keyring" + query, null);
        assertEquals(200, r.statusCode(), r.body());
        return JsonParser.parseString(r.body()).getAsJsonArray().get(0).getAsJsonObject();
    }

    private static Map<String, Integer> counts(JsonObject pool, String field) {
        Map<String, Integer> out = new TreeMap<>();
        pool.getAsJsonObject(field).entrySet().forEach(e -> out.put(e.getKey(), e.getValue().getAsInt()));
        return out;
    }

    /** Whether each of {@code agents} sees exactly {@code n} alive members. */
    private static boolean everyoneSees(int n, Agent... agents) {
        for (Agent a : agents) {
            if (a.membership().members().stream().filter(m -> m.status() == MemberStatus.ALIVE).count() != n) {
                return false;
            }
        }
        return true;
    }
}

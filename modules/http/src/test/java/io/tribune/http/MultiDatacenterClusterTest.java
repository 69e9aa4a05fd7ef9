package io.tribune.http;

import static io.tribune.agent.testing.TestCluster.waitFor;
import static io.tribune.http.Http.bodyOf;
import static io.tribune.http.Http.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.testing.TestCluster;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
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
 * Two datacenters in one JVM: dc1 (a server and a client agent) and dc2 (a server and a client
 * agent), one in-process transport hub, each datacenter its own LAN pool, the two servers federated
 * through their WAN pool. Everything goes through the HTTP API of the agents, as a user's client
 * would. The last scenario stops dc2's server, so the scenarios run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MultiDatacenterClusterTest {
    private static final String HUB = "multi-dc-test";
    @RegisterExtension
    static final TestCluster dc1 = TestCluster.builder(HUB).datacenter("dc1").holdTimeout(Duration.ofSeconds(3))
            .servers("one-s").clients("one-c").build();
    @RegisterExtension
    static final TestCluster dc2 = TestCluster.builder(HUB).datacenter("dc2").holdTimeout(Duration.ofSeconds(3))
            .servers("two-s").clients("two-c").build();

    @BeforeAll
    static void federate() throws Exception {
        dc2.joinWan(dc1);
        Http.awaitEveryNodeInCatalog(dc1, "");
        Http.awaitEveryNodeInCatalog(dc2, "");
    }

    private static List<String> strings(String json) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(json).getAsJsonArray()) {
            out.add(e.isJsonObject() ? e.getAsJsonObject().get("Name").getAsString() : e.getAsString());
        }
        return out;
    }

    @Test
    @Order(1)
    void theWanPoolListsTheServersOfBothDatacentersByNodeDotDatacenterAndAClientHasNone() throws Exception {
        for (Agent s : List.of(dc1.servers().get(0), dc2.servers().get(0))) {
            HttpResponse<String> r = send(s, "GET", "/v1/agent/members?wan=1", null);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(List.of("one-s.dc1", "two-s.dc2"), strings(r.body()).stream().sorted().toList());
            for (JsonElement e : JsonParser.parseString(r.body()).getAsJsonArray()) {
                JsonObject tags = e.getAsJsonObject().getAsJsonObject("Tags");
                assertEquals("consul", tags.get("role").getAsString());
                assertTrue(tags.has("port"), "the server's RPC port travels in the tags: " + tags);
            }
        }
        HttpResponse<String> client = send(dc1.client(), "GET", "/v1/agent/members?wan=1", null);
        assertEquals(500, client.statusCode());
        assertTrue(client.body().contains("WAN"), client.body());
        assertEquals(List.of("one-c", "one-s"), strings(bodyOf(dc1.client(), "/v1/agent/members")).stream()
                .sorted().toList(), "the LAN pool stays per datacenter");
        HttpResponse<String> join = send(dc1.client(), "PUT", "/v1/agent/join/127.0.0.1:1?wan=1", "");
        assertEquals(500, join.statusCode());
        assertTrue(join.body().contains("Must be a server"), join.body());
    }

    @Test
    @Order(2)
    void everyAgentListsBothDatacentersItsOwnFirst() throws Exception {
        assertEquals(List.of("dc1", "dc2"), strings(bodyOf(dc1.client(), "/v1/catalog/datacenters")));
        assertEquals(List.of("dc1", "dc2"), strings(bodyOf(dc1.servers().get(0), "/v1/catalog/datacenters")));
        assertEquals(List.of("dc2", "dc1"), strings(bodyOf(dc2.client(), "/v1/catalog/datacenters")));
        List<String> areas = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(bodyOf(dc1.client(), "/v1/coordinate/datacenters")).getAsJsonArray()) {
            areas.add(e.getAsJsonObject().get("Datacenter").getAsString());
        }
        assertEquals(List.of("dc1", "dc2"), areas, "/v1/coordinate/datacenters has an entry per datacenter");
    }

    @Test
    @Order(3)
    void kvCatalogHealthAndEventsOfTheOtherDatacenterFromAClientAgent() throws Exception {
        Agent c1 = dc1.client();
        Agent c2 = dc2.client();
        HttpResponse<String> put = send(c1, "PUT", "/v1/kv/fed/k?dc=dc2", "from-dc1");
        assertEquals(200, put.statusCode(), put.body());
        assertEquals("from-dc1", send(c2, "GET", "/v1/kv/fed/k?raw", null).body(), "written in dc2");
        assertEquals(404, send(c1, "GET", "/v1/kv/fed/k", null).statusCode(), "not in dc1");
        assertEquals("from-dc1", send(c1, "GET", "/v1/kv/fed/k?raw&dc=dc2", null).body());

        HttpResponse<String> reg = send(c2, "PUT", "/v1/agent/service/register",
                "{\"Name\": \"web\", \"Port\": 8080, \"Check\": {\"TTL\": \"60s\", \"Status\": \"passing\"}}");
        assertEquals(200, reg.statusCode(), reg.body());
        assertTrue(waitFor(() -> bodyOf(c1, "/v1/catalog/service/web?dc=dc2").contains("\"two-c\"")),
                "dc2's web never showed through dc1");
        assertEquals("[]", bodyOf(c1, "/v1/catalog/service/web").trim(), "dc1 has no web");
        assertTrue(waitFor(() -> bodyOf(c1, "/v1/health/service/web?passing&dc=dc2").contains("\"two-c\"")),
                "dc2's healthy web never showed through dc1");
        JsonArray nodes = JsonParser.parseString(bodyOf(c1, "/v1/catalog/nodes?dc=dc2")).getAsJsonArray();
        for (JsonElement n : nodes) {
            assertEquals("dc2", n.getAsJsonObject().get("Datacenter").getAsString());
        }

        HttpResponse<String> fire = send(c1, "PUT", "/v1/event/fire/deploy-dc2?dc=dc2", "v2");
        assertEquals(200, fire.statusCode(), fire.body());
        assertTrue(waitFor(() -> bodyOf(c2, "/v1/event/list?name=deploy-dc2").contains("deploy-dc2")),
                "the event was not recorded in dc2");
    }

    @Test
    @Order(4)
    void withDc2GoneItsRequestsFailWithinSecondsAndDc1KeepsServingAndForceLeaveWanRemovesIt() throws Exception {
        Agent c1 = dc1.client();
        Agent s1 = dc1.servers().get(0);
        dc2.stop(dc2.servers().get(0));
        // Refused at once (its WAN member may still look alive): no hold, no wait for a deadline. How
        // fast in figures: bench/multi-dc.sh.
        HttpResponse<String> r = send(c1, "GET", "/v1/kv/fed/k?dc=dc2", null);
        assertEquals(500, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("No path to datacenter"), r.body());
        assertEquals(200, send(c1, "PUT", "/v1/kv/local/k", "v").statusCode(), "dc1 still serves its own");
        assertEquals("v", send(c1, "GET", "/v1/kv/local/k?raw", null).body());

        assertEquals(200, send(s1, "PUT", "/v1/agent/force-leave/two-s.dc2?wan=1", "").statusCode());
        assertTrue(waitFor(() -> {
            for (JsonElement e : JsonParser.parseString(bodyOf(s1, "/v1/agent/members?wan=1")).getAsJsonArray()) {
                JsonObject m = e.getAsJsonObject();
                if (m.get("Name").getAsString().equals("two-s.dc2")) {
                    return m.get("Status").getAsInt() == 3;
                }
            }
            return false;
        }), "two-s.dc2 is not left");
        assertEquals(List.of("dc1"), strings(bodyOf(c1, "/v1/catalog/datacenters")), "a left datacenter is gone");
        HttpResponse<String> gone = send(c1, "GET", "/v1/kv/fed/k?dc=dc2", null);
        assertEquals("No path to datacenter", gone.body());
    }
}

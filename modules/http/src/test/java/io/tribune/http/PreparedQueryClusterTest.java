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
 * Prepared queries over the HTTP API of two in-process datacenters (a server and a client agent
 * each, federated through the WAN pool): create, read, list, update and delete with Consul's JSON
 * and errors; execution with health and tag filters and {@code ?limit}; templates with regular
 * expressions and {@code explain}; failover from dc1 to dc2 when dc1 has no healthy instance; and
 * {@code ?dc=}. Scenarios build on each other, so they run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PreparedQueryClusterTest {
    private static final String HUB = "prepared-query-test";
    @RegisterExtension
    static final TestCluster dc1 = TestCluster.builder(HUB).datacenter("dc1").holdTimeout(Duration.ofSeconds(3))
            .servers("pq1-s").clients("pq1-c").build();
    @RegisterExtension
    static final TestCluster dc2 = TestCluster.builder(HUB).datacenter("dc2").holdTimeout(Duration.ofSeconds(3))
            .servers("pq2-s").clients("pq2-c").build();

    private static String webQueryId;

    @BeforeAll
    static void federateAndRegister() throws Exception {
        dc2.joinWan(dc1);
        Http.awaitEveryNodeInCatalog(dc1, "");
        Http.awaitEveryNodeInCatalog(dc2, "");
        for (Agent c : List.of(dc1.client(), dc2.client())) {
            HttpResponse<String> r = send(c, "PUT", "/v1/agent/service/register", "{\"Name\": \"web\", \"Port\": 8080,"
                    + " \"Tags\": [\"v1\", \"Primary\"], \"Check\": {\"TTL\": \"600s\", \"Status\": \"passing\"}}");
            assertEquals(200, r.statusCode(), r.body());
        }
        assertTrue(waitFor(() -> bodyOf(dc1.client(), "/v1/health/service/web?passing").contains("\"pq1-c\"")
                && bodyOf(dc2.client(), "/v1/health/service/web?passing").contains("\"pq2-c\"")));
    }

    private static JsonObject object(String json) {
        return JsonParser.parseString(json).getAsJsonObject();
    }

    private static List<String> nodes(JsonObject result) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : result.getAsJsonArray("Nodes")) {
            out.add(e.getAsJsonObject().getAsJsonObject("Node").get("Node").getAsString());
        }
        return out;
    }

    private static JsonObject execute(Agent a, String path) throws Exception {
        HttpResponse<String> r = send(a, "GET", path, null);
        assertEquals(200, r.statusCode(), r.body());
        return object(r.body());
    }

    @Test
    @Order(1)
    void createReadListUpdateWithConsulsShapes() throws Exception {
        Agent c1 = dc1.client();
        HttpResponse<String> created = send(c1, "POST", "/v1/query", "{\"Name\": \"web\", \"Token\": \"secret-t\","
                + " \"Service\": {\"Service\": \"web\", \"Failover\": {\"Datacenters\": [\"dc2\"]},"
                + " \"Tags\": [\"v1\"], \"NodeMeta\": {}}, \"DNS\": {\"TTL\": \"7s\"}}");
        assertEquals(200, created.statusCode(), created.body());
        webQueryId = object(created.body()).get("ID").getAsString();
        assertEquals(36, webQueryId.length());

        JsonArray one = JsonParser.parseString(bodyOf(c1, "/v1/query/" + webQueryId)).getAsJsonArray();
        assertEquals(1, one.size());
        JsonObject q = one.get(0).getAsJsonObject();
        assertEquals(webQueryId, q.get("ID").getAsString());
        assertEquals("web", q.get("Name").getAsString());
        assertEquals("secret-t", q.get("Token").getAsString(), "ACLs are off: nothing to redact");
        assertEquals("dc2", q.getAsJsonObject("Service").getAsJsonObject("Failover").getAsJsonArray("Datacenters")
                .get(0).getAsString());
        assertEquals("7s", q.getAsJsonObject("DNS").get("TTL").getAsString());
        long created1 = q.get("CreateIndex").getAsLong();
        assertTrue(created1 > 0);

        HttpResponse<String> upd = send(c1, "PUT", "/v1/query/" + webQueryId, "{\"Name\": \"web\", \"Service\":"
                + " {\"Service\": \"web\", \"Failover\": {\"Datacenters\": [\"dc2\"]}}, \"DNS\": {\"TTL\": \"5s\"}}");
        assertEquals(200, upd.statusCode(), upd.body());
        JsonArray all = JsonParser.parseString(bodyOf(c1, "/v1/query")).getAsJsonArray();
        assertEquals(1, all.size());
        JsonObject after = all.get(0).getAsJsonObject();
        assertEquals("5s", after.getAsJsonObject("DNS").get("TTL").getAsString());
        assertEquals(created1, after.get("CreateIndex").getAsLong(), "an update keeps the create index");
        assertTrue(after.get("ModifyIndex").getAsLong() > created1);
        assertEquals("[]", bodyOf(c1, "/v1/query?dc=dc2").trim(), "dc2 has its own queries");
    }

    @Test
    @Order(2)
    void badDefinitionsAreRefusedWith400AndUnknownQueriesWith404() throws Exception {
        Agent c1 = dc1.client();
        HttpResponse<String> noService = send(c1, "POST", "/v1/query", "{\"Name\": \"x\", \"Service\": {}}");
        assertEquals(400, noService.statusCode());
        assertTrue(noService.body().contains("Must provide a Service name to query"), noService.body());
        HttpResponse<String> alias = send(c1, "POST", "/v1/query", "{\"Name\": \"web\", \"Service\": {\"Service\": \"db\"}}");
        assertEquals(400, alias.statusCode());
        assertTrue(alias.body().contains("aliases an existing query name"), alias.body());
        HttpResponse<String> badTemplate = send(c1, "POST", "/v1/query", "{\"Name\": \"t-\", \"Template\": {\"Type\":"
                + " \"name_prefix_match\", \"Regexp\": \"([\"}, \"Service\": {\"Service\": \"x\"}}");
        assertEquals(400, badTemplate.statusCode());
        assertTrue(badTemplate.body().startsWith("Bad Regexp"), badTemplate.body());
        HttpResponse<String> badN = send(c1, "POST", "/v1/query", "{\"Service\": {\"Service\": \"x\", \"Failover\":"
                + " {\"NearestN\": -1}}}");
        assertEquals(400, badN.statusCode());
        assertTrue(badN.body().contains("Bad NearestN '-1'"), badN.body());
        assertEquals(400, send(c1, "POST", "/v1/query", "not json").statusCode());
        String unknown = "00000000-0000-4000-8000-000000000000";
        assertEquals(404, send(c1, "GET", "/v1/query/" + unknown, null).statusCode());
        HttpResponse<String> exec = send(c1, "GET", "/v1/query/nothing-here/execute", null);
        assertEquals(404, exec.statusCode());
        assertTrue(exec.body().contains("Query not found"), exec.body());
        assertEquals(404, send(c1, "PUT", "/v1/query/" + unknown, "{\"Service\": {\"Service\": \"x\"}}").statusCode());
        assertEquals(1, JsonParser.parseString(bodyOf(c1, "/v1/query")).getAsJsonArray().size(), "nothing was added");
    }

    @Test
    @Order(3)
    void executeByIdAndNameAnswersTheLocalDatacenterWithItsTtl() throws Exception {
        for (String key : List.of(webQueryId, "web")) {
            JsonObject r = execute(dc1.client(), "/v1/query/" + key + "/execute");
            assertEquals("web", r.get("Service").getAsString());
            assertEquals(List.of("pq1-c"), nodes(r));
            assertEquals("dc1", r.get("Datacenter").getAsString());
            assertEquals(0, r.get("Failovers").getAsInt());
            assertEquals("5s", r.getAsJsonObject("DNS").get("TTL").getAsString());
        }
        HttpResponse<String> there = send(dc1.client(), "GET", "/v1/query/web/execute?dc=dc2", null);
        assertEquals(404, there.statusCode(), "dc2 has no query named web: " + there.body());
        // A query made in dc2 through dc1's client runs there.
        HttpResponse<String> made = send(dc1.client(), "POST", "/v1/query?dc=dc2", "{\"Name\": \"web2\","
                + " \"Service\": {\"Service\": \"web\"}}");
        assertEquals(200, made.statusCode(), made.body());
        JsonObject r2 = execute(dc1.client(), "/v1/query/web2/execute?dc=dc2");
        assertEquals("dc2", r2.get("Datacenter").getAsString());
        assertEquals(List.of("pq2-c"), nodes(r2));
    }

    @Test
    @Order(4)
    void templatesRenderTheNameAndExplainShowsTheQueryAsItWouldRun() throws Exception {
        Agent c1 = dc1.client();
        HttpResponse<String> t = send(c1, "POST", "/v1/query", "{\"Name\": \"geo-\", \"Template\": {\"Type\":"
                + " \"name_prefix_match\", \"Regexp\": \"^geo-([a-z]+)-(.*)$\"}, \"Service\": {\"Service\":"
                + " \"${match(1)}\", \"Tags\": [\"${match(2)}\", \"!canary\"]}}");
        assertEquals(200, t.statusCode(), t.body());
        JsonObject explained = object(bodyOf(c1, "/v1/query/geo-web-v1/explain")).getAsJsonObject("Query");
        assertEquals("web", explained.getAsJsonObject("Service").get("Service").getAsString());
        assertEquals("v1", explained.getAsJsonObject("Service").getAsJsonArray("Tags").get(0).getAsString());
        assertEquals(List.of("pq1-c"), nodes(execute(c1, "/v1/query/geo-web-primary/execute")),
                "tags compare without case");
        assertEquals(List.of(), nodes(execute(c1, "/v1/query/geo-web-v2/execute")), "no instance has tag v2");
        assertEquals(404, send(c1, "GET", "/v1/query/other/explain", null).statusCode());
    }

    @Test
    @Order(5)
    void withNoHealthyInstanceInDc1TheQueryFailsOverToDc2AndSaysSo() throws Exception {
        Agent c1 = dc1.client();
        assertEquals(200, send(c1, "PUT", "/v1/agent/check/fail/service:web", "").statusCode());
        assertTrue(waitFor(() -> !bodyOf(c1, "/v1/health/service/web?passing").contains("\"pq1-c\"")));
        JsonObject r = execute(c1, "/v1/query/web/execute");
        assertEquals("dc2", r.get("Datacenter").getAsString());
        assertEquals(1, r.get("Failovers").getAsInt());
        assertEquals(List.of("pq2-c"), nodes(r));
        // NearestN picks dc2 too (the only other datacenter), from the server as well as the client.
        HttpResponse<String> near = send(c1, "POST", "/v1/query", "{\"Name\": \"web-near\", \"Service\":"
                + " {\"Service\": \"web\", \"Failover\": {\"NearestN\": 2}}}");
        assertEquals(200, near.statusCode(), near.body());
        JsonObject viaServer = execute(dc1.servers().get(0), "/v1/query/web-near/execute?limit=1");
        assertEquals("dc2", viaServer.get("Datacenter").getAsString());
        assertEquals(1, viaServer.get("Failovers").getAsInt());
        // A query without failover answers empty from dc1.
        HttpResponse<String> local = send(c1, "POST", "/v1/query", "{\"Name\": \"web-local\", \"Service\":"
                + " {\"Service\": \"web\"}}");
        assertEquals(200, local.statusCode(), local.body());
        JsonObject empty = execute(c1, "/v1/query/web-local/execute");
        assertEquals("dc1", empty.get("Datacenter").getAsString());
        assertEquals(0, empty.get("Failovers").getAsInt());
        assertEquals(List.of(), nodes(empty));
        assertEquals(200, send(c1, "PUT", "/v1/agent/check/pass/service:web", "").statusCode());
    }

    @Test
    @Order(6)
    void deleteRemovesTheQuery() throws Exception {
        Agent c1 = dc1.client();
        assertEquals(200, send(c1, "DELETE", "/v1/query/" + webQueryId, null).statusCode());
        assertEquals(404, send(c1, "GET", "/v1/query/" + webQueryId, null).statusCode());
        assertEquals(404, send(c1, "DELETE", "/v1/query/" + webQueryId, null).statusCode());
        assertEquals(404, send(c1, "GET", "/v1/query/web/execute", null).statusCode());
    }
}

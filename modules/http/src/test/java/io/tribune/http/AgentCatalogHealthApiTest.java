package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /v1/catalog/*} and {@code /v1/health/*} of an in-process dev agent over HTTP. */
@Timeout(120)
class AgentCatalogHealthApiTest {
    static DevAgent a;

    @BeforeAll
    static void start() throws Exception {
        a = DevAgent.start("cattest", 18401);
    }

    @AfterAll
    static void stop() {
        a.close();
    }

    static String registration(String node, String svcId, String svcName, String tags, String checkStatus) {
        return "{\"Node\": \"" + node + "\", \"Address\": \"10.0.0.1\", \"NodeMeta\": {\"rack\": \"" + node + "\"},"
                + " \"TaggedAddresses\": {\"wan\": \"1.2.3.4\"},"
                + " \"Service\": {\"ID\": \"" + svcId + "\", \"Service\": \"" + svcName + "\", \"Tags\": " + tags
                + ", \"Port\": 8080, \"Meta\": {\"v\": \"1\"}},"
                + " \"Check\": {\"CheckID\": \"" + svcId + "-check\", \"Name\": \"web check\", \"Status\": \""
                + checkStatus + "\", \"ServiceID\": \"" + svcId + "\"}}";
    }

    @Test
    void localNodeIsRegisteredWithSerfHealthAndTheConsulService() throws Exception {
        JsonArray nodes = a.get("/v1/catalog/nodes").getAsJsonArray();
        JsonObject self = null;
        for (JsonElement n : nodes) {
            if (n.getAsJsonObject().get("Node").getAsString().equals("cattest")) {
                self = n.getAsJsonObject();
            }
        }
        assertTrue(self != null, nodes.toString());
        assertEquals("127.0.0.1", self.get("Address").getAsString());
        assertEquals("dc1", self.get("Datacenter").getAsString());
        assertEquals(36, self.get("ID").getAsString().length());
        JsonArray checks = a.get("/v1/health/node/cattest").getAsJsonArray();
        assertEquals("serfHealth", checks.get(0).getAsJsonObject().get("CheckID").getAsString());
        assertEquals("passing", checks.get(0).getAsJsonObject().get("Status").getAsString());
        assertTrue(a.get("/v1/catalog/services").getAsJsonObject().has("consul"));
        assertEquals("[\"dc1\"]", a.get("/v1/catalog/datacenters").toString());
    }

    @Test
    void registerServiceWithCheckThenReadItBackInEveryShape() throws Exception {
        assertEquals("true", a.put("/v1/catalog/register", registration("n-web", "web1", "web", "[\"v1\",\"blue\"]",
                "passing")));
        JsonObject svc = a.get("/v1/catalog/service/web").getAsJsonArray().get(0).getAsJsonObject();
        for (String field : new String[] {"ID", "Node", "Address", "Datacenter", "TaggedAddresses", "NodeMeta",
                "ServiceID", "ServiceName", "ServiceTags", "ServiceAddress", "ServiceMeta", "ServicePort",
                "ServiceWeights", "ServiceEnableTagOverride", "CreateIndex", "ModifyIndex"}) {
            assertTrue(svc.has(field), "missing " + field + " in " + svc);
        }
        assertEquals("n-web", svc.get("Node").getAsString());
        assertEquals(8080, svc.get("ServicePort").getAsInt());
        assertEquals("n-web", svc.getAsJsonObject("NodeMeta").get("rack").getAsString());
        assertEquals("1.2.3.4", svc.getAsJsonObject("TaggedAddresses").get("wan").getAsString());

        assertEquals(1, a.get("/v1/catalog/service/web?tag=v1&tag=blue").getAsJsonArray().size());
        assertEquals(0, a.get("/v1/catalog/service/web?tag=v1&tag=green").getAsJsonArray().size());
        assertEquals(1, a.get("/v1/catalog/service/web?node-meta=rack:n-web").getAsJsonArray().size());
        assertEquals(0, a.get("/v1/catalog/service/web?node-meta=rack:n-other").getAsJsonArray().size());
        assertEquals(1, a.get("/v1/catalog/nodes?node-meta=rack:n-web").getAsJsonArray().size());
        assertEquals("[\"blue\",\"v1\"]", a.get("/v1/catalog/services").getAsJsonObject().get("web").toString());

        JsonObject node = a.get("/v1/catalog/node/n-web").getAsJsonObject();
        assertEquals("n-web", node.getAsJsonObject("Node").get("Node").getAsString());
        assertEquals("web", node.getAsJsonObject("Services").getAsJsonObject("web1").get("Service").getAsString());
        assertEquals("null", a.send("GET", "/v1/catalog/node/nobody", null).body());

        JsonObject health = a.get("/v1/health/service/web").getAsJsonArray().get(0).getAsJsonObject();
        assertEquals("n-web", health.getAsJsonObject("Node").get("Node").getAsString());
        assertEquals("web1", health.getAsJsonObject("Service").get("ID").getAsString());
        JsonObject check = health.getAsJsonArray("Checks").get(0).getAsJsonObject();
        assertEquals("web1-check", check.get("CheckID").getAsString());
        assertEquals("web", check.get("ServiceName").getAsString());
        assertEquals(1, a.get("/v1/health/checks/web").getAsJsonArray().size());
    }

    @Test
    void passingFilterAndStateQueriesFollowCheckStatus() throws Exception {
        a.put("/v1/catalog/register", registration("n-api-1", "api1", "api", "[]", "passing"));
        a.put("/v1/catalog/register", registration("n-api-2", "api2", "api", "[]", "critical"));
        assertEquals(2, a.get("/v1/health/service/api").getAsJsonArray().size());
        assertEquals(2, a.get("/v1/health/service/api?passing=false").getAsJsonArray().size());
        JsonArray passing = a.get("/v1/health/service/api?passing").getAsJsonArray();
        assertEquals(1, passing.size());
        assertEquals("n-api-1", passing.get(0).getAsJsonObject().getAsJsonObject("Node").get("Node").getAsString());
        boolean sawApi2 = false;
        for (JsonElement c : a.get("/v1/health/state/critical").getAsJsonArray()) {
            assertEquals("critical", c.getAsJsonObject().get("Status").getAsString());
            sawApi2 |= c.getAsJsonObject().get("CheckID").getAsString().equals("api2-check");
        }
        assertTrue(sawApi2);
        assertTrue(a.get("/v1/health/state/any").getAsJsonArray().size() >= 3);
        assertEquals(400, a.send("GET", "/v1/health/state/sideways", null).statusCode());
        assertEquals(400, a.send("GET", "/v1/health/service/api?passing=maybe", null).statusCode());
    }

    @Test
    void deregisterRemovesServiceThenNode() throws Exception {
        a.put("/v1/catalog/register", registration("n-gone", "gone1", "gone", "[]", "passing"));
        assertEquals("true", a.put("/v1/catalog/deregister", "{\"Node\": \"n-gone\", \"ServiceID\": \"gone1\"}"));
        assertEquals(0, a.get("/v1/catalog/service/gone").getAsJsonArray().size());
        assertEquals("n-gone", a.get("/v1/catalog/node/n-gone").getAsJsonObject().getAsJsonObject("Node")
                .get("Node").getAsString());
        a.put("/v1/catalog/deregister", "{\"Node\": \"n-gone\"}");
        assertEquals("null", a.send("GET", "/v1/catalog/node/n-gone", null).body());
    }

    @Test
    void blockingServiceQueryWakesOnlyForItsService() throws Exception {
        a.put("/v1/catalog/register", registration("n-b", "db1", "db", "[]", "passing"));
        HttpResponse<String> first = a.send("GET", "/v1/health/service/db", null);
        long idx = DevAgent.index(first);
        CompletableFuture<HttpResponse<String>> waiting = a.http.sendAsync(HttpRequest.newBuilder(
                URI.create(a.base + "/v1/health/service/db?index=" + idx + "&wait=60s")).build(),
                HttpResponse.BodyHandlers.ofString());
        a.put("/v1/catalog/register", registration("n-other", "other1", "other", "[]", "passing"));
        assertTrue(!waiting.isDone() || DevAgent.index(waiting.get()) == idx, "woke for another service");
        a.put("/v1/catalog/register", registration("n-b", "db1", "db", "[]", "critical"));
        HttpResponse<String> woke = waiting.get(30, TimeUnit.SECONDS);
        assertTrue(DevAgent.index(woke) > idx);
        assertTrue(woke.body().contains("\"critical\""), woke.body());
        assertEquals("true", woke.headers().firstValue("X-Consul-KnownLeader").orElseThrow());
    }

    @Test
    void badRegistrationsGetA400NamingTheProblemAndChangeNothing() throws Exception {
        long before = DevAgent.index(a.send("GET", "/v1/catalog/nodes", null));
        HttpResponse<String> r = a.send("PUT", "/v1/catalog/register",
                "{\"Node\": \"n-bad\", \"Address\": \"1.1.1.1\", \"Service\": {\"Service\": \"x\", \"Port\": \"80\"}}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("Service.Port"), r.body());
        r = a.send("PUT", "/v1/catalog/register", "{\"Node\": \"n-bad\", \"Address\": \"1.1.1.1\", "
                + "\"Service\": {\"Service\": \"x\", \"Port\": 70000}}");
        assertEquals(400, r.statusCode());
        r = a.send("PUT", "/v1/catalog/register", "{\"Node\": \"n-bad\", \"Address\": \"1.1.1.1\", \"Check\": "
                + "{\"CheckID\": \"c\", \"Status\": \"sideways\"}}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("sideways"), r.body());
        r = a.send("PUT", "/v1/catalog/register", "{\"Node\": \"n-bad\", \"Address\": \"1.1.1.1\", \"NodeMeta\": 5}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("NodeMeta"), r.body());
        assertEquals(400, a.send("PUT", "/v1/catalog/register", "{\"Address\": \"1.1.1.1\"}").statusCode());
        assertEquals(400, a.send("PUT", "/v1/catalog/register", "{\"Node\": \"n-bad\"").statusCode());
        assertEquals(400, a.send("PUT", "/v1/catalog/register", "[1,2]").statusCode());
        assertEquals(400, a.send("PUT", "/v1/catalog/register", "{\"Node\": \"" + "n".repeat(600)
                + "\", \"Address\": \"1.1.1.1\"}").statusCode());
        assertEquals(400, a.send("GET", "/v1/catalog/nodes?node-meta=nocolon", null).statusCode());
        assertEquals(405, a.send("GET", "/v1/catalog/register", null).statusCode());
        HttpResponse<String> dc = a.send("GET", "/v1/catalog/nodes?dc=elsewhere", null);
        assertEquals(500, dc.statusCode());
        assertEquals("No path to datacenter", dc.body());
        assertEquals(200, a.send("GET", "/v1/catalog/nodes?dc=dc1", null).statusCode());
        HttpResponse<String> after = a.send("GET", "/v1/catalog/nodes", null);
        assertEquals(before, DevAgent.index(after));
        assertFalse(after.body().contains("n-bad"));
    }

    @Test
    void fieldNamesAreCaseInsensitiveAsInConsul() throws Exception {
        a.put("/v1/catalog/register", "{\"node\": \"n-lower\", \"address\": \"10.0.0.9\", "
                + "\"service\": {\"service\": \"lower\", \"port\": 1234}}");
        JsonObject svc = a.get("/v1/catalog/service/lower").getAsJsonArray().get(0).getAsJsonObject();
        assertEquals(1234, svc.get("ServicePort").getAsInt());
        assertEquals("10.0.0.9", svc.get("Address").getAsString());
    }
}

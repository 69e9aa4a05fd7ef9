package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /v1/agent/*}: the agent's own services and checks, TTL updates and expiry, HTTP and TCP
 * probes, maintenance mode, join and force-leave; each local change must reach the catalog.
 */
@Timeout(120)
class AgentLocalApiTest {
    static DevAgent a;

    @BeforeAll
    static void start() throws Exception {
        a = DevAgent.start("localtest", 18404);
    }

    @AfterAll
    static void stop() {
        a.close();
    }

    static JsonObject catalogCheck(String id) throws Exception {
        for (JsonElement c : a.get("/v1/health/node/localtest").getAsJsonArray()) {
            if (c.getAsJsonObject().get("CheckID").getAsString().equals(id)) {
                return c.getAsJsonObject();
            }
        }
        return null;
    }

    @Test
    void registeredServiceAndTtlCheckAppearLocallyAndInTheCatalog() throws Exception {
        a.put("/v1/agent/service/register", "{\"ID\": \"web-1\", \"Name\": \"web\", \"Tags\": [\"v1\"], \"Port\": 8080,"
                + " \"Meta\": {\"team\": \"a\"}, \"Check\": {\"TTL\": \"30s\"}}");
        JsonObject svc = a.get("/v1/agent/services").getAsJsonObject().getAsJsonObject("web-1");
        assertEquals("web", svc.get("Service").getAsString());
        assertEquals(8080, svc.get("Port").getAsInt());
        JsonObject check = a.get("/v1/agent/checks").getAsJsonObject().getAsJsonObject("service:web-1");
        assertEquals("critical", check.get("Status").getAsString(), "a TTL check starts critical");
        assertEquals("web", check.get("ServiceName").getAsString());
        JsonArray inCatalog = a.get("/v1/catalog/service/web").getAsJsonArray();
        assertEquals("localtest", inCatalog.get(0).getAsJsonObject().get("Node").getAsString());
        assertEquals("a", inCatalog.get(0).getAsJsonObject().getAsJsonObject("ServiceMeta").get("team").getAsString());

        a.put("/v1/agent/check/pass/service:web-1?note=all%20good", "");
        assertEquals("passing", catalogCheck("service:web-1").get("Status").getAsString());
        assertEquals("all good", catalogCheck("service:web-1").get("Output").getAsString());
        assertEquals(1, a.get("/v1/health/service/web?passing").getAsJsonArray().size());
        a.put("/v1/agent/check/warn/service:web-1", "");
        assertEquals("warning", catalogCheck("service:web-1").get("Status").getAsString());
        a.put("/v1/agent/check/update/service:web-1", "{\"Status\": \"critical\", \"Output\": \"db down\"}");
        assertEquals("db down", catalogCheck("service:web-1").get("Output").getAsString());
        a.put("/v1/agent/check/fail/service:web-1", "");
        assertEquals(0, a.get("/v1/health/service/web?passing").getAsJsonArray().size());

        // Registering again without the check replaces the service's checks.
        a.put("/v1/agent/service/register", "{\"ID\": \"web-1\", \"Name\": \"web\", \"Port\": 8081}");
        assertFalse(a.get("/v1/agent/checks").getAsJsonObject().has("service:web-1"));
        assertEquals(null, catalogCheck("service:web-1"));
        assertEquals(8081, a.get("/v1/catalog/service/web").getAsJsonArray().get(0).getAsJsonObject()
                .get("ServicePort").getAsInt());

        a.put("/v1/agent/service/deregister/web-1", "");
        assertFalse(a.get("/v1/agent/services").getAsJsonObject().has("web-1"));
        assertFalse(a.get("/v1/agent/checks").getAsJsonObject().has("service:web-1"));
        assertEquals(0, a.get("/v1/catalog/service/web").getAsJsonArray().size());
        assertEquals(null, catalogCheck("service:web-1"));
    }

    @Test
    void ttlCheckTurnsCriticalWhenNotUpdatedInTime() throws Exception {
        a.put("/v1/agent/check/register", "{\"ID\": \"heartbeat\", \"Name\": \"Heartbeat\", \"TTL\": \"300ms\"}");
        a.put("/v1/agent/check/pass/heartbeat", "");
        assertEquals("passing", catalogCheck("heartbeat").get("Status").getAsString());
        assertTrue(a.waitFor(Duration.ofSeconds(20), () -> {
            try {
                JsonObject c = catalogCheck("heartbeat");
                return c.get("Status").getAsString().equals("critical")
                        && c.get("Output").getAsString().equals("TTL expired");
            } catch (Exception e) {
                return false;
            }
        }), "TTL expiry did not turn the check critical");
        a.put("/v1/agent/check/deregister/heartbeat", "");
        assertEquals(null, catalogCheck("heartbeat"));
    }

    @Test
    void httpAndTcpChecksProbeTheirTargets() throws Exception {
        a.put("/v1/agent/check/register", "{\"ID\": \"api-http\", \"Name\": \"API\", \"HTTP\": \"" + a.base
                + "/v1/status/leader\", \"Interval\": \"1s\"}");
        try (ServerSocket listening = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            a.put("/v1/agent/check/register", "{\"ID\": \"tcp-up\", \"Name\": \"TCP\", \"TCP\": \"127.0.0.1:"
                    + listening.getLocalPort() + "\", \"Interval\": \"1s\", \"Timeout\": \"2s\"}");
            assertTrue(a.waitFor(Duration.ofSeconds(20), () -> status("api-http").equals("passing")
                    && status("tcp-up").equals("passing")), "HTTP and TCP probes did not pass");
            assertTrue(catalogCheck("api-http").get("Output").getAsString().contains("200"));
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        a.put("/v1/agent/check/register", "{\"ID\": \"tcp-down\", \"Name\": \"TCP down\", \"TCP\": \"127.0.0.1:"
                + closed + "\", \"Interval\": \"1s\", \"Timeout\": \"2s\", \"Status\": \"passing\"}");
        a.put("/v1/agent/check/register", "{\"ID\": \"http-404\", \"Name\": \"404\", \"HTTP\": \"" + a.base
                + "/v1/nothing\", \"Interval\": \"1s\", \"Status\": \"passing\"}");
        assertTrue(a.waitFor(Duration.ofSeconds(20), () -> status("tcp-down").equals("critical")
                && status("http-404").equals("critical")), "failing probes did not turn critical");
        for (String id : new String[] {"api-http", "tcp-up", "tcp-down", "http-404"}) {
            a.put("/v1/agent/check/deregister/" + id, "");
        }
    }

    static String status(String id) {
        try {
            JsonObject c = catalogCheck(id);
            return c == null ? "" : c.get("Status").getAsString();
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    void maintenanceModeAddsAndRemovesACriticalCheck() throws Exception {
        a.put("/v1/agent/maintenance?enable=true&reason=upgrading", "");
        JsonObject m = catalogCheck("_node_maintenance");
        assertEquals("critical", m.get("Status").getAsString());
        assertEquals("upgrading", m.get("Notes").getAsString());
        a.put("/v1/agent/maintenance?enable=false", "");
        assertEquals(null, catalogCheck("_node_maintenance"));

        a.put("/v1/agent/service/register", "{\"Name\": \"cache\", \"Port\": 6379}");
        a.put("/v1/agent/service/maintenance/cache?enable=true", "");
        assertEquals("critical", catalogCheck("_service_maintenance:cache").get("Status").getAsString());
        assertEquals(0, a.get("/v1/health/service/cache?passing").getAsJsonArray().size());
        a.put("/v1/agent/service/maintenance/cache?enable=false", "");
        assertEquals(1, a.get("/v1/health/service/cache?passing").getAsJsonArray().size());
        a.put("/v1/agent/service/deregister/cache", "");

        assertEquals(400, a.send("PUT", "/v1/agent/maintenance", "").statusCode());
        assertEquals(400, a.send("PUT", "/v1/agent/maintenance?enable=perhaps", "").statusCode());
        assertEquals(404, a.send("PUT", "/v1/agent/service/maintenance/nope?enable=true", "").statusCode());
    }

    @Test
    void badDefinitionsGetA4xxAndChangeNothing() throws Exception {
        String[][] cases = {
            {"/v1/agent/service/register", "{\"Name\": \"x\", \"Port\": \"80\"}", "Port"},
            {"/v1/agent/service/register", "{\"Port\": 80}", "name"},
            {"/v1/agent/service/register", "{\"Name\": \"x\", \"Tags\": \"a\"}", "Tags"},
            {"/v1/agent/service/register", "{\"Name\": \"x\", \"Check\": {\"Interval\": \"10s\"}}", "TTL"},
            {"/v1/agent/service/register", "{\"Name\": \"x\", \"Check\": {\"Script\": \"rm -rf\", \"Interval\": "
                    + "\"10s\"}}", "Script"},
            {"/v1/agent/service/register", "{\"Name\": \"x\", \"Check\": {\"HTTP\": \"http://x\"}}", "Interval"},
            {"/v1/agent/service/register", "{\"Name\": \"x\", \"Check\": {\"TTL\": \"soon\"}}", "TTL"},
            {"/v1/agent/check/register", "{\"Name\": \"c\", \"TTL\": \"10s\", \"ServiceID\": \"nope\"}", "nope"},
            {"/v1/agent/check/register", "{\"Name\": \"c\", \"TCP\": \"nohost\", \"Interval\": \"1s\"}", "TCP"},
            {"/v1/agent/check/update/whatever", "{\"Status\": \"sideways\"}", "sideways"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = a.send("PUT", c[0], c[1]);
            assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, c[1] + " -> " + r.statusCode() + " " + r.body());
            assertTrue(r.body().contains(c[2]), c[1] + " -> " + r.body());
        }
        assertEquals(404, a.send("PUT", "/v1/agent/check/pass/unknown", "").statusCode());
        assertEquals(404, a.send("PUT", "/v1/agent/service/deregister/unknown", "").statusCode());
        assertEquals(404, a.send("PUT", "/v1/agent/check/deregister/unknown", "").statusCode());
        assertEquals(405, a.send("GET", "/v1/agent/service/register", null).statusCode());
        assertFalse(a.get("/v1/agent/services").getAsJsonObject().has("x"));
        assertEquals(0, a.get("/v1/agent/checks").getAsJsonObject().size());
        // A non-TTL check cannot be updated by hand.
        a.put("/v1/agent/maintenance?enable=true", "");
        assertEquals(500, a.send("PUT", "/v1/agent/check/pass/_node_maintenance", "").statusCode());
        a.put("/v1/agent/maintenance?enable=false", "");
    }

    @Test
    void joinReportsMembershipErrorsAndForceLeaveOfAnUnknownNameIsANoOp() throws Exception {
        // Consul 1.4.5 (Serf's RemoveFailedNode) answers 200 for a name no pool knows.
        HttpResponse<String> r = a.send("PUT", "/v1/agent/force-leave/nobody", "");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(500, a.send("PUT", "/v1/agent/join/127.0.0.1:1?wan", "").statusCode());
        assertEquals(1, a.get("/v1/agent/members").getAsJsonArray().size());
    }
}

package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /v1/internal/ui/*} and the UI's files of in-process dev agents: one with the defaults of
 * {@code -dev} (UI on, no ACLs), one with {@code "ui": false} and ACLs on.
 */
@Timeout(120)
class UiInternalApiTest {
    static final String ROOT = "ui-root-secret";
    static DevAgent a;
    static DevAgent acl;

    @BeforeAll
    static void start() throws Exception {
        a = DevAgent.start("uitest", 18461);
        acl = DevAgent.start("uiacl", 18462, "\"ui\": false, \"acl\": {\"enabled\": true, \"default_policy\": "
                + "\"allow\", \"tokens\": {\"master\": \"" + ROOT + "\"}}");
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (acl != null) {
            acl.close();
        }
    }

    /** Node {@code node} with service instance {@code id} of {@code service}, its check, and optionally a node check. */
    static String registration(String node, String id, String service, String tag, String status, String output,
                               String nodeCheckStatus) {
        String nodeCheck = nodeCheckStatus == null ? "" : ", {\"CheckID\": \"disk\", \"Name\": \"disk\", \"Status\": \""
                + nodeCheckStatus + "\"}";
        return "{\"Node\": \"" + node + "\", \"Address\": \"10.1.0.1\", \"Service\": {\"ID\": \"" + id
                + "\", \"Service\": \"" + service + "\", \"Tags\": [\"" + tag + "\"], \"Port\": 80},"
                + " \"Checks\": [{\"CheckID\": \"" + id + "-http\", \"Name\": \"http\", \"Status\": \"" + status
                + "\", \"Output\": \"" + output + "\", \"ServiceID\": \"" + id + "\"}" + nodeCheck + "]}";
    }

    static JsonObject named(JsonArray list, String field, String name) {
        for (JsonElement e : list) {
            if (e.getAsJsonObject().get(field).getAsString().equals(name)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no " + field + " " + name + " in " + list);
    }

    static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsString()));
        return out;
    }

    static List<String> field(JsonArray a, String name) {
        List<String> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsJsonObject().get(name).getAsString()));
        return out;
    }

    @Test
    void servicesSummaryCountsEachInstancesChecksIncludingItsNodeChecks() throws Exception {
        a.put("/v1/catalog/register", registration("sum-a", "pay1", "pay", "v1", "critical", "pay is down", null));
        a.put("/v1/catalog/register", registration("sum-b", "pay2", "pay", "v2", "passing", "ok", "warning"));
        HttpResponse<String> r = a.send("GET", "/v1/internal/ui/services", null);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(DevAgent.index(r) >= 1);
        JsonArray services = JsonParser.parseString(r.body()).getAsJsonArray();
        JsonObject pay = named(services, "Name", "pay");
        assertEquals("dc1", pay.get("Datacenter").getAsString());
        assertEquals(2, pay.get("InstanceCount").getAsInt());
        assertEquals(List.of("sum-a", "sum-b"), strings(pay.getAsJsonArray("Nodes")));
        assertEquals(List.of("v1", "v2"), strings(pay.getAsJsonArray("Tags")));
        assertEquals(1, pay.get("ChecksPassing").getAsInt());
        assertEquals(1, pay.get("ChecksWarning").getAsInt(), "sum-b's node check counts for the instance on it");
        assertEquals(1, pay.get("ChecksCritical").getAsInt());
        JsonObject consul = named(services, "Name", "consul");
        assertEquals(List.of("uitest"), strings(consul.getAsJsonArray("Nodes")));
        assertEquals(1, consul.get("ChecksPassing").getAsInt(), "serfHealth of the server's node");
    }

    @Test
    void nodesListEachNodeWithItsServicesAndChecksAndOneNodeByName() throws Exception {
        a.put("/v1/catalog/register", registration("nodes-a", "api1", "api", "t", "critical", "api refused", "passing"));
        JsonArray nodes = a.get("/v1/internal/ui/nodes").getAsJsonArray();
        JsonObject n = named(nodes, "Node", "nodes-a");
        assertEquals("10.1.0.1", n.get("Address").getAsString());
        assertEquals("dc1", n.get("Datacenter").getAsString());
        assertEquals(List.of("api1"), field(n.getAsJsonArray("Services"), "ID"));
        assertEquals(List.of("api1-http", "disk"), field(n.getAsJsonArray("Checks"), "CheckID"));
        JsonObject self = named(nodes, "Node", "uitest");
        assertTrue(field(self.getAsJsonArray("Checks"), "CheckID").contains("serfHealth"), self.toString());
        assertTrue(field(self.getAsJsonArray("Services"), "Service").contains("consul"), self.toString());

        JsonObject one = a.get("/v1/internal/ui/node/nodes-a").getAsJsonObject();
        assertEquals("nodes-a", one.get("Node").getAsString());
        JsonObject check = named(one.getAsJsonArray("Checks"), "CheckID", "api1-http");
        assertEquals("api refused", check.get("Output").getAsString());
        assertEquals("critical", check.get("Status").getAsString());
        assertEquals(List.of("api"), field(one.getAsJsonArray("Services"), "Service"));
    }

    @Test
    void unknownNodeAndUnknownPathsAre404AndWritesAre405() throws Exception {
        HttpResponse<String> missing = a.send("GET", "/v1/internal/ui/node/no-such-node", null);
        assertEquals(404, missing.statusCode());
        assertEquals("Node not found", missing.body());
        assertEquals(404, a.send("GET", "/v1/internal/ui/other", null).statusCode());
        assertEquals(405, a.send("PUT", "/v1/internal/ui/services", "").statusCode());
    }

    @Test
    void blockingQueryReturnsWhenACheckChanges() throws Exception {
        a.put("/v1/catalog/register", registration("block-a", "queue1", "queue", "t", "critical", "down", null));
        HttpResponse<String> first = a.send("GET", "/v1/internal/ui/services", null);
        long index = DevAgent.index(first);
        CompletableFuture<HttpResponse<String>> waiting = Http.sendAsync(a.agent, "GET",
                "/v1/internal/ui/services?index=" + index + "&wait=60s", null);
        // Only the check's status changes: no service or node is added.
        a.put("/v1/catalog/register", registration("block-a", "queue1", "queue", "t", "passing", "up", null));
        HttpResponse<String> woke = waiting.get(60, TimeUnit.SECONDS);
        assertEquals(200, woke.statusCode(), woke.body());
        assertTrue(DevAgent.index(woke) > index, "the answer must carry the check's newer index");
        JsonObject queue = named(JsonParser.parseString(woke.body()).getAsJsonArray(), "Name", "queue");
        assertEquals(0, queue.get("ChecksCritical").getAsInt());
        assertEquals(1, queue.get("ChecksPassing").getAsInt());
    }

    @Test
    void uiFilesAreServedInDevAndTheRootRedirects() throws Exception {
        HttpResponse<String> ui = a.send("GET", "/ui/", null);
        assertEquals(200, ui.statusCode());
        assertEquals("text/html; charset=utf-8", ui.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(ui.body().contains("/ui/assets/"), ui.body());
        HttpResponse<String> root = a.send("GET", "/", null);
        assertEquals(301, root.statusCode());
        assertEquals("/ui/", root.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void withUiOffNoFilesButTheInternalEndpointsRemain() throws Exception {
        assertEquals(404, acl.send("GET", "/ui/", null).statusCode());
        assertEquals(404, acl.send("GET", "/", null).statusCode());
        assertEquals(200, Http.send(acl.agent, "GET", "/v1/internal/ui/services", null,
                Map.of("X-Consul-Token", ROOT)).statusCode());
    }

    @Test
    void aTokenSeesOnlyTheServicesItMayRead() throws Exception {
        Map<String, String> root = Map.of("X-Consul-Token", ROOT);
        for (String body : new String[] {registration("acl-a", "web1", "web", "t", "passing", "ok", null),
                registration("acl-a", "db1", "db", "t", "critical", "secret failure", null)}) {
            HttpResponse<String> r = Http.send(acl.agent, "PUT", "/v1/catalog/register", body, root);
            assertEquals(200, r.statusCode(), r.body());
        }
        HttpResponse<String> p = Http.send(acl.agent, "PUT", "/v1/acl/policy", "{\"Name\": \"web-only\", \"Rules\": "
                + "\"service_prefix \\\"\\\" { policy = \\\"deny\\\" }\\nservice \\\"web\\\" { policy = \\\"read\\\" }\"}",
                root);
        assertEquals(200, p.statusCode(), p.body());
        HttpResponse<String> t = Http.send(acl.agent, "PUT", "/v1/acl/token", "{\"Description\": \"web reader\", "
                + "\"Policies\": [{\"Name\": \"web-only\"}]}", root);
        assertEquals(200, t.statusCode(), t.body());
        Map<String, String> web = Map.of("X-Consul-Token",
                JsonParser.parseString(t.body()).getAsJsonObject().get("SecretID").getAsString());

        HttpResponse<String> all = Http.send(acl.agent, "GET", "/v1/internal/ui/services", null, root);
        assertTrue(field(JsonParser.parseString(all.body()).getAsJsonArray(), "Name").containsAll(List.of("db", "web")),
                all.body());
        HttpResponse<String> mine = Http.send(acl.agent, "GET", "/v1/internal/ui/services", null, web);
        assertEquals(200, mine.statusCode(), mine.body());
        assertEquals(List.of("web"), field(JsonParser.parseString(mine.body()).getAsJsonArray(), "Name"));
        HttpResponse<String> node = Http.send(acl.agent, "GET", "/v1/internal/ui/node/acl-a", null, web);
        assertEquals(200, node.statusCode(), node.body());
        JsonObject n = JsonParser.parseString(node.body()).getAsJsonObject();
        assertEquals(List.of("web"), field(n.getAsJsonArray("Services"), "Service"));
        assertFalse(node.body().contains("secret failure"), "the db check's output must be filtered: " + node.body());
        HttpResponse<String> nodes = Http.send(acl.agent, "GET", "/v1/internal/ui/nodes", null, web);
        assertEquals(List.of("web"), field(named(JsonParser.parseString(nodes.body()).getAsJsonArray(), "Node", "acl-a")
                .getAsJsonArray("Services"), "Service"));
        assertFalse(nodes.body().contains("secret failure"), nodes.body());
    }
}

package io.tribune.http;

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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ACLs in an in-process cluster (one server, one client agent) with {@code default_policy = "deny"},
 * through the HTTP API of the client agent, so that every state request is forwarded with its token
 * and decided on the server: anonymous writes are refused, the bootstrap token may do everything,
 * a {@code key_prefix "app/"} token writes only under {@code app/} and its listing of the whole store
 * shows only {@code app/}; with every server stopped, the client keeps serving a cached token past
 * its TTL (extend-cache; the TTL is 1 ms, so every request after the first asks a server again).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AclClusterTest {
    private static final String AGENT_TOKEN = "agent-token-of-the-test";
    @RegisterExtension
    static final TestCluster cluster = TestCluster.builder("acl-cluster-test").holdTimeout(Duration.ofSeconds(2))
            // Consul's legacy keys (this harness takes string settings): acl_datacenter turns ACLs on.
            .setting("acl_datacenter", "dc1").setting("acl_default_policy", "deny").setting("acl_ttl", "1ms")
            .setting("acl_master_token", AGENT_TOKEN).setting("acl_agent_token", AGENT_TOKEN)
            .servers("s1").clients("c1").build();
    private static Agent client;
    private static String root;
    private static String app;

    @BeforeAll
    static void setUp() {
        client = cluster.client();
    }

    private static Map<String, String> token(String t) {
        return Map.of("X-Consul-Token", t);
    }

    @Test
    @Order(1)
    void anonymousWritesAreRefused() throws Exception {
        HttpResponse<String> r = send(client, "PUT", "/v1/kv/app/x", "v");
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("Permission denied", r.body());
        assertEquals(403, send(client, "GET", "/v1/acl/tokens", null).statusCode());
        assertEquals(403, send(client, "PUT", "/v1/kv/app/x", "v", token("nobody")).statusCode());
    }

    @Test
    @Order(2)
    void bootstrapTokenMayDoEverything() throws Exception {
        HttpResponse<String> r = send(client, "PUT", "/v1/acl/bootstrap", null);
        assertEquals(200, r.statusCode(), r.body());
        JsonObject t = JsonParser.parseString(r.body()).getAsJsonObject();
        root = t.get("SecretID").getAsString();
        assertEquals("global-management", t.getAsJsonArray("Policies").get(0).getAsJsonObject().get("Name")
                .getAsString());
        HttpResponse<String> again = send(client, "PUT", "/v1/acl/bootstrap", null);
        assertEquals(403, again.statusCode(), again.body());
        assertTrue(again.body().startsWith("ACL bootstrap no longer allowed"), again.body());
        assertEquals(200, send(client, "PUT", "/v1/kv/other/y", "v", token(root)).statusCode());
        assertEquals(200, send(client, "PUT", "/v1/kv/app/y", "v", token(root)).statusCode());
        assertEquals(200, send(client, "GET", "/v1/agent/self", null, token(root)).statusCode());
        assertEquals(200, send(client, "GET", "/v1/acl/tokens", null, token(root)).statusCode());
    }

    @Test
    @Order(3)
    void appPrefixTokenWritesAndListsOnlyApp() throws Exception {
        HttpResponse<String> p = send(client, "PUT", "/v1/acl/policy", "{\"Name\": \"app\", \"Rules\": "
                + "\"key_prefix \\\"app/\\\" { policy = \\\"write\\\" }\\nagent_prefix \\\"\\\" { policy = \\\"read\\\" }\"}",
                token(root));
        assertEquals(200, p.statusCode(), p.body());
        HttpResponse<String> t = send(client, "PUT", "/v1/acl/token", "{\"Description\": \"app\", \"Policies\": "
                + "[{\"Name\": \"app\"}]}", token(root));
        assertEquals(200, t.statusCode(), t.body());
        app = JsonParser.parseString(t.body()).getAsJsonObject().get("SecretID").getAsString();

        assertEquals("true", send(client, "PUT", "/v1/kv/app/x", "v", token(app)).body());
        assertEquals(403, send(client, "PUT", "/v1/kv/other/x", "v", token(app)).statusCode());
        // the token in each of the three places Consul takes it from
        assertEquals(200, send(client, "PUT", "/v1/kv/app/q?token=" + app, "v").statusCode());
        assertEquals(200, send(client, "PUT", "/v1/kv/app/b", "v", Map.of("Authorization", "Bearer " + app))
                .statusCode());
        HttpResponse<String> list = send(client, "GET", "/v1/kv/?recurse", null, token(app));
        assertEquals(200, list.statusCode(), list.body());
        assertEquals(List.of("app/b", "app/q", "app/x", "app/y"), keys(list.body()));
        assertEquals(List.of("app/b", "app/q", "app/x", "app/y", "other/y"),
                keys(send(client, "GET", "/v1/kv/?recurse", null, token(root)).body()));
        HttpResponse<String> self = send(client, "GET", "/v1/acl/token/self", null, token(app));
        assertEquals(200, self.statusCode(), self.body());
        assertEquals("app", JsonParser.parseString(self.body()).getAsJsonObject().get("Description").getAsString());
    }

    @Test
    @Order(4)
    void translateAndLegacyEndpointsAnswer() throws Exception {
        HttpResponse<String> tr = send(client, "POST", "/v1/acl/rules/translate", "key \"a\" { policy = \"read\" }",
                token(root));
        assertEquals(200, tr.statusCode(), tr.body());
        assertEquals("key_prefix \"a\" {\n  policy = \"read\"\n}\n", tr.body());
        HttpResponse<String> created = send(client, "PUT", "/v1/acl/create", "{\"Name\": \"legacy\", \"Type\": "
                + "\"client\", \"Rules\": \"key \\\"leg\\\" { policy = \\\"write\\\" }\"}", token(root));
        assertEquals(200, created.statusCode(), created.body());
        String id = JsonParser.parseString(created.body()).getAsJsonObject().get("ID").getAsString();
        assertEquals(200, send(client, "PUT", "/v1/kv/legacy/1", "v", token(id)).statusCode());
        HttpResponse<String> info = send(client, "GET", "/v1/acl/info/" + id, null, token(root));
        assertEquals("legacy", JsonParser.parseString(info.body()).getAsJsonArray().get(0).getAsJsonObject()
                .get("Name").getAsString());
    }

    @Test
    @Order(5)
    void clientKeepsServingACachedTokenWhileEveryServerIsDown() throws Exception {
        // The client resolves (and caches) the app token for its own endpoints.
        assertEquals(200, send(client, "GET", "/v1/agent/self", null, token(app)).statusCode());
        assertEquals(403, send(client, "GET", "/v1/agent/self", null).statusCode());
        for (Agent s : new ArrayList<>(cluster.servers())) {
            cluster.stop(s);
        }
        // The TTL (1 ms) is long past: the client asks again, no server answers within the hold
        // timeout, and extend-cache keeps the answer it had.
        HttpResponse<String> r = send(client, "GET", "/v1/agent/self", null, token(app));
        assertEquals(200, r.statusCode(), r.body());
        // A token it never saw is denied.
        assertEquals(403, send(client, "GET", "/v1/agent/self", null, token(root + "-unknown")).statusCode());
    }

    private static List<String> keys(String body) {
        List<String> out = new ArrayList<>();
        JsonArray a = JsonParser.parseString(body).getAsJsonArray();
        for (JsonElement e : a) {
            out.add(e.getAsJsonObject().get("Key").getAsString());
        }
        return out;
    }
}

package io.tribune.http;

import static io.tribune.agent.testing.TestCluster.waitFor;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Prepared queries under ACLs ({@code default_policy = "deny"}) in an in-process cluster, through a
 * client agent's HTTP API so that every request is forwarded with its token and decided on the
 * server: a {@code query_prefix "web"} token manages only queries named {@code web...}, lists only
 * those, sees stored tokens as {@code <hidden>}; an unnamed query is open to whoever has its ID;
 * execution needs no query permission but shows only instances whose service the token may read.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PreparedQueryAclClusterTest {
    private static final String MASTER = "master-token-of-the-query-test";
    @RegisterExtension
    static final TestCluster cluster = TestCluster.builder("query-acl-test").holdTimeout(Duration.ofSeconds(2))
            .setting("acl_datacenter", "dc1").setting("acl_default_policy", "deny")
            .setting("acl_master_token", MASTER).setting("acl_agent_token", MASTER)
            .servers("qa-s").clients("qa-c").build();
    private static Agent client;

    @BeforeAll
    static void setUp() throws Exception {
        client = cluster.client();
        HttpResponse<String> reg = send(client, "PUT", "/v1/agent/service/register", "{\"Name\": \"web\", \"Port\": 80}",
                token(MASTER));
        assertEquals(200, reg.statusCode(), reg.body());
        assertTrue(waitFor(() -> catalogHasWeb()));
    }

    private static boolean catalogHasWeb() {
        try {
            return send(client, "GET", "/v1/catalog/service/web", null, token(MASTER)).body().contains("qa-c");
        } catch (Exception e) {
            return false;
        }
    }

    private static Map<String, String> token(String t) {
        return Map.of("X-Consul-Token", t);
    }

    private static String tokenWith(String rules) throws Exception {
        HttpResponse<String> p = send(client, "PUT", "/v1/acl/policy", "{\"Name\": \"p" + Math.abs(rules.hashCode())
                + "\", \"Rules\": " + new com.google.gson.Gson().toJson(rules) + "}", token(MASTER));
        assertEquals(200, p.statusCode(), p.body());
        String policy = JsonParser.parseString(p.body()).getAsJsonObject().get("Name").getAsString();
        HttpResponse<String> t = send(client, "PUT", "/v1/acl/token", "{\"Policies\": [{\"Name\": \"" + policy
                + "\"}]}", token(MASTER));
        assertEquals(200, t.statusCode(), t.body());
        return JsonParser.parseString(t.body()).getAsJsonObject().get("SecretID").getAsString();
    }

    private static String create(String body, String tok) throws Exception {
        HttpResponse<String> r = send(client, "POST", "/v1/query", body, token(tok));
        assertEquals(200, r.statusCode(), r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject().get("ID").getAsString();
    }

    private static List<String> names(String json) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(json).getAsJsonArray()) {
            out.add(e.getAsJsonObject().get("Name").getAsString());
        }
        return out;
    }

    @Test
    void queryRulesGovernNamedQueriesAndServiceRulesTheResults() throws Exception {
        String web = tokenWith("query_prefix \"web\" { policy = \"write\" }");
        String webAndService = tokenWith("query_prefix \"web\" { policy = \"write\" }\n"
                + "service_prefix \"\" { policy = \"read\" }\nnode_prefix \"\" { policy = \"read\" }");
        String webId = create("{\"Name\": \"web-q\", \"Token\": \"stored\", \"Service\": {\"Service\": \"web\"}}", web);
        assertEquals(403, send(client, "POST", "/v1/query", "{\"Name\": \"db-q\", \"Service\": {\"Service\": \"db\"}}",
                token(web)).statusCode());
        String dbId = create("{\"Name\": \"db-q\", \"Service\": {\"Service\": \"db\"}}", MASTER);
        String unnamed = create("{\"Service\": {\"Service\": \"web\"}}", "");

        assertEquals(List.of("web-q"), names(send(client, "GET", "/v1/query", null, token(web)).body()));
        assertEquals(3, names(send(client, "GET", "/v1/query", null, token(MASTER)).body()).size());
        JsonObject seen = JsonParser.parseString(send(client, "GET", "/v1/query/" + webId, null, token(web)).body())
                .getAsJsonArray().get(0).getAsJsonObject();
        assertEquals("<hidden>", seen.get("Token").getAsString());
        JsonArray byMaster = JsonParser.parseString(send(client, "GET", "/v1/query/" + webId, null, token(MASTER))
                .body()).getAsJsonArray();
        assertEquals("stored", byMaster.get(0).getAsJsonObject().get("Token").getAsString());
        assertEquals(403, send(client, "GET", "/v1/query/" + dbId, null, token(web)).statusCode());
        assertEquals(403, send(client, "DELETE", "/v1/query/" + dbId, null, token(web)).statusCode());
        assertEquals(403, send(client, "PUT", "/v1/query/" + dbId, "{\"Name\": \"web-stolen\", \"Service\":"
                + " {\"Service\": \"db\"}}", token(web)).statusCode(), "the stored query's name counts");
        assertEquals(403, send(client, "GET", "/v1/query/db-q/explain", null, token(web)).statusCode());
        assertEquals(200, send(client, "GET", "/v1/query/" + unnamed, null, token("")).statusCode(),
                "an unnamed query's ID is its secret");

        // Execution: no permission on the query, instances cut by service and node read.
        JsonObject bare = JsonParser.parseString(send(client, "GET", "/v1/query/web-q/execute", null, token(web))
                .body()).getAsJsonObject();
        assertEquals(0, bare.getAsJsonArray("Nodes").size(), "the token may not read service web");
        JsonObject full = JsonParser.parseString(send(client, "GET", "/v1/query/web-q/execute", null,
                token(webAndService)).body()).getAsJsonObject();
        assertEquals(1, full.getAsJsonArray("Nodes").size(), full.toString());
        assertEquals(200, send(client, "DELETE", "/v1/query/" + webId, null, token(web)).statusCode());
    }
}

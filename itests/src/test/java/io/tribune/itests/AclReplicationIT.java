package io.tribune.itests;

import static io.tribune.itests.AgentGroup.awaitLeaders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ACL replication between two datacenters of real processes on 127.0.23.0/24, with
 * {@code default_policy = "deny"} and token replication: dc1 (the primary) has one server, dc2 one
 * server that joins the WAN pool through dc1's and a client agent. A policy and a token made in dc1
 * work through dc2's client agent within seconds (the time it took is printed);
 * {@code /v1/acl/replication} shows the progress; a local token made in dc2 does not exist in dc1;
 * and once dc1's server is killed (SIGKILL) dc2 keeps authorizing with what it replicated.
 */
@Timeout(180)
class AclReplicationIT {
    static final String NET = "127.0.23.";
    static final String DC1_SERVER = NET + "1";
    static final String DC2_SERVER = NET + "11";
    static final String DC2_CLIENT = NET + "12";
    static final String MASTER = "acl-replication-it-master-token";
    static final Duration LONG = Duration.ofSeconds(60);

    // The same ACL block everywhere, as Consul wants: the primary named, the master token known
    // to every server (it is also the agents' and the replication token here).
    @AutoClose
    final AgentGroup agents = new AgentGroup("{\"primary_datacenter\": \"dc1\", \"acl\": {\"enabled\": true, "
            + "\"default_policy\": \"deny\", \"enable_token_replication\": true, \"tokens\": {\"master\": \""
            + MASTER + "\", \"agent\": \"" + MASTER + "\", \"replication\": \"" + MASTER + "\"}}}");

    static JsonObject json(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    static int status(AgentProcess a, String method, String path) {
        try {
            return a.send(method, path, method.equals("PUT") ? "v" : null).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Test
    void policiesAndGlobalTokensReachTheSecondaryLocalTokensStayAndTheSecondaryOutlivesThePrimary()
            throws Exception {
        AgentProcess s1 = agents.start(DC1_SERVER, "dc1", true, List.of("-bootstrap-expect", "1"));
        AgentProcess s2 = agents.start(DC2_SERVER, "dc2", true, List.of("-bootstrap-expect", "1", "-retry-join-wan",
                DC1_SERVER, "-retry-interval-wan", "1s"));
        AgentProcess c2 = agents.start(DC2_CLIENT, "dc2", false, List.of("-retry-join", DC2_SERVER));
        awaitLeaders(LONG, s1, s2, c2);

        String auth = "?token=" + MASTER;
        JsonObject policy = json(s1.send("PUT", "/v1/acl/policy" + auth, "{\"Name\": \"app\", \"Rules\": "
                + "\"key_prefix \\\"app/\\\" { policy = \\\"write\\\" }\"}"));
        String policyId = policy.get("ID").getAsString();
        JsonObject token = json(s1.send("PUT", "/v1/acl/token" + auth, "{\"Description\": \"app\", \"Policies\": "
                + "[{\"Name\": \"app\"}]}"));
        String app = token.get("SecretID").getAsString();
        long made = System.nanoTime();

        // Within seconds the token of dc1 works through dc2's client agent (the WAN join included).
        assertTrue(c2.waitFor(LONG, () -> status(c2, "PUT", "/v1/kv/app/x?token=" + app) == 200),
                "the primary's token never worked in dc2:\n" + s2.output());
        System.out.printf("AclReplicationIT: a token made in dc1 worked in dc2 after %d ms%n",
                (System.nanoTime() - made) / 1_000_000);
        assertEquals(403, status(c2, "PUT", "/v1/kv/other/x?token=" + app));
        assertEquals(403, status(c2, "PUT", "/v1/kv/app/x"), "anonymous writes are still refused");
        assertEquals("app", json(c2.get("/v1/acl/policy/" + policyId + auth)).get("Name")
                .getAsString(), "the policy keeps the primary's ID");

        JsonObject repl = json(c2.get("/v1/acl/replication"));
        assertTrue(repl.get("Enabled").getAsBoolean() && repl.get("Running").getAsBoolean(), repl.toString());
        assertEquals("dc1", repl.get("SourceDatacenter").getAsString());
        assertEquals("tokens", repl.get("ReplicationType").getAsString());
        assertTrue(repl.get("ReplicatedIndex").getAsLong() > 0 && repl.get("ReplicatedTokenIndex").getAsLong() > 0,
                repl.toString());
        assertEquals("dc1", json(c2.get("/v1/agent/self" + auth)).getAsJsonObject("Config")
                .get("PrimaryDatacenter").getAsString());

        // A local token of dc2 exists there only.
        JsonObject local = json(c2.send("PUT", "/v1/acl/token" + auth, "{\"Description\": \"local\", \"Local\": true, "
                + "\"Policies\": [{\"ID\": \"" + policyId + "\"}]}"));
        String localAccessor = local.get("AccessorID").getAsString();
        assertEquals(200, status(c2, "PUT", "/v1/kv/app/local?token=" + local.get("SecretID").getAsString()));
        assertEquals(200, status(c2, "GET", "/v1/acl/token/" + localAccessor + auth));
        assertEquals(403, status(s1, "GET", "/v1/acl/token/" + localAccessor + auth),
                "dc1 does not know dc2's local token");

        // dc1 dies: dc2 goes on authorizing with what it replicated.
        s1.kill();
        assertEquals(200, status(c2, "PUT", "/v1/kv/app/after?token=" + app));
        assertEquals(403, status(c2, "PUT", "/v1/kv/other/after?token=" + app));
        assertEquals(200, status(c2, "PUT", "/v1/kv/app/after?token=" + local.get("SecretID").getAsString()));
        JsonObject after = json(c2.get("/v1/acl/replication"));
        assertTrue(after.get("Running").getAsBoolean(), after.toString());
        assertTrue(after.get("ReplicatedTokenIndex").getAsLong() >= repl.get("ReplicatedTokenIndex").getAsLong(),
                "the replicated index never goes back: " + after);
    }
}

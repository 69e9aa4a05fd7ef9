package io.tribune.http;

import static io.tribune.agent.testing.TestCluster.waitFor;
import static io.tribune.http.Http.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.testing.TestCluster;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
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
 * ACL replication between two in-process datacenters with {@code default_policy = "deny"}: dc1
 * is the primary (one server), dc2 a secondary (a server and a client agent) with token
 * replication. Through the HTTP API: a policy and token made in dc1 work in dc2 within seconds
 * with the same IDs; {@code /v1/acl/replication} shows the progress; a local token of dc2 stays
 * there; a global token written in dc2 is made in dc1; and with dc1's server stopped dc2 keeps
 * authorizing with what it replicated. The scenarios run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AclReplicationClusterTest {
    private static final String HUB = "acl-replication-test";
    private static final String MASTER = "master-token-of-the-replication-test";

    private static TestCluster.Builder acl(TestCluster.Builder b) {
        // Consul's legacy keys (this harness takes string settings): acl_datacenter turns ACLs on and names the primary.
        return b.holdTimeout(Duration.ofSeconds(3)).setting("acl_datacenter", "dc1")
                .setting("acl_default_policy", "deny").setting("acl_master_token", MASTER)
                .setting("acl_agent_token", MASTER).setting("acl_replication_token", MASTER)
                .setting("enable_acl_replication", "true");
    }

    @RegisterExtension
    static final TestCluster dc1 = acl(TestCluster.builder(HUB).datacenter("dc1")).servers("p-s").build();
    @RegisterExtension
    static final TestCluster dc2 = acl(TestCluster.builder(HUB).datacenter("dc2")).servers("s-s").clients("s-c")
            .build();

    private static String policyId;
    private static String appSecret;
    private static String appAccessor;

    @BeforeAll
    static void federate() throws Exception {
        dc2.joinWan(dc1);
    }

    private static Map<String, String> token(String t) {
        return Map.of("X-Consul-Token", t);
    }

    private static JsonObject json(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    private static Agent primary() {
        return dc1.servers().get(0);
    }

    @Test
    @Order(1)
    void aPolicyAndTokenOfThePrimaryWorkInTheSecondaryWithinSeconds() throws Exception {
        JsonObject p = json(send(primary(), "PUT", "/v1/acl/policy", "{\"Name\": \"app\", \"Rules\": "
                + "\"key_prefix \\\"app/\\\" { policy = \\\"write\\\" }\"}", token(MASTER)));
        policyId = p.get("ID").getAsString();
        JsonObject t = json(send(primary(), "PUT", "/v1/acl/token", "{\"Description\": \"app\", \"Policies\": "
                + "[{\"Name\": \"app\"}]}", token(MASTER)));
        appSecret = t.get("SecretID").getAsString();
        appAccessor = t.get("AccessorID").getAsString();

        Agent c = dc2.client();
        assertTrue(waitFor(Duration.ofSeconds(20), () -> status(c, "/v1/kv/app/x", "PUT", appSecret) == 200),
                "the primary's token works in the secondary");
        assertEquals(403, status(c, "/v1/kv/other/x", "PUT", appSecret));
        JsonObject copy = json(send(c, "GET", "/v1/acl/policy/" + policyId, null, token(MASTER)));
        assertEquals("app", copy.get("Name").getAsString(), "the same ID in both datacenters");
        JsonObject tok = json(send(c, "GET", "/v1/acl/token/" + appAccessor, null, token(MASTER)));
        assertEquals(appSecret, tok.get("SecretID").getAsString());
        assertFalse(tok.get("Local").getAsBoolean());
    }

    @Test
    @Order(2)
    void replicationStatusShowsProgressInTheSecondaryOnly() throws Exception {
        JsonObject s = json(send(dc2.client(), "GET", "/v1/acl/replication", null));
        assertTrue(s.get("Enabled").getAsBoolean(), s.toString());
        assertTrue(s.get("Running").getAsBoolean(), s.toString());
        assertEquals("dc1", s.get("SourceDatacenter").getAsString());
        assertEquals("tokens", s.get("ReplicationType").getAsString());
        assertTrue(s.get("ReplicatedIndex").getAsLong() > 0, s.toString());
        assertTrue(s.get("ReplicatedTokenIndex").getAsLong() > 0, s.toString());
        assertNotEquals("0001-01-01T00:00:00Z", s.get("LastSuccess").getAsString());
        JsonObject p = json(send(primary(), "GET", "/v1/acl/replication", null));
        assertFalse(p.get("Enabled").getAsBoolean(), "the primary does not replicate");
        assertEquals("dc1", json(send(dc2.client(), "GET", "/v1/agent/self", null, token(MASTER)))
                .getAsJsonObject("Config").get("PrimaryDatacenter").getAsString());
    }

    @Test
    @Order(3)
    void aLocalTokenStaysInItsDatacenterAndAGlobalOneIsMadeInThePrimary() throws Exception {
        JsonObject local = json(send(dc2.client(), "PUT", "/v1/acl/token", "{\"Description\": \"local\", \"Local\": true, "
                + "\"Policies\": [{\"ID\": \"" + policyId + "\"}]}", token(MASTER)));
        String localAccessor = local.get("AccessorID").getAsString();
        assertEquals(200, status(dc2.client(), "/v1/kv/app/local", "PUT", local.get("SecretID").getAsString()));
        assertEquals(403, send(primary(), "GET", "/v1/acl/token/" + localAccessor, null, token(MASTER)).statusCode(),
                "dc1 does not know dc2's local token");

        JsonObject global = json(send(dc2.client(), "PUT", "/v1/acl/token", "{\"Description\": \"made in dc2\", "
                + "\"Policies\": [{\"ID\": \"" + policyId + "\"}]}", token(MASTER)));
        String accessor = global.get("AccessorID").getAsString();
        assertEquals("made in dc2", json(send(primary(), "GET", "/v1/acl/token/" + accessor, null, token(MASTER)))
                .get("Description").getAsString(), "a global token written in dc2 is made in the primary");
        assertTrue(waitFor(Duration.ofSeconds(20), () -> status(dc2.client(), "/v1/acl/token/" + accessor, "GET",
                MASTER) == 200), "and replicated back");
        // the replicator deletes what vanished from the primary, and leaves the local token alone
        assertEquals(200, send(primary(), "DELETE", "/v1/acl/token/" + accessor, null, token(MASTER)).statusCode());
        assertTrue(waitFor(Duration.ofSeconds(20), () -> status(dc2.client(), "/v1/acl/token/" + accessor, "GET",
                MASTER) == 403));
        assertEquals(200, status(dc2.client(), "/v1/acl/token/" + localAccessor, "GET", MASTER));
    }

    @Test
    @Order(4)
    void theSecondaryKeepsAuthorizingWhileThePrimaryIsDown() throws Exception {
        for (Agent s : new ArrayList<>(dc1.servers())) {
            dc1.stop(s);
        }
        assertEquals(200, status(dc2.client(), "/v1/kv/app/after", "PUT", appSecret));
        assertEquals(403, status(dc2.client(), "/v1/kv/other/after", "PUT", appSecret));
        assertEquals(403, status(dc2.client(), "/v1/kv/app/after", "PUT", "unknown"));
        JsonObject s = json(send(dc2.client(), "GET", "/v1/acl/replication", null));
        assertTrue(s.get("Running").getAsBoolean());
    }

    private static int status(Agent a, String path, String method, String secret) {
        try {
            return send(a, method, path, method.equals("PUT") ? "v" : null, token(secret)).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

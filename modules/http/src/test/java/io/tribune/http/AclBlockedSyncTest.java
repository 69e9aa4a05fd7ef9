package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code default_policy = deny} and no agent token: a local registration that the caller's token
 * allows but the catalog refuses for the agent's token is answered 200 and kept locally, as Consul
 * keeps it and retries anti-entropy; the caller and the agent's state agree.
 */
@Timeout(120)
class AclBlockedSyncTest {
    private static final String MASTER = "6f1c2e3d-4b5a-4c7d-8e9f-0a1b2c3d4e5f";
    private static final String ACL = "\"acl\": {\"enabled\": true, \"default_policy\": \"deny\", \"tokens\": "
            + "{\"master\": \"" + MASTER + "\"}}, \"anti_entropy_interval\": \"1s\"";
    /** The whole config DevAgent builds for this test's agent. */
    private static final String CONFIG = "{\"dev\": true, \"node_name\": \"blocked1\", \"ports\": {\"http\": 0, "
            + "\"server\": 18474}, " + ACL + "}";

    @Test
    void aRegistrationBlockedByTheAgentsTokenIsAcceptedAndKeptLocally() throws Exception {
        try (DevAgent a = DevAgent.start("blocked1", 18474, ACL, MASTER)) {
            Map<String, String> auth = Map.of("X-Consul-Token", MASTER);
            HttpResponse<String> reg = Http.send(a.agent, "PUT", "/v1/agent/service/register",
                    "{\"ID\": \"blocked-web\", \"Name\": \"blocked-web\", \"Port\": 80}", auth);
            assertEquals(200, reg.statusCode(), reg.body());
            HttpResponse<String> local = Http.send(a.agent, "GET", "/v1/agent/services", null, auth);
            assertTrue(JsonParser.parseString(local.body()).getAsJsonObject().has("blocked-web"), local.body());
            HttpResponse<String> catalog = Http.send(a.agent, "GET", "/v1/catalog/service/blocked-web", null, auth);
            assertEquals("[]", catalog.body().strip(), "the agent's (anonymous) token may not write the catalog");
            // Anti-entropy retries: once the agent has a token that may write, the entry reaches the catalog.
            var withAgentToken = new io.tribune.agent.config.ConfigLoader().add(JsonParser.parseString(CONFIG.replace(
                    "\"master\": ", "\"agent\": \"" + MASTER + "\", \"master\": ")).getAsJsonObject(), "test").build();
            a.agent.onReload(() -> withAgentToken, null);
            a.agent.reload();
            assertTrue(a.waitFor(Duration.ofSeconds(30), () -> {
                try {
                    return Http.send(a.agent, "GET", "/v1/catalog/service/blocked-web", null, auth).body()
                            .contains("blocked-web");
                } catch (Exception e) {
                    return false;
                }
            }), "anti-entropy wrote the kept registration");
            HttpResponse<String> dereg = Http.send(a.agent, "PUT", "/v1/agent/service/deregister/blocked-web", null, auth);
            assertEquals(200, dereg.statusCode(), dereg.body());
            local = Http.send(a.agent, "GET", "/v1/agent/services", null, auth);
            assertEquals("{}", local.body().strip());
        }
    }
}

package io.tribune.http;

import static io.tribune.http.Http.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/operator/keyring}: over gossip-swim's keyring on an agent with gossip encryption, and
 * the clear refusal of a membership plugin without one (membership-static, as {@code -dev} uses).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KeyringApiTest {
    private static final String K1 = Base64.getEncoder().encodeToString(new byte[16]);
    private static final String K2 = Base64.getEncoder().encodeToString(filled(32, (byte) 7));
    @TempDir
    Path dir;

    private static byte[] filled(int n, byte b) {
        byte[] x = new byte[n];
        java.util.Arrays.fill(x, b);
        return x;
    }

    private JsonObject pool(Agent agent) throws Exception {
        HttpResponse<String> r = send(agent, "GET", "/v1/operator/keyring", null);
        assertEquals(200, r.statusCode(), r.body());
        JsonArray a = JsonParser.parseString(r.body()).getAsJsonArray();
        assertEquals(1, a.size());
        return a.get(0).getAsJsonObject();
    }

    @Test
    void installUseAndRemoveRotateTheKeyOfAnEncryptingAgent() throws Exception {
        // A client agent needs only membership and transport; it has no server to talk to here.
        String json = "{\"node_name\": \"keyring-c\", \"datacenter\": \"dc1\", \"server\": false,"
                + " \"data_dir\": \"" + dir.toString().replace("\\", "/") + "\", \"bind_addr\": \"127.0.0.1\","
                + " \"advertise_addr\": \"127.0.0.1\", \"ports\": {\"http\": 0, \"server\": 0, \"serf_lan\": 0, \"serf_wan\": 0},"
                + " \"plugins\": {\"transport\": \"transport-inproc\", \"membership\": \"gossip-swim\"},"
                + " \"plugin_config\": {\"transport-inproc.hub\": \"keyring-test\", \"gossip-swim.profile\": \"local\","
                + " \"gossip-swim.encrypt\": \"" + K1 + "\"}}";
        var cfg = new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), "test").build();
        var registry = PluginRegistry.of(new ServiceLoaderPluginSource(getClass().getClassLoader()).load());
        Agent agent = Agent.start(cfg, registry, "embedded");
        try {
            JsonObject p = pool(agent);
            assertEquals("dc1", p.get("Datacenter").getAsString());
            assertEquals(false, p.get("WAN").getAsBoolean());
            assertTrue(p.getAsJsonObject("PrimaryKeys").has(K1), p.toString());
            assertEquals(1, p.getAsJsonObject("Keys").size());

            assertEquals(200, send(agent, "POST", "/v1/operator/keyring", "{\"Key\": \"" + K2 + "\"}").statusCode());
            assertEquals(2, pool(agent).getAsJsonObject("Keys").size());
            // The primary cannot be removed.
            assertEquals(400, send(agent, "DELETE", "/v1/operator/keyring", "{\"Key\": \"" + K1 + "\"}").statusCode());
            assertEquals(200, send(agent, "PUT", "/v1/operator/keyring", "{\"Key\": \"" + K2 + "\"}").statusCode());
            assertTrue(pool(agent).getAsJsonObject("PrimaryKeys").has(K2));
            assertEquals(200, send(agent, "DELETE", "/v1/operator/keyring", "{\"Key\": \"" + K1 + "\"}").statusCode());
            JsonObject after = pool(agent);
            assertEquals(1, after.getAsJsonObject("Keys").size());
            assertTrue(after.getAsJsonObject("Keys").has(K2));

            // Bad input: a clear 400 and the keyring is unchanged.
            assertEquals(400, send(agent, "POST", "/v1/operator/keyring", "{\"Key\": \"not base64!\"}").statusCode());
            assertEquals(400, send(agent, "POST", "/v1/operator/keyring", "{\"Key\": \"" +
                    Base64.getEncoder().encodeToString(new byte[5]) + "\"}").statusCode());
            assertEquals(400, send(agent, "POST", "/v1/operator/keyring", "{\"Key\": 12}").statusCode());
            assertEquals(400, send(agent, "POST", "/v1/operator/keyring", "[1]").statusCode());
            assertEquals(400, send(agent, "POST", "/v1/operator/keyring", "{").statusCode());
            assertEquals(400, send(agent, "PUT", "/v1/operator/keyring", null).statusCode());
            assertEquals(400, send(agent, "PUT", "/v1/operator/keyring", "{\"Key\": \"" + K1 + "\"}").statusCode());
            assertEquals(after, pool(agent));
        } finally {
            agent.shutdown(false);
        }
    }

    @Test
    void aMembershipWithoutKeyringAnswersConsuls500NamingThePlugin() throws Exception {
        try (DevAgent dev = DevAgent.start("keyringdev", 18423)) {
            HttpResponse<String> r = dev.send("GET", "/v1/operator/keyring", null);
            assertEquals(500, r.statusCode());
            assertTrue(r.body().startsWith("Keyring is empty (encryption not enabled)"), r.body());
            assertTrue(r.body().contains("membership-static") && r.body().contains("no keyring"), r.body());
            assertEquals(500, dev.send("POST", "/v1/operator/keyring", "{\"Key\": \"" + K1 + "\"}").statusCode());
        }
    }
}

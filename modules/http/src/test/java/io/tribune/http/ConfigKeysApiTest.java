package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keys feature at the HTTP API: {@code http_config.response_headers} on every response, errors
 * included; the configured master token listed by {@code /v1/acl/tokens}, as Consul lists it.
 */
@Timeout(120)
class ConfigKeysApiTest {

    @Test
    void responseHeadersReachEveryResponseAndAHandlersOwnHeaderWins() throws Exception {
        try (DevAgent a = DevAgent.start("hdr1", 18471, "\"http_config\": {\"response_headers\": "
                + "{\"X-Frame-Options\": \"DENY\", \"Access-Control-Allow-Origin\": \"*\", \"Content-Type\": \"x/y\"}}")) {
            for (String path : new String[] {"/v1/agent/self", "/v1/kv/no-such-key", "/v1/no-such-endpoint"}) {
                HttpResponse<String> r = a.send("GET", path, null);
                assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(null), path);
                assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElse(null), path);
            }
            HttpResponse<String> self = a.send("GET", "/v1/agent/self", null);
            assertEquals("application/json", self.headers().firstValue("Content-Type").orElse(""),
                    "the handler's Content-Type wins over the configured one");
        }
        try (DevAgent plain = DevAgent.start("hdr2", 18472)) {
            assertTrue(plain.send("GET", "/v1/agent/self", null).headers().firstValue("X-Frame-Options").isEmpty());
        }
    }

    @Test
    void theMasterTokenOfTheConfigIsListedAsAGlobalManagementToken() throws Exception {
        String master = "2b7a0f4e-9c1d-4b5a-8e3f-6d2c1a0b9e87";
        try (DevAgent a = DevAgent.start("master1", 18473, "\"acl\": {\"enabled\": true, \"default_policy\": "
                + "\"allow\", \"tokens\": {\"master\": \"" + master + "\"}}")) {
            Map<String, String> auth = Map.of("X-Consul-Token", master);
            JsonObject[] found = new JsonObject[1];
            assertTrue(a.waitFor(Duration.ofSeconds(30), () -> {
                try {
                    HttpResponse<String> r = Http.send(a.agent, "GET", "/v1/acl/tokens", null, auth);
                    for (JsonElement e : JsonParser.parseString(r.body()).getAsJsonArray()) {
                        if (e.getAsJsonObject().get("Description").getAsString().equals("Master Token")) {
                            found[0] = e.getAsJsonObject();
                            return true;
                        }
                    }
                    return false;
                } catch (Exception e) {
                    return false;
                }
            }), "the master token is listed");
            JsonArray policies = found[0].getAsJsonArray("Policies");
            assertEquals("global-management", policies.get(0).getAsJsonObject().get("Name").getAsString());
            String accessor = found[0].get("AccessorID").getAsString();
            HttpResponse<String> read = Http.send(a.agent, "GET", "/v1/acl/token/" + accessor, null, auth);
            assertEquals(200, read.statusCode(), read.body());
            assertEquals(master, JsonParser.parseString(read.body()).getAsJsonObject().get("SecretID").getAsString());
            HttpResponse<String> self = Http.send(a.agent, "GET", "/v1/acl/token/self", null, auth);
            assertEquals(200, self.statusCode(), self.body());
            assertEquals(accessor, JsonParser.parseString(self.body()).getAsJsonObject().get("AccessorID").getAsString());
            // Listed once: the leader proposes it only while no token holds the secret.
            long count = 0;
            for (JsonElement e : JsonParser.parseString(Http.send(a.agent, "GET", "/v1/acl/tokens", null, auth).body())
                    .getAsJsonArray()) {
                if (e.getAsJsonObject().get("Description").getAsString().equals("Master Token")) {
                    count++;
                }
            }
            assertEquals(1, count);
        }
    }
}

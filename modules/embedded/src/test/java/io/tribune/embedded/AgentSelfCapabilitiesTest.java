package io.tribune.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/agent/self} lists each running plugin's capabilities as the host reads them: the dev
 * plugins' declarations (storage-memory and consensus-single declare none, transport-inproc
 * call-only and live update, membership-static queries, a WAN pool and live update but no peers).
 */
class AgentSelfCapabilitiesTest {

    @Test
    void agentSelfShowsTheCapabilitiesOfEveryRunningPlugin() throws Exception {
        try (EmbeddedAgent agent = EmbeddedAgent.builder().start()) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(agent.httpUrl() + "/v1/agent/self")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            Map<String, List<String>> byName = new LinkedHashMap<>();
            for (JsonElement e : JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("Plugins")) {
                JsonObject p = e.getAsJsonObject();
                byName.put(p.get("Name").getAsString(), p.getAsJsonArray("Capabilities").asList().stream()
                        .map(JsonElement::getAsString).toList());
            }
            assertEquals(Map.of("storage-memory", List.of(), "consensus-single", List.of(),
                    "transport-inproc", List.of("call-only", "live-update"),
                    "membership-static", List.of("queries", "wan-pool", "live-update")), byName);
        }
    }
}

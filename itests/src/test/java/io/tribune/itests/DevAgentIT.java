package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Starts {@code bin/tribune agent -dev} as an OS process in each runtime, uses the HTTP API, and
 * stops it with SIGTERM: it must leave gracefully and exit 0.
 */
@Timeout(180)
class DevAgentIT {

    @ParameterizedTest(name = "runtime {0}")
    @ValueSource(strings = {"felix", "jpms"})
    void devAgentServesKvThroughConsensusAndExitsZeroOnSigterm(String runtime) throws Exception {
        int port = AgentProcess.freePort();
        int grpcPort = AgentProcess.freePort();
        try (AgentProcess agent = AgentProcess.start(port, List.of("agent", "-dev", "-node", "it-" + runtime,
                "-http-port", Integer.toString(port), "-grpc-port", Integer.toString(grpcPort), "-dns-port", "-1",
                "-runtime", runtime))) {
            agent.awaitLeader(Duration.ofSeconds(60));
            // The gRPC API (an AgentService in the host layer) listens too.
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", grpcPort)) {
                assertTrue(s.isConnected());
            }

            JsonObject self = JsonParser.parseString(agent.get("/v1/agent/self").body()).getAsJsonObject();
            assertEquals("it-" + runtime, self.getAsJsonObject("Config").get("NodeName").getAsString());
            assertTrue(self.getAsJsonObject("Config").get("Server").getAsBoolean());
            assertEquals(runtime, self.getAsJsonObject("Stats").getAsJsonObject("agent").get("runtime").getAsString());

            HttpResponse<String> put = agent.send("PUT", "/v1/kv/it/greeting?flags=42", "hello");
            assertEquals(200, put.statusCode(), put.body());
            assertEquals("true", put.body().trim());

            HttpResponse<String> get = agent.get("/v1/kv/it/greeting");
            assertEquals(200, get.statusCode(), get.body());
            JsonObject entry = JsonParser.parseString(get.body()).getAsJsonArray().get(0).getAsJsonObject();
            assertEquals("it/greeting", entry.get("Key").getAsString());
            assertEquals("hello", new String(Base64.getDecoder().decode(entry.get("Value").getAsString()),
                    StandardCharsets.UTF_8));
            assertEquals(42, entry.get("Flags").getAsLong());
            long modify = entry.get("ModifyIndex").getAsLong();
            assertTrue(modify > 0);
            assertEquals(Long.toString(modify), get.headers().firstValue("X-Consul-Index").orElseThrow());

            assertEquals("hello", agent.get("/v1/kv/it/greeting?raw").body());
            // CAS with a stale index fails and changes nothing; with the right index it succeeds.
            assertEquals("false", agent.send("PUT", "/v1/kv/it/greeting?cas=" + (modify + 100), "x").body().trim());
            assertEquals("hello", agent.get("/v1/kv/it/greeting?raw").body());
            assertEquals("true", agent.send("PUT", "/v1/kv/it/greeting?cas=" + modify, "world").body().trim());
            assertEquals("world", agent.get("/v1/kv/it/greeting?raw").body());

            JsonArray keys = JsonParser.parseString(agent.get("/v1/kv/it/?keys").body()).getAsJsonArray();
            assertEquals("it/greeting", keys.get(0).getAsString());

            // Bad input: a clear 400 and nothing changes.
            HttpResponse<String> bad = agent.send("PUT", "/v1/kv/it/greeting?flags=notanumber", "zzz");
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("flags"), bad.body());
            assertEquals("world", agent.get("/v1/kv/it/greeting?raw").body());
            assertEquals(400, agent.get("/v1/kv/").statusCode());

            assertEquals("true", agent.send("DELETE", "/v1/kv/it/greeting", null).body().trim());
            assertEquals(404, agent.get("/v1/kv/it/greeting").statusCode());

            int code = agent.terminate(Duration.ofSeconds(30));
            assertEquals(0, code, agent.output());
            assertTrue(agent.output().contains("caught SIGTERM: graceful leave"), agent.output());
            assertTrue(agent.output().contains("agent stopped; exiting 0"), agent.output());
        }
    }
}

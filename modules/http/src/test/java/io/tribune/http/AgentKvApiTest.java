package io.tribune.http;

import io.tribune.agent.Agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The KV and status endpoints of an in-process dev agent (storage-memory, consensus-single,
 * transport-inproc, membership-static found through ServiceLoader), over real HTTP on loopback.
 */
@Timeout(120)
class AgentKvApiTest {
    static final AtomicInteger KEYS = new AtomicInteger();
    static Agent agent;
    static HttpClient http;
    static String base;

    @BeforeAll
    static void start() {
        var cfg = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"kvtest\", "
                + "\"ports\": {\"http\": 0, \"server\": 18399}}").getAsJsonObject(), "test").build();
        var registry = PluginRegistry.of(new ServiceLoaderPluginSource(AgentKvApiTest.class.getClassLoader()).load());
        agent = Agent.start(cfg, registry, "embedded");
        base = "http://127.0.0.1:" + agent.httpAddress().orElseThrow().getPort();
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        agent.shutdown(true);
    }

    static String key() {
        return "t/" + KEYS.incrementAndGet();
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static long index(HttpResponse<?> r) {
        return Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow());
    }

    @Test
    void leaderAndSelfDescribeTheDevServer() throws Exception {
        assertEquals("\"127.0.0.1:18399\"", send("GET", "/v1/status/leader", null).body());
        assertEquals("[\"127.0.0.1:18399\"]", send("GET", "/v1/status/peers", null).body());
        JsonObject self = JsonParser.parseString(send("GET", "/v1/agent/self", null).body()).getAsJsonObject();
        assertEquals("kvtest", self.getAsJsonObject("Config").get("NodeName").getAsString());
        JsonArray members = JsonParser.parseString(send("GET", "/v1/agent/members", null).body()).getAsJsonArray();
        assertEquals("kvtest", members.get(0).getAsJsonObject().get("Name").getAsString());
        assertEquals(1, members.get(0).getAsJsonObject().get("Status").getAsInt());
    }

    @Test
    void putGetDeleteWithIndexesFlagsAndCas() throws Exception {
        String k = key();
        assertEquals(404, send("GET", "/v1/kv/" + k, null).statusCode());
        assertEquals("true", send("PUT", "/v1/kv/" + k + "?flags=18446744073709551615", "v1").body());
        HttpResponse<String> g = send("GET", "/v1/kv/" + k, null);
        JsonObject e = JsonParser.parseString(g.body()).getAsJsonArray().get(0).getAsJsonObject();
        assertEquals("18446744073709551615", e.get("Flags").getAsBigInteger().toString());
        long created = e.get("CreateIndex").getAsLong();
        assertEquals(created, e.get("ModifyIndex").getAsLong());
        assertEquals(created, index(g));
        assertEquals("true", send("PUT", "/v1/kv/" + k, "v2").body());
        JsonObject e2 = JsonParser.parseString(send("GET", "/v1/kv/" + k, null).body()).getAsJsonArray().get(0)
                .getAsJsonObject();
        assertEquals(created, e2.get("CreateIndex").getAsLong());
        assertTrue(e2.get("ModifyIndex").getAsLong() > created);
        assertEquals("false", send("PUT", "/v1/kv/" + k + "?cas=0", "v3").body(), "cas=0 is create-only");
        assertEquals("false", send("PUT", "/v1/kv/" + k + "?cas=" + created, "v3").body());
        assertEquals("v2", send("GET", "/v1/kv/" + k + "?raw", null).body());
        assertEquals("true", send("DELETE", "/v1/kv/" + k + "?cas=" + e2.get("ModifyIndex").getAsLong(), null).body());
        assertEquals(404, send("GET", "/v1/kv/" + k, null).statusCode());
    }

    @Test
    void recurseKeysAndSeparator() throws Exception {
        String p = "tree" + KEYS.incrementAndGet() + "/";
        for (String s : new String[] {"a", "b/c", "b/d"}) {
            assertEquals("true", send("PUT", "/v1/kv/" + p + s, s).body());
        }
        JsonArray all = JsonParser.parseString(send("GET", "/v1/kv/" + p + "?recurse", null).body()).getAsJsonArray();
        assertEquals(3, all.size());
        JsonArray keys = JsonParser.parseString(send("GET", "/v1/kv/" + p + "?keys&separator=/", null).body())
                .getAsJsonArray();
        assertEquals("[\"" + p + "a\",\"" + p + "b/\"]", keys.toString());
        assertEquals("true", send("DELETE", "/v1/kv/" + p + "b/?recurse", null).body());
        assertEquals(1, JsonParser.parseString(send("GET", "/v1/kv/" + p + "?recurse", null).body()).getAsJsonArray()
                .size());
    }

    @Test
    void blockingQueryWakesOnAWriteToItsKeyAndTimesOutOtherwise() throws Exception {
        String k = key();
        send("PUT", "/v1/kv/" + k, "one");
        long idx = index(send("GET", "/v1/kv/" + k, null));

        // No change: the query returns after its wait with the same index.
        long t0 = System.nanoTime();
        HttpResponse<String> idle = send("GET", "/v1/kv/" + k + "?index=" + idx + "&wait=300ms", null);
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(290));
        assertEquals(idx, index(idle));

        // A write to another key does not wake it; a write to its key does.
        CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(HttpRequest.newBuilder(
                URI.create(base + "/v1/kv/" + k + "?index=" + idx + "&wait=60s")).build(),
                HttpResponse.BodyHandlers.ofString());
        send("PUT", "/v1/kv/" + key(), "elsewhere");
        assertTrue(!waiting.isDone() || index(waiting.get()) == idx, "woke for another key's write");
        send("PUT", "/v1/kv/" + k, "two");
        HttpResponse<String> woke = waiting.get(30, TimeUnit.SECONDS);
        assertTrue(index(woke) > idx);
        assertTrue(woke.body().contains("dHdv"), woke.body()); // base64 "two"
    }

    @Test
    void badInputGetsA4xxAndChangesNothing() throws Exception {
        String k = key();
        send("PUT", "/v1/kv/" + k, "keep");
        assertEquals(400, send("PUT", "/v1/kv/" + k + "?flags=-1", "x").statusCode());
        assertEquals(400, send("PUT", "/v1/kv/" + k + "?cas=abc", "x").statusCode());
        assertEquals(400, send("GET", "/v1/kv/" + k + "?index=later", null).statusCode());
        assertEquals(400, send("GET", "/v1/kv/" + k + "?stale&consistent", null).statusCode());
        assertEquals(400, send("PUT", "/v1/kv/" + k + "?acquire=not-a-uuid", "x").statusCode());
        assertEquals(400, send("PUT", "/v1/kv/" + k + "?acquire=a&release=b", "x").statusCode());
        assertEquals(413, send("PUT", "/v1/kv/" + k, "x".repeat(512 * 1024 + 1)).statusCode());
        assertEquals(400, send("PUT", "/v1/kv/" + "k".repeat(3000), "x").statusCode());
        assertEquals(400, send("PUT", "/v1/kv/", "x").statusCode());
        assertEquals(405, send("PATCH", "/v1/kv/" + k, "x").statusCode());
        assertEquals(404, send("GET", "/v1/nothing-here", null).statusCode());
        HttpResponse<String> bad = send("GET", "/v1/kv/" + k + "?wait=forever&index=1", null);
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("wait"), bad.body());
        assertEquals("keep", send("GET", "/v1/kv/" + k + "?raw", null).body());
    }

    @Test
    void staleAndConsistentReadsCarryConsulHeaders() throws Exception {
        String k = key();
        send("PUT", "/v1/kv/" + k, "x");
        for (String mode : new String[] {"stale", "consistent", "pretty"}) {
            HttpResponse<String> r = send("GET", "/v1/kv/" + k + "?" + mode, null);
            assertEquals(200, r.statusCode());
            assertEquals("true", r.headers().firstValue("X-Consul-KnownLeader").orElseThrow());
            assertTrue(r.headers().firstValue("X-Consul-LastContact").isPresent());
        }
    }
}

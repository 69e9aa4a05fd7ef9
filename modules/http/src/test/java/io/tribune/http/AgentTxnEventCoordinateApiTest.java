package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /v1/txn}, {@code /v1/event/*} and {@code /v1/coordinate/*} of an in-process dev agent. */
@Timeout(120)
class AgentTxnEventCoordinateApiTest {
    static DevAgent a;

    @BeforeAll
    static void start() throws Exception {
        a = DevAgent.start("txntest", 18403);
    }

    @AfterAll
    static void stop() {
        a.close();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String op(String verb, String key, String value, long index) {
        return "{\"KV\": {\"Verb\": \"" + verb + "\", \"Key\": \"" + key + "\""
                + (value == null ? "" : ", \"Value\": \"" + b64(value) + "\"") + ", \"Index\": " + index + "}}";
    }

    @Test
    void txnAppliesAllOperationsAtomically() throws Exception {
        HttpResponse<String> r = a.send("PUT", "/v1/txn", "[" + op("set", "tx/a", "1", 0) + ","
                + op("set", "tx/b", "2", 0) + "," + op("get", "tx/a", null, 0) + "]");
        assertEquals(200, r.statusCode(), r.body());
        JsonObject body = JsonParser.parseString(r.body()).getAsJsonObject();
        assertTrue(body.get("Errors").isJsonNull());
        JsonArray results = body.getAsJsonArray("Results");
        assertEquals(3, results.size());
        JsonObject got = results.get(2).getAsJsonObject().getAsJsonObject("KV");
        assertEquals("tx/a", got.get("Key").getAsString());
        assertEquals(b64("1"), got.get("Value").getAsString());
        long modify = got.get("ModifyIndex").getAsLong();

        // A failing check rolls back the write before it: 409 with Errors naming the operation.
        HttpResponse<String> conflict = a.send("PUT", "/v1/txn", "[" + op("set", "tx/a", "changed", 0) + ","
                + op("check-index", "tx/b", null, 999_999) + "]");
        assertEquals(409, conflict.statusCode(), conflict.body());
        JsonObject err = JsonParser.parseString(conflict.body()).getAsJsonObject().getAsJsonArray("Errors").get(0)
                .getAsJsonObject();
        assertEquals(1, err.get("OpIndex").getAsInt());
        assertTrue(!err.get("What").getAsString().isEmpty());
        assertEquals("1", a.send("GET", "/v1/kv/tx/a?raw", null).body());

        assertEquals(200, a.send("PUT", "/v1/txn", "[" + op("cas", "tx/a", "3", modify) + "]").statusCode());
        assertEquals("3", a.send("GET", "/v1/kv/tx/a?raw", null).body());
    }

    @Test
    void badTransactionsAreRefusedWithoutChangingAnything() throws Exception {
        a.put("/v1/kv/tx/keep", "keep");
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 65; i++) {
            many.append(i == 0 ? "" : ",").append(op("set", "tx/keep", "x", 0));
        }
        many.append("]");
        String[][] cases = {
            {many.toString(), "413"},
            {"[" + op("explode", "tx/keep", "x", 0) + "]", "400"},
            {"[{\"KV\": {\"Verb\": \"set\", \"Key\": \"tx/keep\", \"Value\": \"%%%\"}}]", "400"},
            {"[{\"KV\": {\"Verb\": \"set\", \"Key\": \"tx/keep\", \"Flags\": \"high\"}}]", "400"},
            {"[{\"Node\": {\"Verb\": \"set\"}}]", "400"},
            {"{\"KV\": {}}", "400"},
            {"[]", "400"},
            {"[" + op("set", "", "x", 0) + "]", "400"},
            {"[{\"KV\": {\"Verb\": \"set\", \"Key\": \"tx/keep\", \"Value\": \""
                    + Base64.getEncoder().encodeToString(new byte[512 * 1024 + 1]) + "\"}}]", "413"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = a.send("PUT", "/v1/txn", c[0]);
            assertEquals(Integer.parseInt(c[1]), r.statusCode(), r.body());
            assertTrue(!r.body().isBlank());
        }
        assertEquals("keep", a.send("GET", "/v1/kv/tx/keep?raw", null).body());
    }

    @Test
    void firedEventsAreListedByNameAndWakeBlockingLists() throws Exception {
        HttpResponse<String> idle = a.send("GET", "/v1/event/list?name=deploy", null);
        long idx = DevAgent.index(idle);
        CompletableFuture<HttpResponse<String>> waiting = a.http.sendAsync(HttpRequest.newBuilder(
                URI.create(a.base + "/v1/event/list?name=deploy&index=" + idx + "&wait=60s")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonObject fired = JsonParser.parseString(a.put("/v1/event/fire/deploy?service=web&tag=v2", "v1.2.3"))
                .getAsJsonObject();
        assertEquals("deploy", fired.get("Name").getAsString());
        assertEquals(b64("v1.2.3"), fired.get("Payload").getAsString());
        assertEquals("web", fired.get("ServiceFilter").getAsString());
        assertTrue(fired.get("LTime").getAsLong() > 0);
        a.put("/v1/event/fire/other", "");
        HttpResponse<String> woke = waiting.get(30, TimeUnit.SECONDS);
        JsonArray events = JsonParser.parseString(woke.body()).getAsJsonArray();
        assertEquals(fired.get("ID").getAsString(), events.get(events.size() - 1).getAsJsonObject().get("ID")
                .getAsString());
        for (var e : a.get("/v1/event/list?name=deploy").getAsJsonArray()) {
            assertEquals("deploy", e.getAsJsonObject().get("Name").getAsString());
        }
        assertTrue(a.get("/v1/event/list").getAsJsonArray().size() >= 2);
        assertEquals(413, a.send("PUT", "/v1/event/fire/big", "x".repeat(513)).statusCode());
        assertEquals(400, a.send("PUT", "/v1/event/fire/", "").statusCode());
        assertEquals(405, a.send("GET", "/v1/event/fire/deploy", null).statusCode());
    }

    @Test
    void coordinatesAreStoredForRegisteredNodesAndListed() throws Exception {
        assertEquals("dc1", a.get("/v1/coordinate/datacenters").getAsJsonArray().get(0).getAsJsonObject()
                .get("Datacenter").getAsString());
        assertEquals(404, a.send("GET", "/v1/coordinate/node/txntest", null).statusCode());
        a.put("/v1/coordinate/update", "{\"Node\": \"txntest\", \"Coord\": {\"Vec\": [0.1, 0.2, 0, 0, 0, 0, 0, 0], "
                + "\"Error\": 1.5, \"Adjustment\": 0.01, \"Height\": 0.0001}}");
        // The leader writes queued coordinates every coordinate_update_period (5 s by default).
        assertTrue(a.waitFor(Duration.ofSeconds(30), () -> {
            try {
                return a.send("GET", "/v1/coordinate/node/txntest", null).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        }));
        JsonObject c = a.get("/v1/coordinate/node/txntest").getAsJsonArray().get(0).getAsJsonObject();
        assertEquals("txntest", c.get("Node").getAsString());
        assertEquals(1.5, c.getAsJsonObject("Coord").get("Error").getAsDouble());
        assertEquals("[0.1,0.2,0.0,0.0,0.0,0.0,0.0,0.0]", c.getAsJsonObject("Coord").get("Vec").toString());
        assertEquals(1, a.get("/v1/coordinate/nodes").getAsJsonArray().size());
        assertEquals(400, a.send("PUT", "/v1/coordinate/update", "{\"Node\": \"txntest\", \"Coord\": "
                + "{\"Vec\": [\"a\"]}}").statusCode());
        assertEquals(400, a.send("PUT", "/v1/coordinate/update", "{\"Node\": \"txntest\"}").statusCode());
        assertEquals(400, a.send("PUT", "/v1/coordinate/update", "{\"Node\": \"txntest\", \"Coord\": "
                + "{\"Error\": \"big\"}}").statusCode());
        // Wrong dimensionality, and a node the catalog does not know: refused with the reason.
        HttpResponse<String> r = a.send("PUT", "/v1/coordinate/update", "{\"Node\": \"txntest\", \"Coord\": "
                + "{\"Vec\": [0.1, 0.2], \"Error\": 1.5}}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("has 2 dimensions; coordinates have 8"), r.body());
        r = a.send("PUT", "/v1/coordinate/update", "{\"Node\": \"ghost\", \"Coord\": "
                + "{\"Vec\": [0, 0, 0, 0, 0, 0, 0, 0], \"Error\": 1.5}}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("not registered"), r.body());
        assertEquals(1.5, a.get("/v1/coordinate/node/txntest").getAsJsonArray().get(0).getAsJsonObject()
                .getAsJsonObject("Coord").get("Error").getAsDouble());
    }
}

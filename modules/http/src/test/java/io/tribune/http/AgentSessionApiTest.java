package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /v1/session/*} and KV locks (acquire, release, behaviours, lock-delay, TTL invalidation). */
@Timeout(120)
class AgentSessionApiTest {
    static final AtomicInteger KEYS = new AtomicInteger();
    static DevAgent a;

    @BeforeAll
    static void start() throws Exception {
        a = DevAgent.start("sestest", 18402);
    }

    @AfterAll
    static void stop() {
        a.close();
    }

    static String key() {
        return "lock/" + KEYS.incrementAndGet();
    }

    static String create(String body) throws Exception {
        return JsonParser.parseString(a.put("/v1/session/create", body)).getAsJsonObject().get("ID").getAsString();
    }

    static JsonObject info(String id) throws Exception {
        JsonArray r = a.get("/v1/session/info/" + id).getAsJsonArray();
        return r.isEmpty() ? null : r.get(0).getAsJsonObject();
    }

    static JsonObject kv(String key) throws Exception {
        HttpResponse<String> r = a.send("GET", "/v1/kv/" + key, null);
        return r.statusCode() == 404 ? null : JsonParser.parseString(r.body()).getAsJsonArray().get(0).getAsJsonObject();
    }

    @Test
    void createInfoListRenewDestroy() throws Exception {
        String id = create("{\"Name\": \"s1\", \"TTL\": \"30s\", \"Behavior\": \"delete\", \"LockDelay\": \"5s\"}");
        assertEquals(36, id.length());
        JsonObject s = info(id);
        assertEquals("s1", s.get("Name").getAsString());
        assertEquals("sestest", s.get("Node").getAsString());
        assertEquals("30s", s.get("TTL").getAsString());
        assertEquals("delete", s.get("Behavior").getAsString());
        assertEquals(5_000_000_000L, s.get("LockDelay").getAsLong());
        assertEquals("[\"serfHealth\"]", s.get("Checks").toString());
        assertTrue(a.get("/v1/session/list").toString().contains(id));
        assertTrue(a.get("/v1/session/node/sestest").toString().contains(id));
        JsonArray renewed = JsonParser.parseString(a.put("/v1/session/renew/" + id, "")).getAsJsonArray();
        assertEquals(id, renewed.get(0).getAsJsonObject().get("ID").getAsString());
        assertEquals("true", a.put("/v1/session/destroy/" + id, ""));
        assertEquals(null, info(id));
        assertEquals(404, a.send("PUT", "/v1/session/renew/" + id, "").statusCode());
        // An empty body is a default session; a numeric LockDelay under 1000 is seconds.
        String plain = create("");
        assertEquals(15_000_000_000L, info(plain).get("LockDelay").getAsLong());
        String numeric = create("{\"LockDelay\": 7}");
        assertEquals(7_000_000_000L, info(numeric).get("LockDelay").getAsLong());
    }

    @Test
    void acquireIsExclusiveAndReleaseOnlyByTheHolder() throws Exception {
        String s1 = create("{}");
        String s2 = create("{}");
        String k = key();
        assertEquals("true", a.put("/v1/kv/" + k + "?acquire=" + s1, "mine"));
        assertEquals("false", a.put("/v1/kv/" + k + "?acquire=" + s2, "theirs"));
        JsonObject e = kv(k);
        assertEquals(s1, e.get("Session").getAsString());
        assertEquals(1, e.get("LockIndex").getAsLong());
        assertEquals("false", a.put("/v1/kv/" + k + "?release=" + s2, ""));
        assertEquals("true", a.put("/v1/kv/" + k + "?release=" + s1, "done"));
        assertFalse(kv(k).has("Session"));
        assertEquals("true", a.put("/v1/kv/" + k + "?acquire=" + s2, "theirs"));
        assertEquals(2, kv(k).get("LockIndex").getAsLong());
    }

    @Test
    void destroyReleasesLocksAndLockDelayHoldsTheKey() throws Exception {
        String holder = create("{\"LockDelay\": \"15s\"}");
        String quick = create("{\"LockDelay\": \"0s\"}");
        String other = create("{}");
        String delayed = key();
        String free = key();
        a.put("/v1/kv/" + delayed + "?acquire=" + holder, "x");
        a.put("/v1/kv/" + free + "?acquire=" + quick, "y");
        a.put("/v1/session/destroy/" + holder, "");
        a.put("/v1/session/destroy/" + quick, "");
        JsonObject released = kv(delayed);
        assertFalse(released.has("Session"), "release behaviour keeps the key, unlocked");
        assertEquals("false", a.put("/v1/kv/" + delayed + "?acquire=" + other, "z"), "inside the lock-delay");
        assertEquals("true", a.put("/v1/kv/" + free + "?acquire=" + other, "z"), "no lock-delay");
    }

    @Test
    void deleteBehaviourDeletesTheHeldKeys() throws Exception {
        String s = create("{\"Behavior\": \"delete\", \"LockDelay\": 0}");
        String k = key();
        a.put("/v1/kv/" + k + "?acquire=" + s, "x");
        a.put("/v1/session/destroy/" + s, "");
        assertEquals(null, kv(k));
    }

    @Test
    void sessionBoundToACheckDiesWhenTheCheckTurnsCritical() throws Exception {
        a.put("/v1/catalog/register", "{\"Node\": \"n-sess\", \"Address\": \"10.1.1.1\", \"Check\": "
                + "{\"CheckID\": \"alive\", \"Status\": \"passing\"}}");
        String s = create("{\"Node\": \"n-sess\", \"Checks\": [\"alive\"]}");
        assertEquals(s, a.get("/v1/session/node/n-sess").getAsJsonArray().get(0).getAsJsonObject().get("ID")
                .getAsString());
        a.put("/v1/catalog/register", "{\"Node\": \"n-sess\", \"Address\": \"10.1.1.1\", \"Check\": "
                + "{\"CheckID\": \"alive\", \"Status\": \"critical\"}}");
        assertEquals(null, info(s));
        HttpResponse<String> r = a.send("PUT", "/v1/session/create", "{\"Node\": \"n-sess\", \"Checks\": [\"alive\"]}");
        assertEquals(500, r.statusCode(), "a critical check cannot back a new session");
        r = a.send("PUT", "/v1/session/create", "{\"Node\": \"nobody\"}");
        assertEquals(500, r.statusCode());
    }

    @Test
    void badInputGetsA4xxAndCreatesNothing() throws Exception {
        int before = a.get("/v1/session/list").getAsJsonArray().size();
        String[][] cases = {
            {"{\"TTL\": \"5s\"}", "TTL"},
            {"{\"TTL\": \"forever\"}", "TTL"},
            {"{\"TTL\": true}", "TTL"},
            {"{\"Behavior\": \"explode\"}", "explode"},
            {"{\"LockDelay\": \"2m\"}", "LockDelay"},
            {"{\"Checks\": \"serfHealth\"}", "Checks"},
            {"{\"Name\": 5}", "Name"},
            {"{not json", "decode"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = a.send("PUT", "/v1/session/create", c[0]);
            assertEquals(400, r.statusCode(), c[0] + " -> " + r.body());
            assertTrue(r.body().contains(c[1]), c[0] + " -> " + r.body());
        }
        assertEquals(400, a.send("GET", "/v1/session/info/not-a-uuid", null).statusCode());
        assertEquals(400, a.send("PUT", "/v1/session/renew/not-a-uuid", "").statusCode());
        assertEquals(400, a.send("PUT", "/v1/session/destroy/x", "").statusCode());
        assertEquals(405, a.send("GET", "/v1/session/create", null).statusCode());
        assertEquals(before, a.get("/v1/session/list").getAsJsonArray().size());
    }
}

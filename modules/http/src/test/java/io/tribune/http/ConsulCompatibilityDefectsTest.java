package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP API defects of issue 17 (1, 3, 6 and the small ones of 7), each against Consul's
 * behaviour, on one in-process dev agent bound to the wildcard address.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsulCompatibilityDefectsTest {
    private static Booted a;

    @BeforeAll
    static void start() throws Exception {
        // Bound to the wildcard address like a server started with the default bind_addr; with the
        // in-process transport and static membership nothing listens there (HTTP is on 127.0.0.1).
        a = Booted.start("compat", 18441, "\"bind_addr\": \"0.0.0.0\", \"advertise_addr\": \"127.0.0.1\"");
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
    }

    // ------------------------------------------------------------------ defect 1

    @Test
    void keysThatAreNotUtf8AreRefusedRatherThanMergedIntoOneKey() throws Exception {
        HttpResponse<String> ff = a.send("PUT", "/v1/kv/u8/%FF", "ff");
        HttpResponse<String> fe = a.send("PUT", "/v1/kv/u8/%FE", "fe");
        assertEquals(400, ff.statusCode(), ff.body());
        assertEquals(400, fe.statusCode(), fe.body());
        assertTrue(ff.body().contains("not valid UTF-8"), ff.body());
        // Nothing was written under any spelling of the prefix.
        assertEquals(404, a.send("GET", "/v1/kv/u8/?recurse", null).statusCode());
        // Overlong and truncated sequences too, in query parameters as well (bad escapes such as
        // %ZZ, which Java's client refuses to send, are in RequestUriTest).
        for (String bad : List.of("/v1/kv/u8/%C0%AF", "/v1/kv/u8/%E2%82", "/v1/kv/u8/x?flags=%FF",
                "/v1/kv/u8/x?%FF=1")) {
            HttpResponse<String> r = a.send("PUT", bad, "x");
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
        }
        assertEquals(404, a.send("GET", "/v1/kv/u8/?recurse", null).statusCode());
        // Valid UTF-8, percent-encoded, is one key of its own.
        a.put("/v1/kv/u8/%C3%A9", "e-acute");
        String keys = a.send("GET", "/v1/kv/u8/?keys", null).body();
        assertEquals("[\"u8/\u00e9\"]", keys);
    }

    // ------------------------------------------------------------------ defect 3

    @Test
    void aServerBoundToTheWildcardAddressAdvertisesARoutableAddressAsLeader() throws Exception {
        String leader = JsonParser.parseString(a.send("GET", "/v1/status/leader", null).body()).getAsString();
        assertTrue(leader.startsWith("127.0.0.1:"), leader);
        assertFalse(leader.startsWith("0.0.0.0"), leader);
        String peers = a.send("GET", "/v1/status/peers", null).body();
        assertFalse(peers.contains("0.0.0.0"), peers);
    }

    // ------------------------------------------------------------------ defect 6

    @Test
    void booleanParametersAreReadAsGoParseBoolReadsThem() throws Exception {
        for (String v : List.of("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False")) {
            HttpResponse<String> r = a.send("GET", "/v1/health/service/consul?passing=" + v, null);
            assertEquals(200, r.statusCode(), v + ": " + r.body());
        }
        assertEquals(200, a.send("GET", "/v1/health/service/consul?passing", null).statusCode());
        for (String v : List.of("yes", "tRUE", "2", "on")) {
            HttpResponse<String> r = a.send("GET", "/v1/health/service/consul?passing=" + v, null);
            assertEquals(400, r.statusCode(), v + ": " + r.body());
        }
        for (String v : List.of("True", "1", "t")) {
            HttpResponse<String> on = a.send("PUT", "/v1/agent/maintenance?enable=" + v + "&reason=test", null);
            assertEquals(200, on.statusCode(), v + ": " + on.body());
            assertEquals("critical", a.catalogCheckStatus("_node_maintenance"));
            HttpResponse<String> off = a.send("PUT", "/v1/agent/maintenance?enable=" + v.replace("True", "False")
                    .replace("1", "0").replace("t", "f"), null);
            assertEquals(200, off.statusCode(), v + ": " + off.body());
            assertTrue(a.waitFor(java.time.Duration.ofSeconds(10), () -> a.catalogCheck("_node_maintenance") == null));
        }
        assertEquals(400, a.send("PUT", "/v1/agent/maintenance?enable=yes", null).statusCode());
        assertEquals(400, a.send("PUT", "/v1/agent/maintenance", null).statusCode());
    }

    // ------------------------------------------------------------------ defect 7

    @Test
    void theLargestUnsignedIndexIsAcceptedAndOneBeyondIsNot() throws Exception {
        a.put("/v1/kv/idx/k", "v");
        HttpResponse<String> r = a.send("GET", "/v1/kv/idx/k?index=18446744073709551615&wait=50ms", null);
        assertEquals(200, r.statusCode(), r.body());
        HttpResponse<String> cas = a.send("PUT", "/v1/kv/idx/k?cas=18446744073709551615", "w");
        assertEquals(200, cas.statusCode(), cas.body());
        assertEquals("false", cas.body(), "no entry can have that index");
        for (String bad : List.of("18446744073709551616", "-1", "+5", "1e3")) {
            assertEquals(400, a.send("GET", "/v1/kv/idx/k?index=" + bad, null).statusCode(), bad);
        }
    }

    @Test
    void keysOfAnEmptyPrefixAnswer404WithAnEmptyBody() throws Exception {
        HttpResponse<String> r = a.send("GET", "/v1/kv/nothing-here/?keys", null);
        assertEquals(404, r.statusCode());
        assertEquals("", r.body());
    }

    @Test
    void aCachedCatalogServiceReadIsServedFromTheAgentCache() throws Exception {
        HttpResponse<String> first = a.send("GET", "/v1/catalog/service/consul?cached", null);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("MISS", first.headers().firstValue("X-Cache").orElse(""));
        HttpResponse<String> second = a.send("GET", "/v1/catalog/service/consul?cached", null);
        assertEquals("HIT", second.headers().firstValue("X-Cache").orElse(""));
        assertEquals(first.body(), second.body());
    }

    @Test
    void malformedJsonIsRefusedWithoutTheParsersInternals() throws Exception {
        for (String body : List.of("[{", "{\"KV\": }", "[1,]", "nul", "[{\"KV\": {\"Verb\": \"set\"}}]x", "\"",
                "[{'KV': {Verb: set}}]", "{a:1}", "[{\"KV\":{\"Verb\":\"get\",\"Key\":\"k\"}},]")) {
            HttpResponse<String> r = a.send("PUT", "/v1/txn", body);
            assertTrue(r.statusCode() == 400 || r.statusCode() == 409 || r.statusCode() == 200,
                    body + ": " + r.statusCode() + " " + r.body());
            for (String internal : List.of("JsonReader", "setStrictness", "Strictness", "gson", "Troubleshooting",
                    "MalformedJson")) {
                assertFalse(r.body().contains(internal), body + ": " + r.body());
            }
        }
        HttpResponse<String> reg = a.send("PUT", "/v1/agent/service/register", "{\"Name\": \"x\",}}");
        assertEquals(400, reg.statusCode());
        assertFalse(reg.body().contains("JsonReader"), reg.body());
    }
}

package io.tribune.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.local.JsonIn;
import io.tribune.agent.rpc.Options;
import io.tribune.api.consensus.ReadConsistency;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Consul's query parameters and headers as the request layer's options, parsed strictly. */
class ParamsTest {

    static HttpRequest get(Map<String, List<String>> query) {
        return get(query, Map.of());
    }

    static HttpRequest get(Map<String, List<String>> query, Map<String, String> headers) {
        return new HttpRequest("GET", "/v1/x", query, headers, new byte[0], "test");
    }

    @Test
    void queryFiltersAndFlagsAreParsedStrictly() {
        assertEquals(Map.of("rack", "r1", "zone", "a:b"),
                Params.nodeMeta(get(Map.of("node-meta", List.of("rack:r1", "zone:a:b")))));
        assertThrows(HttpError.class, () -> Params.nodeMeta(get(Map.of("node-meta", List.of(":x")))));
        assertTrue(Params.flag(get(Map.of("passing", List.of(""))), "passing"));
        assertTrue(Params.flag(get(Map.of("passing", List.of("true"))), "passing"));
        assertEquals(false, Params.flag(get(Map.of("passing", List.of("false"))), "passing"));
        assertEquals(false, Params.flag(get(Map.of()), "passing"));
        assertThrows(HttpError.class, () -> Params.flag(get(Map.of("passing", List.of("yes"))), "passing"));
        assertThrows(HttpError.class, () -> Params.segment("a/b", "name"));
        assertThrows(HttpError.class, () -> Params.segment("", "name"));
        assertThrows(HttpError.class, () -> Params.segment("n".repeat(513), "name"));
    }

    @Test
    void negativeWaitsAreA400NamingTheParameter() {
        // Found by HttpDecodersFuzzTest.requestTarget (corpus: regression-negative-wait).
        for (String p : List.of("wait", "max_stale")) {
            HttpError e = assertThrows(HttpError.class, () -> Params.read(get(Map.of(p, List.of("-42s")))));
            assertEquals(400, e.status());
            assertTrue(e.getMessage().contains(p) && e.getMessage().contains("negative"), e.getMessage());
        }
    }

    @Test
    void consistencyBlockingAndCacheBecomeTheReadsOptions() {
        Map<String, List<String>> q = new LinkedHashMap<>();
        q.put("stale", List.of(""));
        q.put("max_stale", List.of("2s"));
        q.put("index", List.of("42"));
        q.put("wait", List.of("1m30s"));
        q.put("cached", List.of(""));
        q.put("dc", List.of("dc2"));
        Options o = Params.read(get(q));
        assertEquals(ReadConsistency.STALE, o.consistency());
        assertEquals(Duration.ofSeconds(2), o.maxStale());
        assertEquals(42, o.minIndex());
        assertEquals(Duration.ofSeconds(90), o.maxWait());
        assertTrue(o.cached());
        assertEquals("dc2", o.datacenter());
        assertEquals(ReadConsistency.CONSISTENT, Params.read(get(Map.of("consistent", List.of("")))).consistency());
        assertEquals(ReadConsistency.DEFAULT, Params.read(get(Map.of())).consistency());
    }

    @Test
    void aPositiveMaxStaleAllowsStaleReadsAsConsulsDoes() {
        assertEquals(ReadConsistency.STALE, Params.read(get(Map.of("max_stale", List.of("5s")))).consistency());
        assertThrows(HttpError.class, () -> Params.read(get(Map.of("max_stale", List.of("5s"),
                "consistent", List.of("")))));
    }

    @Test
    void conflictingOrMalformedParametersAreRefused() {
        assertThrows(HttpError.class, () -> Params.read(get(Map.of("stale", List.of(""), "consistent", List.of("")))));
        assertThrows(HttpError.class, () -> Params.read(get(Map.of("wait", List.of("soon")))));
        assertThrows(HttpError.class, () -> Params.read(get(Map.of("index", List.of("-1")))));
        assertThrows(HttpError.class, () -> Params.read(get(Map.of("max_stale", List.of("x")))));
    }

    @Test
    void discoveryMaxStaleBoundsReadsThatNameNoMode() {
        Duration bound = Duration.ofSeconds(3);
        Options plain = Params.discovery(get(Map.of()), bound);
        assertEquals(ReadConsistency.STALE, plain.consistency());
        assertEquals(bound, plain.maxStale());
        assertEquals(ReadConsistency.CONSISTENT,
                Params.discovery(get(Map.of("consistent", List.of(""))), bound).consistency());
        Options own = Params.discovery(get(Map.of("stale", List.of(""))), bound);
        assertEquals(Duration.ZERO, own.maxStale(), "an explicit ?stale keeps its own (absent) bound");
        assertEquals(ReadConsistency.DEFAULT, Params.discovery(get(Map.of()), Duration.ZERO).consistency());
    }

    @Test
    void theTokenComesFromTheHeaderTheBearerOrTheQuery() {
        assertEquals("h", Params.token(get(Map.of("token", List.of("q")), Map.of("x-consul-token", "h"))));
        assertEquals("b", Params.token(get(Map.of("token", List.of("q")), Map.of("authorization", "Bearer b"))));
        assertEquals("q", Params.token(get(Map.of("token", List.of("q")))));
        assertEquals("", Params.token(get(Map.of())));
    }

    @Test
    void lockDelayNumbersBelowAThousandAreSeconds() {
        assertEquals(Duration.ofSeconds(15), SessionRoutes.lockDelay(JsonIn.body("{}".getBytes(), false)));
        assertEquals(Duration.ofSeconds(7), SessionRoutes.lockDelay(JsonIn.body("{\"LockDelay\": 7}".getBytes(),
                false)));
        assertEquals(Duration.ofSeconds(3),
                SessionRoutes.lockDelay(JsonIn.body("{\"LockDelay\": 3000000000}".getBytes(), false)));
        assertEquals(Duration.ofMillis(500),
                SessionRoutes.lockDelay(JsonIn.body("{\"lockdelay\": \"500ms\"}".getBytes(), false)));
    }

    @Test
    void everyErrorKindHasItsStatus() {
        for (var k : io.tribune.agent.rpc.AgentException.Kind.values()) {
            int s = Statuses.of(k);
            assertTrue(s >= 400 && s < 600, k + " -> " + s);
        }
        assertEquals(400, Statuses.of(io.tribune.agent.rpc.AgentException.Kind.BAD_REQUEST));
        assertEquals(404, Statuses.of(io.tribune.agent.rpc.AgentException.Kind.NOT_FOUND));
        assertEquals(403, Statuses.of(io.tribune.agent.rpc.AgentException.Kind.PERMISSION_DENIED));
        assertEquals(413, Statuses.of(io.tribune.agent.rpc.AgentException.Kind.TOO_LARGE));
        assertEquals(429, Statuses.of(io.tribune.agent.rpc.AgentException.Kind.LIMIT));
        assertEquals(500, Statuses.of(io.tribune.agent.rpc.AgentException.Kind.NO_LEADER));
    }
}

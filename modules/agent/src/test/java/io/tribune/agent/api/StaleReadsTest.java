package io.tribune.agent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.http.HttpRequest;
import io.tribune.state.BlockingWait;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stale-read rule ({@code max_stale}, {@code discovery_max_stale}) as pure functions. */
class StaleReadsTest {
    private static final Duration NEVER = Duration.ofMillis(Long.MAX_VALUE);

    private static HttpRequest get(String path, String... params) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            q.put(params[i], List.of(params[i + 1]));
        }
        return new HttpRequest("GET", path, q, Map.of(), new byte[0], "test");
    }

    @Test
    void freshEnoughDecisionTable() {
        Duration bound = Duration.ofSeconds(5);
        // leader: always, whatever the other inputs
        assertTrue(StaleReads.freshEnough(true, true, Duration.ZERO, bound));
        assertTrue(StaleReads.freshEnough(true, false, NEVER, bound));
        // follower with a leader: by last contact, the bound itself included
        assertTrue(StaleReads.freshEnough(false, true, Duration.ofMillis(40), bound));
        assertTrue(StaleReads.freshEnough(false, true, bound, bound));
        assertFalse(StaleReads.freshEnough(false, true, bound.plusMillis(1), bound));
        assertFalse(StaleReads.freshEnough(false, true, NEVER, bound));
        // follower without a leader: never, even with a recent last contact
        assertFalse(StaleReads.freshEnough(false, false, Duration.ZERO, bound));
        assertFalse(StaleReads.freshEnough(false, false, Duration.ofMillis(1), Duration.ofDays(3650)));
    }

    @Test
    void defaultModeDiscoveryReadBecomesABoundedStaleRead() {
        HttpRequest r = StaleReads.discoveryDefault(get("/v1/health/service/web", "passing", ""),
                Duration.ofSeconds(10), false);
        assertTrue(r.has("stale"));
        assertEquals("10s", r.param("max_stale").orElseThrow());
        assertTrue(r.has("passing"), "other parameters are kept");
        assertEquals(Duration.ofSeconds(10), BlockingWait.parseDuration(r.param("max_stale").orElseThrow()));
        // Bounds that are not whole seconds survive the round trip through the parameter.
        Duration odd = Duration.ofMillis(1500);
        HttpRequest r2 = StaleReads.discoveryDefault(get("/v1/catalog/nodes"), odd, false);
        assertEquals(odd, BlockingWait.parseDuration(r2.param("max_stale").orElseThrow()));
        // A client's own max_stale without ?stale is kept and made a stale read.
        HttpRequest own = StaleReads.discoveryDefault(get("/v1/catalog/nodes", "max_stale", "3s"),
                Duration.ofSeconds(10), false);
        assertTrue(own.has("stale"));
        assertEquals("3s", own.param("max_stale").orElseThrow());
    }

    @Test
    void explicitModesOtherMethodsForwardedRequestsAndAZeroBoundAreLeftAlone() {
        Duration bound = Duration.ofSeconds(10);
        HttpRequest consistent = get("/v1/catalog/nodes", "consistent", "");
        assertSame(consistent, StaleReads.discoveryDefault(consistent, bound, false));
        HttpRequest stale = get("/v1/catalog/nodes", "stale", "");
        assertSame(stale, StaleReads.discoveryDefault(stale, bound, false));
        HttpRequest plain = get("/v1/catalog/nodes");
        assertSame(plain, StaleReads.discoveryDefault(plain, Duration.ZERO, false));
        assertSame(plain, StaleReads.discoveryDefault(plain, bound, true));
        HttpRequest put = new HttpRequest("PUT", "/v1/catalog/register", Map.of(), Map.of(), new byte[0], "t");
        assertSame(put, StaleReads.discoveryDefault(put, bound, false));
    }
}

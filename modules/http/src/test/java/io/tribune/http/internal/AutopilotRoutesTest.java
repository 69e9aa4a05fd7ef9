package io.tribune.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.rpc.Autopilot;
import io.tribune.state.AutopilotConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The autopilot routes' parsing and Consul shapes (the end-to-end path is AutopilotIT's). */
class AutopilotRoutesTest {
    static HttpRequest put(String body, Map<String, List<String>> query) {
        return new HttpRequest("PUT", "/v1/operator/autopilot/configuration", query, Map.of(),
                body.getBytes(StandardCharsets.UTF_8), "test");
    }

    @Test
    void putMergesNamedFieldsIntoTheCurrentConfigurationAndRefusesBadInput() {
        AutopilotConfig current = AutopilotConfig.defaults().withIndexes(5, 9);
        AutopilotConfig merged = AutopilotRoutes.merge(current, AutopilotRoutes.body(put(
                "{\"CleanupDeadServers\": false, \"LastContactThreshold\": \"1.5s\", \"MaxTrailingLogs\": 10,"
                        + " \"UpgradeVersionTag\": \"v\", \"ModifyIndex\": 3}", Map.of())));
        assertEquals(new AutopilotConfig(false, 1500, 10, 10_000, "", false, "v", 0, 0), merged);
        // Go's JSON form of a time.Duration (nanoseconds) is read too
        assertEquals(250, AutopilotRoutes.merge(current, AutopilotRoutes.body(put(
                "{\"LastContactThreshold\": 250000000}", Map.of()))).lastContactThresholdMs());
        for (String bad : List.of("{\"Nope\": 1}", "{\"CleanupDeadServers\": \"yes\"}", "{\"MaxTrailingLogs\": -1}",
                "{\"MaxTrailingLogs\": 1.5}", "{\"LastContactThreshold\": \"soon\"}", "[]", "")) {
            HttpError e = assertThrows(HttpError.class, () -> AutopilotRoutes.merge(current,
                    AutopilotRoutes.body(put(bad, Map.of()))), bad);
            assertEquals(400, e.status(), bad);
        }
        assertEquals(-1, AutopilotRoutes.cas(put("{}", Map.of())));
        assertEquals(9, AutopilotRoutes.cas(put("{}", Map.of("cas", List.of("9")))));
        assertEquals(400, assertThrows(HttpError.class,
                () -> AutopilotRoutes.cas(put("{}", Map.of("cas", List.of("-2"))))).status());
    }

    @Test
    void answersHaveConsulsFieldsAndDurationStrings() {
        Map<String, Object> c = AutopilotRoutes.configJson(AutopilotConfig.defaults());
        assertEquals("200ms", c.get("LastContactThreshold"));
        assertEquals("10s", c.get("ServerStabilizationTime"));
        assertEquals(250L, c.get("MaxTrailingLogs"));
        assertEquals(true, c.get("CleanupDeadServers"));
        Map<String, Object> h = AutopilotRoutes.healthJson(new Autopilot.HealthReport(false, 0, List.of(
                new Autopilot.ServerHealth("id1", "s1", "127.0.0.1:8300", "alive", "tribune", true, 0, 2, 7, true,
                        true, 1_000),
                new Autopilot.ServerHealth("id2", "s2", "127.0.0.2:8300", "failed", "", false, -1, 0, 0, false,
                        true, 0))));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> servers = (List<Map<String, Object>>) h.get("Servers");
        assertEquals("0s", servers.get(0).get("LastContact"));
        assertEquals("1970-01-01T00:00:01Z", servers.get(0).get("StableSince"));
        assertEquals("-1ns", servers.get(1).get("LastContact"));
        assertEquals("0001-01-01T00:00:00Z", servers.get(1).get("StableSince"));
        assertTrue(h.keySet().containsAll(List.of("Healthy", "FailureTolerance", "Servers")));
    }
}

package io.tribune.agent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pure helpers of the API: Go duration formatting, lenient JSON reading, query parsing. */
class ApiSupportTest {

    static HttpRequest put(String body) {
        return new HttpRequest("PUT", "/v1/x", Map.of(), Map.of(), body.getBytes(StandardCharsets.UTF_8), "test");
    }

    static HttpRequest get(Map<String, List<String>> query) {
        return new HttpRequest("GET", "/v1/x", query, Map.of(), new byte[0], "test");
    }

    @Test
    void goDurationMatchesGosFormatting() {
        Object[][] table = {
            {Duration.ZERO, "0s"}, {Duration.ofSeconds(10), "10s"}, {Duration.ofSeconds(90), "1m30s"},
            {Duration.ofHours(1), "1h0m0s"}, {Duration.ofHours(24), "24h0m0s"}, {Duration.ofMillis(1500), "1.5s"},
            {Duration.ofMillis(250), "250ms"}, {Duration.ofNanos(1500), "1500ns"}, {Duration.ofNanos(2000), "2µs"},
        };
        for (Object[] row : table) {
            assertEquals(row[1], ApiSupport.goDuration((Duration) row[0]), row[0].toString());
        }
    }

    @Test
    void jsonFieldsMatchWithoutCaseAndWrongTypesNameTheField() {
        JsonIn in = JsonIn.body(put("{\"name\": \"web\", \"PORT\": 80, \"Service\": {\"Weights\": {\"Passing\": "
                + "\"x\"}}, \"Tags\": null}"), false);
        assertEquals("web", in.string("Name", ""));
        assertEquals(80L, in.integer("Port", 0, 65535).orElseThrow());
        assertTrue(in.strings("Tags").isEmpty(), "null counts as absent");
        HttpError e = assertThrows(HttpError.class, () -> CatalogApi.weightsIn(in.object("Service").orElseThrow()));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("Service.Weights.Passing"), e.getMessage());
        assertThrows(HttpError.class, () -> in.string("Port"));
        assertThrows(HttpError.class, () -> JsonIn.body(put("[]"), false));
        assertThrows(HttpError.class, () -> JsonIn.body(put(""), false));
        assertEquals(0, JsonIn.body(put(""), true).stringMap("Meta").size());
        HttpError range = assertThrows(HttpError.class,
                () -> JsonIn.body(put("{\"Port\": 1.5}"), false).integer("Port", 0, 65535));
        assertTrue(range.getMessage().contains("Port"), range.getMessage());
    }

    @Test
    void durationsAcceptGoStringsAndNanosecondNumbers() {
        JsonIn in = JsonIn.body(put("{\"A\": \"1m30s\", \"B\": 2000000000, \"C\": \"-1s\", \"D\": \"soon\"}"), false);
        assertEquals(Duration.ofSeconds(90), in.duration("A").orElseThrow());
        assertEquals(Duration.ofSeconds(2), in.duration("B").orElseThrow());
        assertThrows(HttpError.class, () -> in.duration("C"));
        assertThrows(HttpError.class, () -> in.duration("D"));
    }

    @Test
    void lockDelayNumbersBelowAThousandAreSeconds() {
        assertEquals(Duration.ofSeconds(15), SessionApi.lockDelay(JsonIn.body(put("{}"), false)));
        assertEquals(Duration.ofSeconds(7), SessionApi.lockDelay(JsonIn.body(put("{\"LockDelay\": 7}"), false)));
        assertEquals(Duration.ofSeconds(3),
                SessionApi.lockDelay(JsonIn.body(put("{\"LockDelay\": 3000000000}"), false)));
        assertEquals(Duration.ofMillis(500), SessionApi.lockDelay(JsonIn.body(put("{\"lockdelay\": \"500ms\"}"),
                false)));
        assertThrows(HttpError.class, () -> SessionApi.lockDelay(JsonIn.body(put("{\"LockDelay\": \"61s\"}"), false)));
    }

    @Test
    void queryFiltersAndFlagsAreParsedStrictly() {
        assertEquals(Map.of("rack", "r1", "zone", "a:b"),
                ApiSupport.nodeMeta(get(Map.of("node-meta", List.of("rack:r1", "zone:a:b")))));
        assertThrows(HttpError.class, () -> ApiSupport.nodeMeta(get(Map.of("node-meta", List.of(":x")))));
        assertTrue(ApiSupport.flag(get(Map.of("passing", List.of(""))), "passing"));
        assertTrue(ApiSupport.flag(get(Map.of("passing", List.of("true"))), "passing"));
        assertEquals(false, ApiSupport.flag(get(Map.of("passing", List.of("false"))), "passing"));
        assertEquals(false, ApiSupport.flag(get(Map.of()), "passing"));
        assertThrows(HttpError.class, () -> ApiSupport.flag(get(Map.of("passing", List.of("yes"))), "passing"));
        assertThrows(HttpError.class, () -> ApiSupport.segment("a/b", "name"));
        assertThrows(HttpError.class, () -> ApiSupport.segment("", "name"));
        assertThrows(HttpError.class, () -> ApiSupport.segment("n".repeat(513), "name"));
    }

    @Test
    void checkOutputIsTruncatedToFourKibWithoutSplittingCharacters() {
        assertEquals("short", LocalState.truncate("short"));
        String cut = LocalState.truncate("é".repeat(3000));
        assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= LocalState.MAX_OUTPUT_BYTES);
        assertEquals(2048, cut.length());
    }
}

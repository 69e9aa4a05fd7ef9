package io.tribune.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tribune.state.KvEntry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * KV entries in Consul's JSON shape, as the streamed writer of {@code GET /v1/kv/<key>} and the
 * serializer of every other answer (recurse, txn results) write them: field order, unsigned flags,
 * base64 values, null for an empty value, Session only while locked; compact and {@code ?pretty}.
 */
class JsonKvTest {
    private static final HttpRequest PLAIN = ParamsTest.get(Map.of());
    private static final HttpRequest PRETTY = ParamsTest.get(Map.of("pretty", List.of("")));

    private static String streamed(HttpRequest req, KvEntry e) {
        return Json.write(req, out -> {
            out.beginArray();
            Json.writeKv(out, e);
            out.endArray();
        });
    }

    @Test
    void anEntryIsWrittenInConsulsShape() {
        KvEntry e = new KvEntry("a/b", 5, 7, 0, 42, "hi".getBytes(StandardCharsets.UTF_8), "");
        assertEquals("[{\"LockIndex\":0,\"Key\":\"a/b\",\"Flags\":42,\"Value\":\"aGk=\",\"CreateIndex\":5,"
                + "\"ModifyIndex\":7}]", streamed(PLAIN, e));
    }

    @Test
    void flagsAreUnsignedAnEmptyValueIsNullAndALockedEntryNamesItsSession() {
        KvEntry e = new KvEntry("k\"<>", 1, 2, 3, -1L, new byte[0], "sess-1");
        assertEquals("[{\"LockIndex\":3,\"Key\":\"k\\\"<>\",\"Flags\":18446744073709551615,\"Value\":null,"
                + "\"Session\":\"sess-1\",\"CreateIndex\":1,\"ModifyIndex\":2}]", streamed(PLAIN, e));
    }

    @Test
    void theStreamedAnswerIsWhatTheSerializerWritesForTheSameEntries() {
        for (KvEntry e : List.of(new KvEntry("x", 1, 1, 0, 0, new byte[] {1, 2, 3}, ""),
                new KvEntry("y", 9, 10, 2, Long.MIN_VALUE, null, "s"))) {
            for (HttpRequest req : List.of(PLAIN, PRETTY)) {
                assertEquals(Json.write(List.of(e), req), streamed(req, e));
            }
        }
    }

    @Test
    void prettyIndentsAsConsulDoes() {
        KvEntry e = new KvEntry("k", 1, 2, 0, 0, "v".getBytes(StandardCharsets.UTF_8), "");
        assertEquals("[\n  {\n    \"LockIndex\": 0,\n    \"Key\": \"k\",\n    \"Flags\": 0,\n    \"Value\": \"dg==\",\n"
                + "    \"CreateIndex\": 1,\n    \"ModifyIndex\": 2\n  }\n]", streamed(PRETTY, e));
    }

    @Test
    void anEntryInsideOtherValuesHasTheSameShape() {
        KvEntry e = new KvEntry("k", 1, 2, 0, 0, null, "");
        assertEquals("{\"KV\":{\"LockIndex\":0,\"Key\":\"k\",\"Flags\":0,\"Value\":null,\"CreateIndex\":1,"
                + "\"ModifyIndex\":2}}", Json.write(Map.of("KV", e), PLAIN));
    }
}

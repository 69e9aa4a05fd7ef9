package io.tribune.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The strict decoding of request targets (issue 17, defect 1): UTF-8 or a 400, never U+FFFD. */
class RequestUriTest {

    private static int refused(String target) {
        return assertThrows(HttpError.class, () -> RequestUri.decode(target), target).status();
    }

    @Test
    void pathAndQueryArePercentDecodedAsUtf8() {
        RequestUri.Decoded d = RequestUri.decode("/v1/kv/a%2Fb+c/%C3%A9?recurse&flags=3&tag=a+b&tag=%E2%82%AC&=x#frag");
        assertEquals("/v1/kv/a/b+c/\u00e9", d.path(), "'+' is a plus in the path");
        Map<String, List<String>> q = new LinkedHashMap<>();
        q.put("recurse", List.of(""));
        q.put("flags", List.of("3"));
        q.put("tag", List.of("a b", "\u20ac"));
        q.put("", List.of("x"));
        assertEquals(q, d.query());
        assertEquals(Map.of(), RequestUri.decode("/v1/agent/self").query());
        assertEquals(Map.of(), RequestUri.decode("/v1/x?&&").query());
    }

    @Test
    void bytesThatAreNotUtf8AndBadEscapesAreRefusedWith400() {
        for (String bad : List.of("/v1/kv/%FF", "/v1/kv/%FE", "/v1/kv/%C0%AF", "/v1/kv/%E2%82", "/v1/kv/%ED%A0%80",
                "/v1/kv/x?a=%FF", "/v1/kv/x?%FF", "/v1/kv/%ZZ", "/v1/kv/x%", "/v1/kv/x%4", "/v1/kv/x?a=%G1",
                "/v1/kv/\u00ff", "/v1/kv/\u20ac")) {
            assertEquals(400, refused(bad), bad);
        }
    }

    @Test
    void twoDifferentKeysNeverDecodeToTheSameOne() {
        // What merged keys before: both decoded to "u8/\uFFFD".
        assertEquals(400, refused("/v1/kv/u8/%FF"));
        assertEquals(400, refused("/v1/kv/u8/%FE"));
        assertEquals("/v1/kv/u8/\uFFFD", RequestUri.decode("/v1/kv/u8/%EF%BF%BD").path(),
                "U+FFFD itself, sent as UTF-8, is a key like any other");
    }

    @Test
    void parameterCountIsBounded() {
        StringBuilder b = new StringBuilder("/v1/x?");
        for (int i = 0; i <= RequestUri.MAX_PARAMS; i++) {
            b.append("p").append(i).append("=1&");
        }
        assertEquals(400, refused(b.toString()));
    }
}

package io.tribune.http.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link UiRoutes} through {@link HttpServer#handle}, over files handed in by the test (and once the real jar's). */
class UiRoutesTest {
    private static final Map<String, byte[]> FILES = Map.of(
            "index.html", bytes("<!doctype html><script src=\"/ui/assets/app-1.js\"></script>"),
            "assets/app-1.js", bytes("console.log('ui')"),
            "assets/app-1.css", bytes("body{}"),
            "assets/logo.svg", bytes("<svg/>"),
            "assets/blob.bin", bytes("\u0000binary"));

    private final List<String> lookups = new ArrayList<>();
    private final HttpServer server = server(new UiRoutes(name -> {
        lookups.add(name);
        return Optional.ofNullable(FILES.get(name));
    }));

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static HttpServer server(UiRoutes ui) {
        HttpServer s = new HttpServer(1 << 20, HttpLimits.DEFAULT);
        ui.register(s);
        s.route("/v1/status/", (req, rest) -> {
            throw HttpError.badRequest("only here to show other routes keep theirs");
        });
        return s;
    }

    private HttpResponse call(String method, String path, Map<String, String> headers) {
        return server.handle(new HttpRequest(method, path, Map.of(), headers, new byte[0], "test")).join();
    }

    private HttpResponse get(String path) {
        return call("GET", path, Map.of());
    }

    @Test
    void uiSlashIsIndexHtmlRevalidatedOnEveryLoad() {
        HttpResponse r = get("/ui/");
        assertEquals(200, r.status());
        assertEquals("text/html; charset=utf-8", r.headers().get("Content-Type"));
        assertEquals("no-cache", r.headers().get("Cache-Control"));
        assertEquals("nosniff", r.headers().get("X-Content-Type-Options"));
        assertArrayEquals(FILES.get("index.html"), r.body());
        assertEquals(r.headers().get("ETag"), get("/ui/index.html").headers().get("ETag"));
    }

    @Test
    void assetsHaveTheirContentTypeAndAreImmutable() {
        Map<String, String> expected = Map.of("/ui/assets/app-1.js", "text/javascript; charset=utf-8",
                "/ui/assets/app-1.css", "text/css; charset=utf-8", "/ui/assets/logo.svg", "image/svg+xml");
        expected.forEach((path, type) -> {
            HttpResponse r = get(path);
            assertEquals(200, r.status(), path);
            assertEquals(type, r.headers().get("Content-Type"), path);
            assertEquals(UiRoutes.IMMUTABLE, r.headers().get("Cache-Control"), path);
            assertArrayEquals(FILES.get(path.substring("/ui/".length())), r.body(), path);
        });
    }

    @Test
    void matchingIfNoneMatchAnswers304WithoutBodyAndOtherTagsTheFile() {
        String etag = get("/ui/assets/app-1.js").headers().get("ETag");
        assertTrue(etag.matches("\"[0-9a-f]{32}\""), etag);
        assertFalse(etag.equals(get("/ui/assets/app-1.css").headers().get("ETag")), "different files, same tag");
        HttpResponse same = call("GET", "/ui/assets/app-1.js", Map.of("if-none-match", "\"other\", " + etag));
        assertEquals(304, same.status());
        assertEquals(0, same.body().length);
        assertEquals(etag, same.headers().get("ETag"));
        HttpResponse other = call("GET", "/ui/assets/app-1.js", Map.of("if-none-match", "\"other\""));
        assertEquals(200, other.status());
        assertArrayEquals(FILES.get("assets/app-1.js"), other.body());
    }

    @Test
    void traversalAndHiddenNamesAre404WithoutAnyLookup() {
        // The server hands routes percent-decoded paths: these are what %2e%2e and friends become.
        for (String path : new String[] {"/ui/../pom.xml", "/ui/assets/../../module-info.class", "/ui/..",
                "/ui/./index.html", "/ui/.env", "/ui//etc/passwd.txt", "/ui/assets\\..\\x.js", "/ui/assets/",
                "/ui/a b.js", "/ui/" + "x".repeat(300) + ".js"}) {
            HttpResponse r = get(path);
            assertEquals(404, r.status(), path);
            assertEquals("text/plain; charset=utf-8", r.headers().get("Content-Type"), path);
        }
        assertEquals(List.of(), lookups, "no invalid name may reach the file lookup");
    }

    @Test
    void unknownFileAndUnservedTypeAre404() {
        assertEquals(404, get("/ui/missing.js").status());
        assertEquals(List.of("missing.js"), lookups);
        assertEquals(404, get("/ui/assets/blob.bin").status(), "no content type for .bin: not served");
        assertEquals(404, get("/ui/services").status(), "hash routing: no fallback to index.html");
    }

    @Test
    void rootAndUiWithoutSlashRedirectToUiSlashOtherPathsKeepTheir404() {
        for (String path : new String[] {"/", "/ui"}) {
            HttpResponse r = get(path);
            assertEquals(301, r.status(), path);
            assertEquals("/ui/", r.headers().get("Location"), path);
        }
        HttpResponse other = get("/nothing/here");
        assertEquals(404, other.status());
        assertEquals("no API at /nothing/here", new String(other.body(), StandardCharsets.UTF_8));
        assertEquals(404, get("/uix").status());
        assertEquals(400, get("/v1/status/x").status(), "a longer route still wins over /");
    }

    @Test
    void onlyGetAndHead() {
        assertEquals(405, call("POST", "/ui/", Map.of()).status());
        assertEquals(405, call("DELETE", "/", Map.of()).status());
        assertEquals(200, call("HEAD", "/ui/assets/app-1.js", Map.of()).status());
    }

    @Test
    void theRealJarServesTheBuiltIndexAndItsScript() {
        HttpServer real = server(new UiRoutes());
        HttpResponse index = real.handle(new HttpRequest("GET", "/ui/", Map.of(), Map.of(), new byte[0], "t")).join();
        assertEquals(200, index.status());
        String html = new String(index.body(), StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("src=\"(/ui/assets/[^\"]+\\.js)\"").matcher(html);
        assertTrue(m.find(), html);
        HttpResponse js = real.handle(new HttpRequest("GET", m.group(1), Map.of(), Map.of(), new byte[0], "t")).join();
        assertEquals(200, js.status());
        assertEquals("text/javascript; charset=utf-8", js.headers().get("Content-Type"));
        assertTrue(new String(js.body(), StandardCharsets.UTF_8).contains("/v1/internal/ui/services"));
        assertNull(js.headers().get("Location"));
    }
}

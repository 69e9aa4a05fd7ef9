package io.tribune.http.internal;

import io.tribune.ui.UiAssets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The web UI's static files at {@code /ui/} (from the {@code io.tribune.ui} jar, {@link UiAssets}),
 * as Consul serves its UI: {@code /} and {@code /ui} redirect to {@code /ui/}, which is
 * {@code index.html}. The UI routes in the URL's hash, so no other path needs to fall back to
 * {@code index.html}: an unknown file is a 404.
 *
 * <p>Only {@code GET} and {@code HEAD}. Each answer has its {@code Content-Type} (by extension; a
 * file of an unknown type is not served), a strong {@code ETag} (SHA-256 of the bytes; a matching
 * {@code If-None-Match} answers 304 without a body) and {@code Cache-Control}: the content-hashed
 * files under {@code assets/} are immutable for a year, {@code index.html} is revalidated on every
 * load so a new agent version shows at once. Names are checked by {@link UiAssets#validPath} before
 * any lookup, so {@code ..} and other traversal is a 404 and reads nothing.
 *
 * <p>Thread-safe; files found are cached in memory (they are a few kilobytes and never change while
 * the agent runs; only files that exist enter the cache, so probing for names cannot grow it).
 */
final class UiRoutes {
    /** Content types by extension; anything else is not served. */
    static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("txt", "text/plain; charset=utf-8"));
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String REVALIDATE = "no-cache";

    private record Asset(byte[] bytes, String contentType, String etag) {
    }

    private final Function<String, Optional<byte[]>> files;
    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    /** Serves the files of the {@code io.tribune.ui} jar. */
    UiRoutes() {
        this(UiAssets::read);
    }

    /** Serves the files {@code files} finds by relative name (tests hand in their own). */
    UiRoutes(Function<String, Optional<byte[]>> files) {
        this.files = files;
    }

    /** Registers {@code /}, {@code /ui} and {@code /ui/} on {@code http}. */
    void register(HttpServer http) {
        http.route("/ui/", this::file);
        http.route("/ui", (req, rest) -> rest.isEmpty() ? redirect(req) : notFound(req));
        // "/" is the shortest prefix, so it sees only paths no other route claims: keep their 404.
        http.route("/", (req, rest) -> rest.isEmpty() ? redirect(req) : notFound(req));
    }

    private static CompletableFuture<HttpResponse> notFound(HttpRequest req) {
        throw HttpError.notFound("no API at " + req.path());
    }

    /** Consul answers {@code /} with a 301 to the UI; so does {@code /ui} without its slash. */
    private static CompletableFuture<HttpResponse> redirect(HttpRequest req) {
        Params.method(req, "GET", "HEAD");
        return CompletableFuture.completedFuture(HttpResponse.text(301, "Moved Permanently: /ui/\n")
                .header("Location", "/ui/"));
    }

    CompletableFuture<HttpResponse> file(HttpRequest req, String rest) {
        Params.method(req, "GET", "HEAD");
        String name = rest.isEmpty() ? UiAssets.INDEX : rest;
        Asset a = cache.get(name);
        if (a == null) {
            a = load(name).orElseThrow(() -> HttpError.notFound("no UI file " + Params.abbreviate(req.path())));
            cache.putIfAbsent(name, a);
        }
        String cacheControl = name.startsWith("assets/") ? IMMUTABLE : REVALIDATE;
        String match = req.headers().getOrDefault("if-none-match", "");
        HttpResponse r = matches(match, a.etag()) ? HttpResponse.empty(304)
                : HttpResponse.bytes(200, a.contentType(), a.bytes());
        return CompletableFuture.completedFuture(r.header("ETag", a.etag()).header("Cache-Control", cacheControl)
                .header("X-Content-Type-Options", "nosniff"));
    }

    private Optional<Asset> load(String name) {
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
        if (type == null || !UiAssets.validPath(name)) {
            return Optional.empty();
        }
        return files.apply(name).map(bytes -> new Asset(bytes, type, etag(bytes)));
    }

    /** {@code If-None-Match}: a list of entity tags or {@code *} (RFC 9110 §13.1.2; weak tags compare too). */
    static boolean matches(String header, String etag) {
        for (String t : header.split(",")) {
            String tag = t.trim();
            if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    static String etag(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return '"' + HexFormat.of().formatHex(d, 0, 16) + '"';
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform has SHA-256 (Java SE's required algorithms).
            throw new IllegalStateException(e);
        }
    }
}

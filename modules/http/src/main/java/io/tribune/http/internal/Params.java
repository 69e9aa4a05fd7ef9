package io.tribune.http.internal;

import io.tribune.agent.rpc.Options;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.state.BlockingWait;
import io.tribune.state.CommandValidator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How Consul's query parameters and headers become the request layer's {@link Options} and
 * operation fields: {@code ?dc}, the token ({@code X-Consul-Token}, {@code ?token},
 * {@code Authorization: Bearer}), {@code ?stale}, {@code ?consistent}, {@code ?max_stale},
 * {@code ?index} and {@code ?wait}, {@code ?cached}; and the shared checks of paths and filters.
 * Every malformed value is a 400 naming the parameter: an {@link HttpError} from here, or the
 * {@code BAD_REQUEST} of {@link Options}' own checks (lengths of {@code dc} and the token).
 */
final class Params {
    /** Most {@code node-meta} or {@code tag} filters in one query. */
    static final int MAX_FILTERS = 64;

    private Params() {
    }

    /** The options of a write: datacenter and token. */
    static Options write(HttpRequest req) {
        return Options.DEFAULT.withDatacenter(req.param("dc").orElse("")).withToken(token(req));
    }

    /**
     * The options of a read: datacenter, token, consistency ({@code ?stale} with {@code ?max_stale},
     * {@code ?consistent}), blocking ({@code ?index}, {@code ?wait}) and {@code ?cached}.
     */
    static Options read(HttpRequest req) {
        ReadConsistency mode = mode(req);
        Duration maxStale = Duration.ZERO;
        Optional<String> ms = req.param("max_stale").filter(s -> !s.isEmpty());
        if (ms.isPresent()) {
            maxStale = duration("max_stale", ms.get());
            if (!maxStale.isZero()) {
                // Consul: a positive max_stale allows stale reads, and conflicts with ?consistent.
                if (mode == ReadConsistency.CONSISTENT) {
                    throw HttpError.badRequest("Cannot specify ?stale with ?consistent, conflicting semantics.");
                }
                mode = ReadConsistency.STALE;
            }
        }
        long index = req.indexParam("index").orElse(0L);
        Duration wait = Duration.ZERO;
        Optional<String> w = req.param("wait").filter(s -> !s.isEmpty());
        if (w.isPresent()) {
            wait = duration("wait", w.get());
        }
        return new Options(req.param("dc").orElse(""), token(req), mode, maxStale, index, wait, flag(req, "cached"));
    }

    /**
     * The options of a service-discovery read (catalog, health) under Consul's
     * {@code discovery_max_stale}: a read that names no consistency mode becomes a stale read bounded
     * by {@code bound} (zero: unchanged).
     */
    static Options discovery(HttpRequest req, Duration bound) {
        Options o = read(req);
        if (bound.isZero() || req.has("stale") || req.has("consistent") || req.has("max_stale")) {
            return o;
        }
        return o.withConsistency(ReadConsistency.STALE).withMaxStale(bound);
    }

    /** {@code ?stale} or {@code ?consistent} (not both), else the default mode. */
    static ReadConsistency mode(HttpRequest req) {
        boolean stale = req.has("stale");
        boolean consistent = req.has("consistent");
        if (stale && consistent) {
            throw HttpError.badRequest("Cannot specify ?stale with ?consistent, conflicting semantics.");
        }
        return stale ? ReadConsistency.STALE : consistent ? ReadConsistency.CONSISTENT : ReadConsistency.DEFAULT;
    }

    private static Duration duration(String name, String v) {
        Duration d;
        try {
            d = BlockingWait.parseDuration(v);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("invalid " + name + " '" + abbreviate(v) + "': " + e.getMessage());
        }
        // Found by fuzzing: "-42s" parsed, then the options refused it with an error of the request
        // layer instead of this front end's 400 naming the parameter.
        if (d.isNegative()) {
            throw HttpError.badRequest("invalid " + name + " '" + abbreviate(v) + "': must not be negative");
        }
        return d;
    }

    /** The ACL token: {@code X-Consul-Token}, else {@code Authorization: Bearer}, else {@code ?token}; "" for none. */
    static String token(HttpRequest req) {
        String h = req.headers().get("x-consul-token");
        if (h != null && !h.isEmpty()) {
            return h;
        }
        String auth = req.headers().get("authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        return req.param("token").orElse("");
    }

    /** Throws 405 unless the method is one of {@code allowed} (HEAD counts as GET). */
    static void method(HttpRequest req, String... allowed) {
        for (String m : allowed) {
            if (m.equals(req.method())) {
                return;
            }
        }
        if (req.method().equals("HEAD") && Arrays.asList(allowed).contains("GET")) {
            return;
        }
        throw HttpError.methodNotAllowed(req.method(), req.path());
    }

    /**
     * A path parameter such as the name in {@code /v1/catalog/service/<name>}: non-empty, without
     * '/', at most {@link CommandValidator#MAX_NAME_BYTES} bytes.
     */
    static String segment(String rest, String what) {
        if (rest.isEmpty()) {
            throw HttpError.badRequest("Missing " + what);
        }
        if (rest.indexOf('/') >= 0) {
            throw HttpError.badRequest("invalid " + what + " '" + abbreviate(rest) + "': must not contain '/'");
        }
        if (rest.getBytes(StandardCharsets.UTF_8).length > CommandValidator.MAX_NAME_BYTES) {
            throw HttpError.badRequest(what + " is longer than " + CommandValidator.MAX_NAME_BYTES + " bytes");
        }
        return rest;
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    /** {@code ?node-meta=key:value} filters (repeatable); a pair without ':' is a 400. */
    static Map<String, String> nodeMeta(HttpRequest req) {
        List<String> values = req.query().getOrDefault("node-meta", List.of());
        if (values.size() > MAX_FILTERS) {
            throw HttpError.badRequest("too many node-meta filters (more than " + MAX_FILTERS + ")");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String v : values) {
            int at = v.indexOf(':');
            if (at <= 0) {
                throw HttpError.badRequest("invalid node-meta filter '" + abbreviate(v) + "': expected key:value");
            }
            out.put(v.substring(0, at), v.substring(at + 1));
        }
        return out;
    }

    /** {@code ?tag=} filters (repeatable); an instance must carry every one. */
    static List<String> tags(HttpRequest req) {
        List<String> values = req.query().getOrDefault("tag", List.of());
        if (values.size() > MAX_FILTERS) {
            throw HttpError.badRequest("too many tag filters (more than " + MAX_FILTERS + ")");
        }
        return values;
    }

    /**
     * A boolean flag such as {@code ?passing}, where Consul treats presence as true: absent is
     * false, present without a value is true, otherwise the value is read as Go's
     * {@code strconv.ParseBool} reads it ({@link #parseBool}); anything else is a 400 naming the
     * parameter.
     */
    static boolean flag(HttpRequest req, String name) {
        if (!req.has(name)) {
            return false;
        }
        String v = req.param(name).orElse("");
        if (v.isEmpty()) {
            return true;
        }
        return parseBool(v).orElseThrow(() -> HttpError.badRequest("Invalid value for ?" + name + ": '"
                + abbreviate(v) + "' (expected one of 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False)"));
    }

    /**
     * A boolean exactly as Go's {@code strconv.ParseBool} accepts it, which is what Consul uses for
     * every boolean parameter that carries a value: {@code 1 t T TRUE true True} and
     * {@code 0 f F FALSE false False}. Other spellings ({@code yes}, {@code tRUE}, empty) are empty:
     * Consul refuses them too, so accepting more would make a request mean something here that it
     * does not mean on Consul.
     */
    static Optional<Boolean> parseBool(String v) {
        return switch (v) {
            case "1", "t", "T", "TRUE", "true", "True" -> Optional.of(true);
            case "0", "f", "F", "FALSE", "false", "False" -> Optional.of(false);
            default -> Optional.empty();
        };
    }
}

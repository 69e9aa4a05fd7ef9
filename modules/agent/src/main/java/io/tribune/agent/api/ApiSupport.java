package io.tribune.agent.api;

import io.tribune.agent.Agent;
import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.agent.http.Json;
import io.tribune.api.consensus.Consensus;
import io.tribune.state.CommandValidator;
import io.tribune.state.Indexed;
import io.tribune.state.StateStore;
import io.tribune.state.WatchTarget;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/** What every endpoint group shares: method and datacenter checks, path and query parsing, indexed reads. */
final class ApiSupport {
    /** Most {@code node-meta} or {@code tag} filters in one query. */
    static final int MAX_FILTERS = 64;

    private ApiSupport() {
    }

    /**
     * The state store, or a 500 on a client agent (whose requests are forwarded to a server before
     * they reach a route that needs state, so this is a guard against a route registered without
     * forwarding).
     */
    static StateStore state(Agent agent) {
        return agent.state().orElseThrow(() -> new HttpError(500,
                "this agent is a client and has no state store; the request should have been forwarded"));
    }

    /** Consensus, or a 500 on a client agent (see {@link #state}). */
    static Consensus consensus(Agent agent) {
        return agent.consensus().orElseThrow(() -> new HttpError(500,
                "this agent is a client and has no state store; the request should have been forwarded"));
    }

    /** Throws 405 unless the method is one of {@code allowed}. */
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
     * Accepts a missing {@code dc} or the local datacenter; any other gets Consul's 500 "No path to
     * datacenter". Requests for another datacenter are forwarded before they reach a route
     * ({@link io.tribune.agent.rpc.Forwarder#forwardIfRemote}); this guards against loops.
     */
    static void checkDc(HttpRequest req, Agent agent) {
        String dc = req.param("dc").orElse("");
        if (!dc.isEmpty() && !dc.equalsIgnoreCase(agent.config().datacenter())) {
            throw new HttpError(500, "No path to datacenter");
        }
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
     * A boolean flag such as {@code ?passing}: present without a value means true; otherwise
     * "true", "1", "false" or "0"; anything else is a 400.
     */
    static boolean flag(HttpRequest req, String name) {
        if (!req.has(name)) {
            return false;
        }
        String v = req.param(name).orElse("");
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "", "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw HttpError.badRequest("invalid value for " + name + ": '" + abbreviate(v)
                    + "' (expected true or false)");
        };
    }

    /**
     * Serves a read with Consul's consistency modes and blocking queries: {@code read} runs after
     * the barrier (and after {@code target} moved past {@code ?index}); its value is converted to
     * JSON by {@code toJson} and its index becomes {@code X-Consul-Index}.
     */
    static <T> CompletableFuture<HttpResponse> read(HttpRequest req, Agent agent, WatchTarget target,
                                                    Supplier<Indexed<T>> read, Function<T, Object> toJson) {
        method(req, "GET");
        checkDc(req, agent);
        StateStore state = state(agent);
        return KvApi.Reads.serve(req, agent, consensus(agent), state, target, () -> {
            Indexed<T> r = read.get();
            return KvApi.indexed(Json.ok(toJson.apply(r.value()), req), r.index());
        });
    }

    /** Formats a duration as Go's {@code time.Duration.String()} does ("10s", "1m30s", "1h0m0s", "1.5s"). */
    static String goDuration(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        if (nanos < 0) {
            sb.append('-');
            nanos = -nanos;
        }
        if (nanos < 1_000_000_000L) {
            if (nanos % 1_000_000 == 0) {
                return sb.append(nanos / 1_000_000).append("ms").toString();
            }
            if (nanos % 1_000 == 0) {
                return sb.append(nanos / 1_000).append("µs").toString();
            }
            return sb.append(nanos).append("ns").toString();
        }
        long h = nanos / 3_600_000_000_000L;
        long m = nanos / 60_000_000_000L % 60;
        long sNanos = nanos % 60_000_000_000L;
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (h > 0 || m > 0) {
            sb.append(m).append('m');
        }
        long whole = sNanos / 1_000_000_000L;
        long frac = sNanos % 1_000_000_000L;
        sb.append(whole);
        if (frac != 0) {
            String f = String.format("%09d", frac).replaceAll("0+$", "");
            sb.append('.').append(f);
        }
        return sb.append('s').toString();
    }
}

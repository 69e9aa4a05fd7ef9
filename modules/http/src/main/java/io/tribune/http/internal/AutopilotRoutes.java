package io.tribune.http.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.tribune.agent.rpc.Autopilot;
import io.tribune.agent.rpc.Requests;
import io.tribune.state.AutopilotConfig;
import io.tribune.state.BlockingWait;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/operator/autopilot/configuration} (GET, PUT with optional {@code ?cas=<ModifyIndex>}) and
 * {@code /v1/operator/autopilot/health} (GET), in Consul's shapes.
 *
 * <p><b>PUT.</b> The body's fields replace those of the configuration in force; absent fields keep
 * their current values (Consul zeroes them; keeping them is what its CLI does by reading first).
 * Durations are Go strings ({@code "200ms"}, {@code "10s"}). The answer is {@code true} or
 * {@code false} (a {@code cas} that did not match). Unknown fields, wrong types and negative values
 * are a 400 and change nothing. The body is bounded by {@link #MAX_BODY_BYTES}.
 *
 * <p><b>Health.</b> Computed on the leader; answered with 429 when a server is unhealthy, as Consul.
 * {@code LastContact} is {@code "-1ns"} for a server that never answered this leader, and
 * {@code StableSince} is {@code "0001-01-01T00:00:00Z"} for one not healthy now.
 */
final class AutopilotRoutes {
    /** Largest PUT body. */
    static final int MAX_BODY_BYTES = 16 * 1024;
    private static final Set<String> FIELDS = Set.of("CleanupDeadServers", "LastContactThreshold", "MaxTrailingLogs",
            "ServerStabilizationTime", "RedundancyZoneTag", "DisableUpgradeMigration", "UpgradeVersionTag",
            "CreateIndex", "ModifyIndex", "MinQuorum");
    private final Requests requests;

    AutopilotRoutes(Requests requests) {
        this.requests = requests;
    }

    CompletableFuture<HttpResponse> route(HttpRequest req, String rest) {
        return switch (rest) {
            case "configuration" -> configuration(req);
            case "health" -> {
                Params.method(req, "GET");
                yield Calls.value(requests, new Autopilot.Health(), Params.read(req))
                        .thenApply(h -> HttpResponse.json(h.healthy() ? 200 : 429, Json.write(healthJson(h), req)));
            }
            default -> throw HttpError.notFound("no API at " + req.path());
        };
    }

    private CompletableFuture<HttpResponse> configuration(HttpRequest req) {
        Params.method(req, "GET", "PUT");
        if (!req.method().equals("PUT")) {
            return Calls.value(requests, new Autopilot.GetConfig(), Params.read(req))
                    .thenApply(c -> Json.ok(configJson(c), req));
        }
        long cas = cas(req);
        JsonObject body = body(req);
        return Calls.value(requests, new Autopilot.GetConfig(), Params.read(req))
                .thenCompose(current -> Calls.value(requests, new Autopilot.SetConfig(merge(current, body), cas),
                        Params.write(req)))
                .thenApply(ok -> Json.ok(ok, req));
    }

    static long cas(HttpRequest req) {
        String v = req.param("cas").orElse("");
        if (v.isEmpty()) {
            return -1;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw HttpError.badRequest("invalid cas '" + Params.abbreviate(v) + "': expected a ModifyIndex (0 or more)");
    }

    static JsonObject body(HttpRequest req) {
        if (req.body().length > MAX_BODY_BYTES) {
            throw HttpError.badRequest("body larger than " + MAX_BODY_BYTES + " bytes");
        }
        if (req.body().length == 0) {
            throw HttpError.badRequest("missing body: expected an autopilot configuration object");
        }
        JsonElement e = Json.parse(req.body());
        if (!e.isJsonObject()) {
            throw HttpError.badRequest("expected an autopilot configuration object");
        }
        for (String k : e.getAsJsonObject().keySet()) {
            if (!FIELDS.contains(k)) {
                throw HttpError.badRequest("unknown autopilot field \"" + Params.abbreviate(k) + "\"");
            }
        }
        return e.getAsJsonObject();
    }

    /** {@code current} with the body's fields; indexes and MinQuorum are accepted and ignored. */
    static AutopilotConfig merge(AutopilotConfig current, JsonObject o) {
        try {
            return new AutopilotConfig(bool(o, "CleanupDeadServers", current.cleanupDeadServers()),
                    duration(o, "LastContactThreshold", current.lastContactThresholdMs()),
                    number(o, "MaxTrailingLogs", current.maxTrailingLogs()),
                    duration(o, "ServerStabilizationTime", current.serverStabilizationMs()),
                    string(o, "RedundancyZoneTag", current.redundancyZoneTag()),
                    bool(o, "DisableUpgradeMigration", current.disableUpgradeMigration()),
                    string(o, "UpgradeVersionTag", current.upgradeVersionTag()), 0, 0);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        }
    }

    private static JsonPrimitive primitive(JsonObject o, String k) {
        JsonElement e = o.get(k);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive()) {
            throw HttpError.badRequest("\"" + k + "\" must be a plain value");
        }
        return e.getAsJsonPrimitive();
    }

    private static boolean bool(JsonObject o, String k, boolean dflt) {
        JsonPrimitive p = primitive(o, k);
        if (p == null) {
            return dflt;
        }
        if (!p.isBoolean()) {
            throw HttpError.badRequest("\"" + k + "\" must be true or false");
        }
        return p.getAsBoolean();
    }

    private static String string(JsonObject o, String k, String dflt) {
        JsonPrimitive p = primitive(o, k);
        if (p == null) {
            return dflt;
        }
        if (!p.isString()) {
            throw HttpError.badRequest("\"" + k + "\" must be a string");
        }
        return p.getAsString();
    }

    private static long number(JsonObject o, String k, long dflt) {
        JsonPrimitive p = primitive(o, k);
        if (p == null) {
            return dflt;
        }
        try {
            if (p.isNumber()) {
                return p.getAsBigDecimal().longValueExact();
            }
        } catch (ArithmeticException e) {
            // reported below
        }
        throw HttpError.badRequest("\"" + k + "\" must be a whole number");
    }

    /** A Go duration string, or a number of nanoseconds as Go's JSON encodes a time.Duration. */
    private static long duration(JsonObject o, String k, long dfltMillis) {
        JsonPrimitive p = primitive(o, k);
        if (p == null) {
            return dfltMillis;
        }
        if (p.isNumber()) {
            return Duration.ofNanos(number(o, k, 0)).toMillis();
        }
        try {
            return BlockingWait.parseDuration(p.getAsString()).toMillis();
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("\"" + k + "\": invalid duration '" + Params.abbreviate(p.getAsString()) + "'");
        }
    }

    /** Consul's {@code AutopilotConfiguration} JSON. */
    static Map<String, Object> configJson(AutopilotConfig c) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("CleanupDeadServers", c.cleanupDeadServers());
        o.put("LastContactThreshold", BlockingWait.formatDuration(Duration.ofMillis(c.lastContactThresholdMs())));
        o.put("MaxTrailingLogs", c.maxTrailingLogs());
        o.put("MinQuorum", 0);
        o.put("ServerStabilizationTime", BlockingWait.formatDuration(Duration.ofMillis(c.serverStabilizationMs())));
        o.put("RedundancyZoneTag", c.redundancyZoneTag());
        o.put("DisableUpgradeMigration", c.disableUpgradeMigration());
        o.put("UpgradeVersionTag", c.upgradeVersionTag());
        o.put("CreateIndex", c.createIndex());
        o.put("ModifyIndex", c.modifyIndex());
        return o;
    }

    /** Consul's {@code OperatorHealthReply} JSON. */
    static Map<String, Object> healthJson(Autopilot.HealthReport h) {
        List<Map<String, Object>> servers = new ArrayList<>();
        for (Autopilot.ServerHealth s : h.servers()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("ID", s.id());
            o.put("Name", s.name());
            o.put("Address", s.address());
            o.put("SerfStatus", s.serfStatus());
            o.put("Version", s.version());
            o.put("Leader", s.leader());
            o.put("LastContact", s.lastContactMillis() < 0 ? "-1ns"
                    : BlockingWait.formatDuration(Duration.ofMillis(s.lastContactMillis())));
            o.put("LastTerm", s.lastTerm());
            o.put("LastIndex", s.lastIndex());
            o.put("Healthy", s.healthy());
            o.put("Voter", s.voter());
            o.put("StableSince", Instant.ofEpochMilli(s.stableSinceMillis() > 0 ? s.stableSinceMillis()
                    : Instant.parse("0001-01-01T00:00:00Z").toEpochMilli()).toString());
            servers.add(o);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Healthy", h.healthy());
        out.put("FailureTolerance", h.failureTolerance());
        out.put("Servers", servers);
        return out;
    }
}

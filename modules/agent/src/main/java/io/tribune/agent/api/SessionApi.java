package io.tribune.agent.api;

import com.google.gson.JsonElement;
import io.tribune.agent.Agent;
import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.agent.http.Json;
import io.tribune.agent.rpc.RequestIds;
import io.tribune.state.HealthCheck;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.CommandValidator;
import io.tribune.state.Indexed;
import io.tribune.state.RequestId;
import io.tribune.state.Session;
import io.tribune.state.SessionBehavior;
import io.tribune.state.Table;
import io.tribune.state.WatchTarget;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/session/*}: create, destroy, renew (commands through consensus), info, node and list
 * (reads). TTL invalidation is the leader's duty, run by {@link LeaderDuties}.
 */
final class SessionApi {
    /** Consul's default lock-delay when the request names none. */
    static final Duration DEFAULT_LOCK_DELAY = Duration.ofSeconds(15);
    /**
     * Consul reads a numeric LockDelay below this as seconds and anything larger as nanoseconds
     * (so clients that send {@code 15} and clients that send {@code 15000000000} both mean 15 s).
     */
    static final long LOCK_DELAY_SECONDS_THRESHOLD = 1000;

    private final Agent agent;

    SessionApi(Agent agent) {
        this.agent = agent;
    }

    CompletableFuture<HttpResponse> handle(HttpRequest req, String rest) {
        if (rest.equals("create")) {
            return create(req);
        }
        if (rest.startsWith("destroy/")) {
            ApiSupport.method(req, "PUT");
            ApiSupport.checkDc(req, agent);
            String id = sessionId(rest.substring("destroy/".length()));
            return KvApi.Writes.apply(agent, req,
                    new Command.SessionDestroy(id, agent.platform().wallMillis()))
                    .thenApply(r -> Json.ok(true, req));
        }
        if (rest.startsWith("renew/")) {
            return renew(req, sessionId(rest.substring("renew/".length())));
        }
        if (rest.startsWith("info/")) {
            String id = sessionId(rest.substring("info/".length()));
            return ApiSupport.read(req, agent, WatchTarget.table(Table.SESSIONS), () -> {
                Indexed<Optional<Session>> r = ApiSupport.state(agent).session(id);
                return new Indexed<>(r.index(), r.value().map(List::of).orElse(List.of()));
            }, ConsulJson::sessions);
        }
        if (rest.startsWith("node/")) {
            String node = ApiSupport.segment(rest.substring("node/".length()), "node name");
            return ApiSupport.read(req, agent, WatchTarget.table(Table.SESSIONS),
                    () -> ApiSupport.state(agent).nodeSessions(node), ConsulJson::sessions);
        }
        if (rest.equals("list")) {
            return ApiSupport.read(req, agent, WatchTarget.table(Table.SESSIONS),
                    () -> ApiSupport.state(agent).sessions(), ConsulJson::sessions);
        }
        throw HttpError.notFound("no API at " + req.path());
    }

    static String sessionId(String s) {
        if (s.isEmpty()) {
            throw HttpError.badRequest("Missing session");
        }
        if (!CommandValidator.isSessionId(s)) {
            throw HttpError.badRequest("invalid session id '" + ApiSupport.abbreviate(s) + "': expected a UUID");
        }
        return s;
    }

    private CompletableFuture<HttpResponse> create(HttpRequest req) {
        ApiSupport.method(req, "PUT");
        ApiSupport.checkDc(req, agent);
        JsonIn in = JsonIn.body(req, true);
        String node = in.string("Node", "");
        if (node.isEmpty()) {
            // Consul's default is the agent the caller talks to, also when a server serves the request.
            node = req.headers().getOrDefault(io.tribune.agent.rpc.Forwarder.ORIGIN_NODE_HEADER, agent.config().nodeName());
        }
        List<String> checks = in.strings("NodeChecks").or(() -> in.strings("Checks")).orElse(List.of(HealthCheck.SERF_HEALTH));
        SessionBehavior behavior;
        try {
            behavior = SessionBehavior.fromWire(in.string("Behavior", ""));
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        }
        Duration ttl = in.duration("TTL").orElse(Duration.ZERO);
        if (!ttl.isZero() && (ttl.toMillis() < CommandValidator.MIN_SESSION_TTL_MILLIS
                || ttl.toMillis() > CommandValidator.MAX_SESSION_TTL_MILLIS)) {
            throw HttpError.badRequest("Invalid Session TTL '" + ApiSupport.goDuration(ttl) + "', must be between ["
                    + ApiSupport.goDuration(Duration.ofMillis(CommandValidator.MIN_SESSION_TTL_MILLIS)) + "="
                    + ApiSupport.goDuration(Duration.ofMillis(CommandValidator.MAX_SESSION_TTL_MILLIS)) + "]");
        }
        Duration lockDelay = lockDelay(in);
        // The session's id comes from the request id, so that a retry of this request (its reply
        // lost, sent again to another server) names the same session: the state machine answers the
        // retry with the first create's result, and the answer's ID is the session that exists.
        RequestId request = agent.rpc().requestId(req);
        String id = RequestIds.uuid(request, "session");
        Session s = new Session(id, in.string("Name", ""), node, lockDelay.toMillis(), behavior, ttl.toMillis(), checks,
                agent.platform().wallMillis(), 0, 0);
        return KvApi.Writes.apply(agent, request, new Command.SessionCreate(s), false).thenApply(r -> {
            if (r instanceof CommandResult.Failed f) {
                // Consul answers a session it cannot bind (missing node, critical check) with a 500.
                throw f.kind() == CommandResult.Failed.Kind.INVALID ? HttpError.badRequest(f.message())
                        : new HttpError(500, f.message());
            }
            return Json.ok(Map.of("ID", id), req);
        });
    }

    /** LockDelay as Consul reads it: a duration string, or a number (seconds below 1000, else nanoseconds). */
    static Duration lockDelay(JsonIn in) {
        Optional<JsonElement> raw = in.raw("LockDelay");
        if (raw.isEmpty()) {
            return DEFAULT_LOCK_DELAY;
        }
        Duration d;
        if (raw.get().isJsonPrimitive() && raw.get().getAsJsonPrimitive().isNumber()) {
            long n = in.integer("LockDelay", 0, Long.MAX_VALUE).orElseThrow();
            d = n < LOCK_DELAY_SECONDS_THRESHOLD ? Duration.ofSeconds(n) : Duration.ofNanos(n);
        } else {
            d = in.duration("LockDelay").orElse(DEFAULT_LOCK_DELAY);
        }
        if (d.toMillis() > CommandValidator.MAX_LOCK_DELAY_MILLIS) {
            throw HttpError.badRequest("Invalid LockDelay '" + ApiSupport.goDuration(d) + "': must be at most "
                    + ApiSupport.goDuration(Duration.ofMillis(CommandValidator.MAX_LOCK_DELAY_MILLIS)));
        }
        return d;
    }

    private CompletableFuture<HttpResponse> renew(HttpRequest req, String id) {
        ApiSupport.method(req, "PUT");
        ApiSupport.checkDc(req, agent);
        return KvApi.Writes.applyThenRead(agent, req, new Command.SessionRenew(id, agent.platform().wallMillis()))
                .thenApply(r -> {
                    if (r instanceof CommandResult.Failed f) {
                        if (f.kind() == CommandResult.Failed.Kind.NOT_FOUND) {
                            throw HttpError.notFound("Session id '" + id + "' not found");
                        }
                        throw KvApi.Writes.failure(r);
                    }
                    Optional<Session> s = ApiSupport.state(agent).session(id).value();
                    if (s.isEmpty()) {
                        throw HttpError.notFound("Session id '" + id + "' not found");
                    }
                    return KvApi.indexed(Json.ok(ConsulJson.sessions(List.of(s.get())), req),
                            ApiSupport.state(agent).tableIndex(Table.SESSIONS));
                });
    }
}

package io.tribune.http.internal;

import com.google.gson.JsonElement;
import io.tribune.agent.local.JsonIn;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Coordinates;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Events;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Sessions;
import io.tribune.state.CommandValidator;
import io.tribune.state.Coordinate;
import io.tribune.state.SessionBehavior;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/session/*} (create, destroy, renew, info, node, list), {@code /v1/event/*} (fire, list)
 * and {@code /v1/coordinate/*} (datacenters, nodes, node, update).
 */
final class SessionRoutes {
    /**
     * Consul reads a numeric LockDelay below this as seconds and anything larger as nanoseconds
     * (so clients that send {@code 15} and clients that send {@code 15000000000} both mean 15 s).
     */
    static final long LOCK_DELAY_SECONDS_THRESHOLD = 1000;
    private final Requests requests;
    private final String datacenter;

    SessionRoutes(Requests requests, String datacenter) {
        this.requests = requests;
        this.datacenter = datacenter;
    }

    CompletableFuture<HttpResponse> session(HttpRequest req, String rest) {
        if (rest.equals("create")) {
            return create(req);
        }
        if (rest.startsWith("destroy/")) {
            Params.method(req, "PUT");
            return Calls.value(requests, new Sessions.Destroy(rest.substring("destroy/".length())), Params.write(req))
                    .thenApply(b -> Json.ok(true, req));
        }
        if (rest.startsWith("renew/")) {
            Params.method(req, "PUT");
            String id = rest.substring("renew/".length());
            return requests.call(new Sessions.Renew(id), Params.write(req)).thenApply(r -> {
                if (r.value().isEmpty()) {
                    throw AgentException.notFound("Session id '" + id + "' not found");
                }
                return Json.ok(ConsulJson.sessions(List.of(r.value().get())), req)
                        .header("X-Consul-Index", Long.toString(Math.max(1, r.meta().index())));
            });
        }
        if (rest.startsWith("info/")) {
            Params.method(req, "GET");
            return Calls.read(requests, new Sessions.Info(rest.substring("info/".length())), Params.read(req),
                    s -> Json.ok(ConsulJson.sessions(s.map(List::of).orElse(List.of())), req));
        }
        if (rest.startsWith("node/")) {
            Params.method(req, "GET");
            String node = Params.segment(rest.substring("node/".length()), "node name");
            return Calls.read(requests, new Sessions.OfNode(node), Params.read(req),
                    s -> Json.ok(ConsulJson.sessions(s), req));
        }
        if (rest.equals("list")) {
            Params.method(req, "GET");
            return Calls.read(requests, new Sessions.All(), Params.read(req), s -> Json.ok(ConsulJson.sessions(s), req));
        }
        throw HttpError.notFound("no API at " + req.path());
    }

    private CompletableFuture<HttpResponse> create(HttpRequest req) {
        Params.method(req, "PUT");
        JsonIn in = JsonIn.body(req.body(), true);
        // "" is the agent the caller talks to, also when a server serves the request (Consul's default).
        String node = in.string("Node", "");
        Optional<List<String>> checks = in.strings("NodeChecks").or(() -> in.strings("Checks"));
        SessionBehavior behavior;
        try {
            behavior = SessionBehavior.fromWire(in.string("Behavior", ""));
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        }
        Duration ttl = in.duration("TTL").orElse(Duration.ZERO);
        Sessions.Create op = new Sessions.Create(in.string("Name", ""), node, lockDelay(in), behavior, ttl, checks);
        return Calls.value(requests, op, Params.write(req)).thenApply(id -> Json.ok(Map.of("ID", id), req));
    }

    /** LockDelay as Consul reads it: a duration string, or a number (seconds below 1000, else nanoseconds). */
    static Duration lockDelay(JsonIn in) {
        Optional<JsonElement> raw = in.raw("LockDelay");
        if (raw.isEmpty()) {
            return Sessions.DEFAULT_LOCK_DELAY;
        }
        if (raw.get().isJsonPrimitive() && raw.get().getAsJsonPrimitive().isNumber()) {
            long n = in.integer("LockDelay", 0, Long.MAX_VALUE).orElseThrow();
            return n < LOCK_DELAY_SECONDS_THRESHOLD ? Duration.ofSeconds(n) : Duration.ofNanos(n);
        }
        return in.duration("LockDelay").orElse(Sessions.DEFAULT_LOCK_DELAY);
    }

    // ---------------------------------------------------------------- events

    CompletableFuture<HttpResponse> event(HttpRequest req, String rest) {
        if (rest.startsWith("fire/")) {
            Params.method(req, "PUT");
            String name = Params.segment(rest.substring("fire/".length()), "event name");
            Events.Fire op = new Events.Fire(name, req.body(), req.param("node").orElse(""),
                    req.param("service").orElse(""), req.param("tag").orElse(""));
            return Calls.value(requests, op, Params.write(req)).thenApply(e -> Json.ok(ConsulJson.event(e), req));
        }
        if (rest.equals("list")) {
            Params.method(req, "GET");
            String name = req.param("name").orElse("");
            if (name.getBytes(StandardCharsets.UTF_8).length > CommandValidator.MAX_NAME_BYTES) {
                throw HttpError.badRequest("event name is longer than " + CommandValidator.MAX_NAME_BYTES + " bytes");
            }
            return Calls.read(requests, new Events.Named(name), Params.read(req), events -> {
                List<Object> out = new ArrayList<>();
                events.forEach(e -> out.add(ConsulJson.event(e)));
                return Json.ok(out, req);
            });
        }
        throw HttpError.notFound("no API at " + req.path());
    }

    // ---------------------------------------------------------------- coordinates

    CompletableFuture<HttpResponse> coordinate(HttpRequest req, String rest) {
        if (rest.equals("datacenters")) {
            Params.method(req, "GET");
            // Every datacenter the WAN pool knows, in the catalog's order (nearest first), each with
            // the WAN coordinates of its servers that this agent's server sees (segment = datacenter).
            Options o = Params.read(req);
            return requests.call(new Catalog.Datacenters(), o).thenCompose(dcs -> requests.call(
                    new Coordinates.Wan(), o).thenApply(wan -> {
                        List<Object> out = new ArrayList<>();
                        for (String dc : dcs.value()) {
                            List<Object> cs = new ArrayList<>();
                            for (Coordinate c : wan.value()) {
                                if (c.segment().equals(dc)) {
                                    Map<String, Object> e = ConsulJson.coordinate(c);
                                    e.put("Segment", "");
                                    cs.add(e);
                                }
                            }
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("Datacenter", dc);
                            m.put("AreaID", "WAN");
                            m.put("Coordinates", cs);
                            out.add(m);
                        }
                        return Json.ok(out, req);
                    }));
        }
        if (rest.equals("nodes")) {
            Params.method(req, "GET");
            return Calls.read(requests, new Coordinates.Nodes(), Params.read(req), cs -> Json.ok(list(cs), req));
        }
        if (rest.startsWith("node/")) {
            Params.method(req, "GET");
            String node = Params.segment(rest.substring("node/".length()), "node name");
            return Calls.read(requests, new Coordinates.OfNode(node), Params.read(req),
                    cs -> cs.isEmpty() ? HttpResponse.empty(404) : Json.ok(list(cs), req));
        }
        if (rest.equals("update")) {
            return update(req);
        }
        throw HttpError.notFound("no API at " + req.path());
    }

    private static Object list(List<Coordinate> cs) {
        List<Object> out = new ArrayList<>();
        cs.forEach(c -> out.add(ConsulJson.coordinate(c)));
        return out;
    }

    private CompletableFuture<HttpResponse> update(HttpRequest req) {
        Params.method(req, "PUT");
        JsonIn in = JsonIn.body(req.body(), false);
        String node = in.string("Node", "");
        if (node.isEmpty()) {
            throw HttpError.badRequest("Must provide Node");
        }
        JsonIn coord = in.object("Coord").orElseThrow(() -> HttpError.badRequest("Must provide Coord"));
        List<Double> vec = new ArrayList<>();
        coord.raw("Vec").ifPresent(v -> {
            if (!v.isJsonArray() || v.getAsJsonArray().size() > CommandValidator.MAX_COORDINATE_DIMENSIONS) {
                throw HttpError.badRequest("Request decode failed: field Coord.Vec must be an array of at most "
                        + CommandValidator.MAX_COORDINATE_DIMENSIONS + " numbers");
            }
            for (var x : v.getAsJsonArray()) {
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                    throw HttpError.badRequest("Request decode failed: field Coord.Vec must contain numbers, got "
                            + JsonIn.kind(x));
                }
                vec.add(x.getAsDouble());
            }
        });
        Coordinate c = new Coordinate(node, in.string("Segment", ""), vec, number(coord, "Error"),
                number(coord, "Adjustment"), number(coord, "Height"));
        return Calls.value(requests, new Coordinates.Update(List.of(c)), Params.write(req))
                .thenApply(b -> Json.ok(true, req));
    }

    private static double number(JsonIn o, String name) {
        return o.raw(name).map(e -> {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw HttpError.badRequest("Request decode failed: field Coord." + name + " must be a number, got "
                        + JsonIn.kind(e));
            }
            return e.getAsDouble();
        }).orElse(0.0);
    }
}

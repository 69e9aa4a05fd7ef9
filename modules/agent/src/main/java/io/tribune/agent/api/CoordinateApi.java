package io.tribune.agent.api;

import io.tribune.agent.Agent;
import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.agent.http.Json;
import io.tribune.state.Command;
import io.tribune.state.Coordinate;
import io.tribune.state.CommandValidator;
import io.tribune.state.Table;
import io.tribune.state.WatchTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/coordinate/*}: the network coordinates of the nodes of this datacenter (all, or one
 * node's), the WAN coordinates by datacenter, and {@code update} which records a node's coordinate
 * through consensus.
 */
final class CoordinateApi {
    private final Agent agent;

    CoordinateApi(Agent agent) {
        this.agent = agent;
    }

    CompletableFuture<HttpResponse> handle(HttpRequest req, String rest) {
        if (rest.equals("datacenters")) {
            ApiSupport.method(req, "GET");
            // No WAN pool yet: this datacenter with no server coordinates.
            Map<String, Object> dc = new LinkedHashMap<>();
            dc.put("Datacenter", agent.config().datacenter());
            dc.put("AreaID", "WAN");
            dc.put("Coordinates", List.of());
            return CompletableFuture.completedFuture(Json.ok(List.of(dc), req));
        }
        if (rest.equals("nodes")) {
            return ApiSupport.read(req, agent, WatchTarget.table(Table.COORDINATES),
                    () -> ApiSupport.state(agent).coordinates(), CoordinateApi::list);
        }
        if (rest.startsWith("node/")) {
            String node = ApiSupport.segment(rest.substring("node/".length()), "node name");
            return ApiSupport.read(req, agent, WatchTarget.table(Table.COORDINATES),
                    () -> ApiSupport.state(agent).nodeCoordinates(node), CoordinateApi::list)
                    .thenApply(r -> r.body().length == 2 ? HttpResponse.empty(404).header("X-Consul-Index",
                            r.headers().getOrDefault("X-Consul-Index", "1")) : r);
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
        ApiSupport.method(req, "PUT");
        ApiSupport.checkDc(req, agent);
        JsonIn in = JsonIn.body(req, false);
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
        return KvApi.Writes.apply(agent, req, new Command.CoordinateUpdate(List.of(c)))
                .thenApply(r -> CatalogApi.done(r, req));
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

package io.tribune.agent.api;

import com.google.gson.JsonElement;
import io.tribune.agent.Agent;
import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.agent.http.Json;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * How a client agent (no local replica) sees its node in the catalog for {@link AntiEntropy}: the
 * ids of the node's services and checks, read from a server with {@code GET /v1/catalog/node} and
 * {@code GET /v1/health/node} through the forwarder. Only ids are taken; the entries built from
 * them never match a local one, so the node and every local service and check are re-registered
 * on each sync, while entries the agent does not have are found by id and removed.
 * That costs one idempotent write per entry per minute (the store does not bump an index for an
 * unchanged entry) and saves decoding every field of Consul's JSON back into records.
 */
final class AntiEntropyClientView {
    private AntiEntropyClientView() {
    }

    static CompletableFuture<AntiEntropy.CatalogView> read(Agent agent, String node) {
        CompletableFuture<JsonElement> svc = get(agent, "/v1/catalog/node/" + node);
        CompletableFuture<JsonElement> chk = get(agent, "/v1/health/node/" + node);
        return svc.thenCombine(chk, (s, c) -> {
            Optional<Node> n = Optional.empty();
            List<NodeService> out = new ArrayList<>();
            if (s != null && s.isJsonObject() && s.getAsJsonObject().has("Services")) {
                // The node is there; as a placeholder it is re-registered (unchanged, so no new index).
                n = Optional.of(Node.of(node, ""));
                JsonElement m = s.getAsJsonObject().get("Services");
                if (m.isJsonObject()) {
                    for (var e : m.getAsJsonObject().entrySet()) {
                        // An id-only placeholder: it differs from the real entry, so the sync re-registers it.
                        out.add(new NodeService(e.getKey(), "?", List.of(), "", Map.of(), 0,
                                NodeService.Weights.DEFAULT, true, 0, 0));
                    }
                }
            }
            List<HealthCheck> checks = new ArrayList<>();
            if (c != null && c.isJsonArray()) {
                for (JsonElement x : c.getAsJsonArray()) {
                    var o = x.getAsJsonObject();
                    String id = o.has("CheckID") ? o.get("CheckID").getAsString() : "";
                    String serviceId = o.has("ServiceID") && !o.get("ServiceID").isJsonNull()
                            ? o.get("ServiceID").getAsString() : "";
                    checks.add(new HealthCheck(node, id, "?", HealthStatus.CRITICAL, "?", "?", serviceId, "",
                            List.of(), "?", 0, 0));
                }
            }
            return new AntiEntropy.CatalogView(n, out, checks);
        });
    }

    private static CompletableFuture<JsonElement> get(Agent agent, String path) {
        HttpRequest req = new HttpRequest("GET", path, Map.of(), Map.of(), new byte[0], "anti-entropy");
        return agent.rpc().forwardIfRemote(req)
                .orElseGet(() -> CompletableFuture.failedFuture(new HttpError(500, "no server to read the catalog")))
                .thenApply((HttpResponse r) -> {
                    if (r.status() == 404) {
                        return null;
                    }
                    if (r.status() != 200) {
                        throw new HttpError(r.status(), "catalog read " + path + " failed with " + r.status());
                    }
                    return Json.parse(r.body());
                });
    }
}

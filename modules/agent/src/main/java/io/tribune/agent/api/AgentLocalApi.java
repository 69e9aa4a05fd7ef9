package io.tribune.agent.api;

import io.tribune.agent.Agent;
import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.agent.http.Json;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.NodeService;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@code /v1/agent/*} endpoints about this agent's own services and checks (kept in
 * {@link LocalState}), maintenance mode, and joining or removing members of the LAN pool.
 * ({@code self}, {@code members} and {@code leave} are in {@link AgentApi}.)
 */
final class AgentLocalApi {
    /** How long a join may take before the client gets an error. */
    static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);
    private final Agent agent;
    private final LocalState local;

    AgentLocalApi(Agent agent, LocalState local) {
        this.agent = agent;
        this.local = local;
    }

    CompletableFuture<HttpResponse> handle(HttpRequest req, String rest) {
        switch (rest) {
            case "services" -> {
                ApiSupport.method(req, "GET");
                Map<String, Object> out = new LinkedHashMap<>();
                local.services().forEach(s -> out.put(s.id(), ConsulJson.service(s, false)));
                return done(Json.ok(out, req));
            }
            case "checks" -> {
                ApiSupport.method(req, "GET");
                Map<String, Object> out = new LinkedHashMap<>();
                Map<String, NodeService> services = new LinkedHashMap<>();
                local.services().forEach(s -> services.put(s.id(), s));
                for (HealthCheck c : local.checks()) {
                    NodeService s = services.get(c.serviceId());
                    out.put(c.checkId(), ConsulJson.check(s == null ? c : c.withService(s.service(), s.tags())));
                }
                return done(Json.ok(out, req));
            }
            case "service/register" -> {
                return serviceRegister(req);
            }
            case "check/register" -> {
                ApiSupport.method(req, "PUT");
                var check = CheckDefinitions.check(JsonIn.body(req, false), agent.config().nodeName(),
                        local.scriptsEnabled());
                return ok(local.addCheck(check.getKey(), check.getValue()));
            }
            case "maintenance" -> {
                ApiSupport.method(req, "PUT");
                boolean enable = enable(req);
                if (enable) {
                    HealthCheck hc = new HealthCheck(agent.config().nodeName(), LocalState.NODE_MAINTENANCE,
                            "Node Maintenance Mode", HealthStatus.CRITICAL,
                            req.param("reason").filter(r -> !r.isEmpty())
                                    .orElse("Maintenance mode is enabled for this node"),
                            "", "", "", List.of(), "maintenance", 0, 0);
                    return ok(local.addCheck(hc, LocalState.CheckDef.NONE));
                }
                return ok(local.check(LocalState.NODE_MAINTENANCE).isPresent()
                        ? local.removeCheck(LocalState.NODE_MAINTENANCE) : CompletableFuture.completedFuture(null));
            }
            default -> {
                return withParam(req, rest);
            }
        }
    }

    private CompletableFuture<HttpResponse> withParam(HttpRequest req, String rest) {
        if (rest.startsWith("service/deregister/")) {
            ApiSupport.method(req, "PUT");
            return ok(local.removeService(ApiSupport.segment(rest.substring("service/deregister/".length()),
                    "service ID")));
        }
        if (rest.startsWith("service/maintenance/")) {
            ApiSupport.method(req, "PUT");
            String id = ApiSupport.segment(rest.substring("service/maintenance/".length()), "service ID");
            boolean enable = enable(req);
            if (!local.hasService(id)) {
                throw HttpError.notFound("Unknown service ID \"" + ApiSupport.abbreviate(id) + "\"");
            }
            String checkId = LocalState.SERVICE_MAINTENANCE_PREFIX + id;
            if (enable) {
                HealthCheck hc = new HealthCheck(agent.config().nodeName(), checkId, "Service Maintenance Mode",
                        HealthStatus.CRITICAL, req.param("reason").filter(r -> !r.isEmpty())
                        .orElse("Maintenance mode is enabled for this service"), "", id, "", List.of(),
                        "maintenance", 0, 0);
                return ok(local.addCheck(hc, LocalState.CheckDef.NONE));
            }
            return ok(local.check(checkId).isPresent() ? local.removeCheck(checkId)
                    : CompletableFuture.completedFuture(null));
        }
        if (rest.startsWith("check/deregister/")) {
            ApiSupport.method(req, "PUT");
            return ok(local.removeCheck(ApiSupport.segment(rest.substring("check/deregister/".length()),
                    "check ID")));
        }
        for (String verb : List.of("pass", "warn", "fail")) {
            String prefix = "check/" + verb + "/";
            if (rest.startsWith(prefix)) {
                ApiSupport.method(req, "PUT");
                String id = ApiSupport.segment(rest.substring(prefix.length()), "check ID");
                HealthStatus s = switch (verb) {
                    case "pass" -> HealthStatus.PASSING;
                    case "warn" -> HealthStatus.WARNING;
                    default -> HealthStatus.CRITICAL;
                };
                return ok(local.updateTtl(id, s, req.param("note").orElse("")));
            }
        }
        if (rest.startsWith("check/update/")) {
            ApiSupport.method(req, "PUT");
            String id = ApiSupport.segment(rest.substring("check/update/".length()), "check ID");
            JsonIn in = JsonIn.body(req, false);
            String status = in.string("Status", "");
            if (status.isEmpty()) {
                throw HttpError.badRequest("Missing Status: expected passing, warning or critical");
            }
            return ok(local.updateTtl(id, CatalogApi.status(status), in.string("Output", "")));
        }
        if (rest.startsWith("join/")) {
            ApiSupport.method(req, "PUT");
            String address = ApiSupport.segment(rest.substring("join/".length()), "address");
            if (ApiSupport.flag(req, "wan")) {
                throw new HttpError(500, "WAN join is not available: this agent has no WAN pool yet");
            }
            return agent.membership().join(List.of(address)).orTimeout(JOIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .handle((n, e) -> {
                        if (e != null) {
                            throw new HttpError(500, "Failed to join " + address + ": " + rootMessage(e));
                        }
                        return HttpResponse.empty(200);
                    });
        }
        if (rest.startsWith("force-leave/")) {
            ApiSupport.method(req, "PUT");
            String node = ApiSupport.segment(rest.substring("force-leave/".length()), "node name");
            return agent.membership().forceLeave(node, ApiSupport.flag(req, "prune")).handle((n, e) -> {
                if (e != null) {
                    throw new HttpError(500, "Failed to force-leave " + node + ": " + rootMessage(e));
                }
                return HttpResponse.empty(200);
            });
        }
        throw HttpError.notFound("no API at " + req.path());
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }

    private static boolean enable(HttpRequest req) {
        if (!req.has("enable")) {
            throw HttpError.badRequest("Missing value for enable");
        }
        String v = req.param("enable").orElse("");
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw HttpError.badRequest("Invalid value for enable: '" + ApiSupport.abbreviate(v)
                    + "' (expected true or false)");
        };
    }

    private static CompletableFuture<HttpResponse> done(HttpResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    /** 200 with an empty body once the catalog write committed, as Consul answers these endpoints. */
    private static CompletableFuture<HttpResponse> ok(CompletableFuture<Void> write) {
        return write.thenApply(x -> HttpResponse.empty(200));
    }

    private CompletableFuture<HttpResponse> serviceRegister(HttpRequest req) {
        ApiSupport.method(req, "PUT");
        CheckDefinitions.ServiceDef def = CheckDefinitions.service(JsonIn.body(req, false),
                agent.config().nodeName(), local.scriptsEnabled());
        return ok(local.addService(def.service(), def.checks()));
    }
}

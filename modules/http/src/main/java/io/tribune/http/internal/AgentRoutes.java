package io.tribune.http.internal;

import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.local.CheckDefinitions;
import io.tribune.agent.local.JsonIn;
import io.tribune.agent.rpc.AgentOps;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Status;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.state.HealthStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/agent/*} (self, members, services, checks, registration and deregistration of services
 * and checks, TTL updates, maintenance, join, force-leave, leave) and {@code /v1/status/leader|peers},
 * shaped like Consul's answers.
 */
final class AgentRoutes {
    private final Requests requests;
    private final AgentConfig config;

    AgentRoutes(Requests requests, AgentConfig config) {
        this.requests = requests;
        this.config = config;
    }

    private <R> CompletableFuture<R> local(io.tribune.agent.rpc.Op<R> op, HttpRequest req) {
        return Calls.value(requests, op, Options.DEFAULT.withToken(Params.token(req)));
    }

    private static CompletableFuture<HttpResponse> ok(CompletableFuture<Boolean> f) {
        return f.thenApply(b -> HttpResponse.empty(200));
    }

    CompletableFuture<HttpResponse> status(HttpRequest req, String rest) {
        Params.method(req, "GET");
        return switch (rest) {
            case "leader" -> Calls.value(requests, new Status.Leader(), Params.read(req)).thenApply(v -> Json.ok(v, req));
            case "peers" -> Calls.value(requests, new Status.Peers(), Params.read(req)).thenApply(v -> Json.ok(v, req));
            default -> throw HttpError.notFound("no API at " + req.path());
        };
    }

    CompletableFuture<HttpResponse> agent(HttpRequest req, String rest) {
        switch (rest) {
            case "self" -> {
                Params.method(req, "GET");
                // plugins feature: "Plugins" lists what runs (name, version, jar, since), not what is on disk
                return local(new AgentOps.Self(), req).thenCombine(local(new AgentOps.Plugins(), req),
                        (i, running) -> {
                            Map<String, Object> out = self(i);
                            out.put("Plugins", running.stream().map(AgentRoutes::plugin).toList());
                            return Json.ok(out, req);
                        });
            }
            case "members" -> {
                Params.method(req, "GET");
                return local(new AgentOps.Members(Params.flag(req, "wan")), req).thenApply(ms -> {
                    List<Object> out = ms.stream().map(m -> (Object) member(m)).toList();
                    return Json.ok(out, req);
                });
            }
            case "leave" -> {
                Params.method(req, "PUT");
                return ok(local(new AgentOps.Leave(), req));
            }
            // config feature: Consul's reload answers 200 with no body; restart-only keys are logged.
            case "reload" -> {
                Params.method(req, "PUT");
                return local(new AgentOps.Reload(), req).thenApply(x -> HttpResponse.empty(200));
            }
            case "services" -> {
                Params.method(req, "GET");
                return local(new AgentOps.Services(), req).thenApply(list -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    list.forEach(s -> out.put(s.id(), ConsulJson.service(s, false)));
                    return Json.ok(out, req);
                });
            }
            case "checks" -> {
                Params.method(req, "GET");
                return local(new AgentOps.LocalChecks(), req).thenApply(list -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    list.forEach(c -> out.put(c.checkId(), ConsulJson.check(c)));
                    return Json.ok(out, req);
                });
            }
            case "service/register" -> {
                Params.method(req, "PUT");
                AgentOps.ServiceDefinition def = CheckDefinitions.service(JsonIn.body(req.body(), false),
                        config.nodeName(), config.enableScriptChecks());
                return ok(local(new AgentOps.RegisterService(def), req));
            }
            case "check/register" -> {
                Params.method(req, "PUT");
                AgentOps.CheckDefinition def = CheckDefinitions.check(JsonIn.body(req.body(), false),
                        config.nodeName(), config.enableScriptChecks());
                return ok(local(new AgentOps.RegisterCheck(def), req));
            }
            case "maintenance" -> {
                Params.method(req, "PUT");
                return ok(local(new AgentOps.NodeMaintenance(enable(req), req.param("reason").orElse("")), req));
            }
            default -> {
                return withParam(req, rest);
            }
        }
    }

    private CompletableFuture<HttpResponse> withParam(HttpRequest req, String rest) {
        // plugins feature: PUT /v1/agent/plugins/<name>/update[?jar=/abs/path.jar] replaces a running plugin
        if (rest.startsWith("plugins/") && rest.endsWith("/update")) {
            Params.method(req, "PUT");
            String name = Params.segment(rest.substring("plugins/".length(), rest.length() - "/update".length()),
                    "plugin name");
            return local(new AgentOps.UpdatePlugin(name, req.param("jar").filter(j -> !j.isEmpty())), req)
                    .thenApply(running -> Json.ok(running.stream().map(AgentRoutes::plugin).toList(), req));
        }
        if (rest.startsWith("service/deregister/")) {
            Params.method(req, "PUT");
            return ok(local(new AgentOps.DeregisterService(Params.segment(rest.substring("service/deregister/"
                    .length()), "service ID")), req));
        }
        if (rest.startsWith("service/maintenance/")) {
            Params.method(req, "PUT");
            String id = Params.segment(rest.substring("service/maintenance/".length()), "service ID");
            boolean enable = enable(req);
            return ok(local(new AgentOps.ServiceMaintenance(id, enable, req.param("reason").orElse("")), req));
        }
        if (rest.startsWith("check/deregister/")) {
            Params.method(req, "PUT");
            return ok(local(new AgentOps.DeregisterCheck(Params.segment(rest.substring("check/deregister/".length()),
                    "check ID")), req));
        }
        for (String verb : List.of("pass", "warn", "fail")) {
            String prefix = "check/" + verb + "/";
            if (rest.startsWith(prefix)) {
                Params.method(req, "PUT");
                String id = Params.segment(rest.substring(prefix.length()), "check ID");
                HealthStatus s = switch (verb) {
                    case "pass" -> HealthStatus.PASSING;
                    case "warn" -> HealthStatus.WARNING;
                    default -> HealthStatus.CRITICAL;
                };
                return ok(local(new AgentOps.UpdateTtl(id, s, req.param("note").orElse("")), req));
            }
        }
        if (rest.startsWith("check/update/")) {
            Params.method(req, "PUT");
            String id = Params.segment(rest.substring("check/update/".length()), "check ID");
            JsonIn in = JsonIn.body(req.body(), false);
            String status = in.string("Status", "");
            if (status.isEmpty()) {
                throw HttpError.badRequest("Missing Status: expected passing, warning or critical");
            }
            return ok(local(new AgentOps.UpdateTtl(id, CheckDefinitions.status(status), in.string("Output", "")), req));
        }
        if (rest.startsWith("join/")) {
            Params.method(req, "PUT");
            String address = Params.segment(rest.substring("join/".length()), "address");
            return local(new AgentOps.Join(address, Params.flag(req, "wan")), req).thenApply(n -> HttpResponse.empty(200));
        }
        if (rest.startsWith("force-leave/")) {
            Params.method(req, "PUT");
            String node = Params.segment(rest.substring("force-leave/".length()), "node name");
            return ok(local(new AgentOps.ForceLeave(node, Params.flag(req, "prune"), Params.flag(req, "wan")), req));
        }
        throw HttpError.notFound("no API at " + req.path());
    }

    /** Consul's {@code ?enable} of maintenance mode: required, read with Go's ParseBool. */
    private static boolean enable(HttpRequest req) {
        if (!req.has("enable")) {
            throw HttpError.badRequest("Missing value for enable");
        }
        String v = req.param("enable").orElse("");
        return Params.parseBool(v).orElseThrow(() -> HttpError.badRequest("Invalid value for enable: '"
                + Params.abbreviate(v) + "' (expected one of 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False)"));
    }

    private static Map<String, Object> self(AgentOps.Info info) {
        AgentConfig cfg = info.config();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Datacenter", cfg.datacenter());
        config.put("PrimaryDatacenter", cfg.primaryDatacenter());
        config.put("NodeName", cfg.nodeName());
        config.put("NodeID", info.nodeId());
        config.put("Revision", "tribune");
        config.put("Server", cfg.server());
        config.put("Version", "1.4.5");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Config", config);
        out.put("DebugConfig", Map.of("Bootstrap", cfg.bootstrap(), "BootstrapExpect", cfg.bootstrapExpect(),
                "DevMode", cfg.dev(), "ClientAddrs", List.of(cfg.clientAddr()), "BindAddr", cfg.bindAddr()));
        out.put("Coord", null);
        out.put("Member", member(info.member()));
        out.put("Stats", info.stats());
        out.put("Meta", Map.of());
        return out;
    }

    /** A running plugin as {@code /v1/agent/self} and the update endpoint show it. */
    private static Map<String, Object> plugin(io.tribune.agent.plugins.RunningPlugin p) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("Kind", p.kind().key());
        o.put("Name", p.plugin());
        o.put("Factory", p.factory());
        o.put("Version", p.version());
        o.put("Origin", p.origin());
        o.put("Since", java.time.Instant.ofEpochMilli(p.sinceMillis()).toString());
        o.put("Capabilities", p.capabilities().stream().map(io.tribune.api.Capability::key).toList());
        return o;
    }

    /** A member as Consul's {@code /v1/agent/members} shows it (Status: 1 alive .. 4 failed). */
    static Map<String, Object> member(Member m) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("Name", m.name());
        o.put("Addr", m.host());
        o.put("Port", m.port());
        o.put("Tags", m.tags());
        o.put("Status", statusCode(m.status()));
        o.put("ProtocolMin", 1);
        o.put("ProtocolMax", 5);
        o.put("ProtocolCur", 2);
        o.put("DelegateMin", 2);
        o.put("DelegateMax", 5);
        o.put("DelegateCur", 4);
        return o;
    }

    static int statusCode(MemberStatus s) {
        return switch (s) {
            case ALIVE, SUSPECT -> 1;
            case LEAVING -> 2;
            case LEFT -> 3;
            case FAILED -> 4;
        };
    }
}

package io.tribune.http.internal;

import io.tribune.agent.local.JsonIn;
import io.tribune.agent.rpc.Acl;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.state.AclPolicy;
import io.tribune.state.AclToken;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Consul 1.4's ACL API: {@code /v1/acl/bootstrap}, {@code /v1/acl/policy} and {@code /v1/acl/policies},
 * {@code /v1/acl/token} (create, read, update, delete, {@code clone}, {@code self}) and
 * {@code /v1/acl/tokens}, {@code /v1/acl/replication}, {@code /v1/acl/rules/translate}, the legacy
 * {@code /v1/acl/create|update|destroy|info|clone|list}, and {@code /v1/agent/token/<kind>}. Field
 * names and statuses as Consul's; who may do what is decided by the request layer.
 */
final class AclRoutes {
    private final Requests requests;

    AclRoutes(Requests requests) {
        this.requests = requests;
    }

    CompletableFuture<HttpResponse> acl(HttpRequest req, String rest) {
        return disabledAs401(route(req, rest));
    }

    private CompletableFuture<HttpResponse> route(HttpRequest req, String rest) {
        switch (rest) {
            case "bootstrap" -> {
                Params.method(req, "PUT");
                return Calls.value(requests, new Acl.Bootstrap(), Params.write(req))
                        .thenApply(t -> Json.ok(token(t, true), req));
            }
            case "policies" -> {
                Params.method(req, "GET");
                return Calls.read(requests, new Acl.PolicyList(), Params.read(req), ps -> {
                    List<Object> out = new ArrayList<>();
                    ps.forEach(p -> out.add(policy(p, false)));
                    return Json.ok(out, req);
                });
            }
            case "policy" -> {
                Params.method(req, "PUT");
                return policyWrite(req, "");
            }
            case "tokens" -> {
                Params.method(req, "GET");
                return Calls.read(requests, new Acl.TokenList(), Params.read(req), ts -> {
                    List<Object> out = new ArrayList<>();
                    ts.forEach(t -> out.add(tokenStub(t)));
                    return Json.ok(out, req);
                });
            }
            case "token" -> {
                Params.method(req, "PUT");
                return tokenWrite(req, "");
            }
            case "token/self" -> {
                Params.method(req, "GET");
                return Calls.read(requests, new Acl.TokenSelf(Params.token(req)), Params.read(req),
                        t -> Json.ok(token(t.orElseThrow(AclRoutes::notFound), true), req));
            }
            case "replication" -> {
                Params.method(req, "GET");
                return Calls.read(requests, new Acl.ReplicationStatus(), Params.read(req),
                        r -> Json.ok(replication(r), req));
            }
            case "rules/translate" -> {
                Params.method(req, "POST");
                return Calls.value(requests, new Acl.TranslateRules(new String(req.body(), StandardCharsets.UTF_8)),
                        Options.DEFAULT.withToken(Params.token(req))).thenApply(s -> HttpResponse.text(200, s));
            }
            case "create", "update" -> {
                Params.method(req, "PUT");
                JsonIn in = JsonIn.body(req.body(), true);
                boolean update = rest.equals("update");
                return Calls.value(requests, new Acl.LegacyWrite(in.string("ID", ""), in.string("Name", ""),
                        in.string("Type", "client"), in.string("Rules", ""), update), Params.write(req))
                        .thenApply(secret -> Json.ok(Map.of("ID", secret), req));
            }
            case "list" -> {
                Params.method(req, "GET");
                return Calls.read(requests, new Acl.TokenList(), Params.read(req), ts -> {
                    List<Object> out = new ArrayList<>();
                    ts.forEach(t -> out.add(legacy(t.token())));
                    return Json.ok(out, req);
                });
            }
            default -> {
                return withId(req, rest);
            }
        }
    }

    private CompletableFuture<HttpResponse> withId(HttpRequest req, String rest) {
        if (rest.startsWith("policy/")) {
            String id = Params.segment(rest.substring("policy/".length()), "policy ID");
            return switch (req.method()) {
                case "GET" -> Calls.read(requests, new Acl.PolicyRead(id), Params.read(req),
                        p -> Json.ok(policy(p.orElseThrow(AclRoutes::notFound), true), req));
                case "PUT" -> policyWrite(req, id);
                case "DELETE" -> Calls.value(requests, new Acl.PolicyDelete(id), Params.write(req))
                        .thenApply(b -> Json.ok(b, req));
                default -> throw HttpError.methodNotAllowed(req.method(), req.path());
            };
        }
        if (rest.startsWith("token/")) {
            String tail = rest.substring("token/".length());
            if (tail.endsWith("/clone")) {
                Params.method(req, "PUT");
                String id = Params.segment(tail.substring(0, tail.length() - "/clone".length()), "AccessorID");
                JsonIn in = JsonIn.body(req.body(), true);
                return Calls.value(requests, new Acl.TokenClone(id, in.string("Description", "")), Params.write(req))
                        .thenApply(t -> Json.ok(token(t, true), req));
            }
            String id = Params.segment(tail, "AccessorID");
            return switch (req.method()) {
                case "GET" -> Calls.read(requests, new Acl.TokenRead(id), Params.read(req),
                        t -> Json.ok(token(t.orElseThrow(AclRoutes::notFound), true), req));
                case "PUT" -> tokenWrite(req, id);
                case "DELETE" -> Calls.value(requests, new Acl.TokenDelete(id), Params.write(req))
                        .thenApply(b -> Json.ok(b, req));
                default -> throw HttpError.methodNotAllowed(req.method(), req.path());
            };
        }
        if (rest.startsWith("destroy/")) {
            Params.method(req, "PUT");
            String id = Params.segment(rest.substring("destroy/".length()), "ID");
            return Calls.value(requests, new Acl.LegacyDestroy(id), Params.write(req)).thenApply(b -> Json.ok(b, req));
        }
        if (rest.startsWith("info/")) {
            Params.method(req, "GET");
            String id = Params.segment(rest.substring("info/".length()), "ID");
            return Calls.read(requests, new Acl.LegacyInfo(id), Params.read(req),
                    t -> Json.ok(t.map(x -> List.of(legacy(x.token()))).orElse(List.of()), req));
        }
        if (rest.startsWith("clone/")) {
            Params.method(req, "PUT");
            String id = Params.segment(rest.substring("clone/".length()), "ID");
            return Calls.value(requests, new Acl.LegacyClone(id), Params.write(req))
                    .thenApply(secret -> Json.ok(Map.of("ID", secret), req));
        }
        throw HttpError.notFound("no API at " + req.path());
    }

    /** {@code PUT /v1/agent/token/<kind>} with {@code {"Token": "..."}}. */
    CompletableFuture<HttpResponse> agentToken(HttpRequest req, String kind) {
        Params.method(req, "PUT");
        JsonIn in = JsonIn.body(req.body(), false);
        return disabledAs401(Calls.value(requests, new Acl.SetAgentToken(kind, in.string("Token", "")),
                Options.DEFAULT.withToken(Params.token(req))).thenApply(b -> HttpResponse.empty(200)));
    }

    private CompletableFuture<HttpResponse> policyWrite(HttpRequest req, String id) {
        JsonIn in = JsonIn.body(req.body(), false);
        String bodyId = in.string("ID", "");
        if (!id.isEmpty() && !bodyId.isEmpty() && !bodyId.equals(id)) {
            throw HttpError.badRequest("Policy Id in URL and payload do not match");
        }
        return Calls.value(requests, new Acl.PolicyWrite(id, in.string("Name", ""), in.string("Description", ""),
                in.string("Rules", ""), in.strings("Datacenters").orElse(List.of())), Params.write(req))
                .thenApply(p -> Json.ok(policy(p, true), req));
    }

    private CompletableFuture<HttpResponse> tokenWrite(HttpRequest req, String accessor) {
        JsonIn in = JsonIn.body(req.body(), false);
        String bodyId = in.string("AccessorID", "");
        if (!accessor.isEmpty() && !bodyId.isEmpty() && !bodyId.equals(accessor)) {
            throw HttpError.badRequest("Token Accessor ID in URL and payload do not match");
        }
        if (accessor.isEmpty() && !bodyId.isEmpty()) {
            throw HttpError.badRequest("Token Accessor ID is set: use PUT /v1/acl/token/<AccessorID> to update");
        }
        List<Acl.PolicyLink> links = new ArrayList<>();
        for (JsonIn p : in.objects("Policies")) {
            links.add(new Acl.PolicyLink(p.string("ID", ""), p.string("Name", "")));
        }
        return Calls.value(requests, new Acl.TokenWrite(accessor, in.string("SecretID", ""),
                in.string("Description", ""), links, in.bool("Local").orElse(false)), Params.write(req))
                .thenApply(t -> Json.ok(token(t, true), req));
    }

    // ------------------------------------------------------------------ JSON shapes

    static Map<String, Object> policy(AclPolicy p, boolean withRules) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", p.id());
        m.put("Name", p.name());
        m.put("Description", p.description());
        if (withRules) {
            m.put("Rules", p.rules());
        }
        if (!p.datacenters().isEmpty()) {
            m.put("Datacenters", p.datacenters());
        }
        m.put("Hash", p.hash());
        m.put("CreateIndex", p.createIndex());
        m.put("ModifyIndex", p.modifyIndex());
        return m;
    }

    static Map<String, Object> token(Acl.TokenInfo info, boolean withSecret) {
        AclToken t = info.token();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("AccessorID", t.accessorId());
        if (withSecret) {
            m.put("SecretID", t.secretId());
        }
        m.put("Description", t.description());
        m.put("Policies", links(info));
        m.put("Local", t.local());
        m.put("CreateTime", Instant.ofEpochMilli(t.createTimeMillis()).toString());
        m.put("Hash", t.hash());
        if (t.legacy()) {
            m.put("Type", t.legacyType());
            m.put("Rules", t.legacyRules());
            m.put("Legacy", true);
        }
        m.put("CreateIndex", t.createIndex());
        m.put("ModifyIndex", t.modifyIndex());
        return m;
    }

    /** Consul's {@code ACLReplicationStatus}: times in RFC 3339, Go's zero time for never. */
    static Map<String, Object> replication(Acl.Replication r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Enabled", r.enabled());
        m.put("Running", r.running());
        m.put("SourceDatacenter", r.sourceDatacenter());
        m.put("ReplicationType", r.replicationType());
        m.put("ReplicatedIndex", r.replicatedIndex());
        m.put("ReplicatedTokenIndex", r.replicatedTokenIndex());
        m.put("LastSuccess", time(r.lastSuccessMillis()));
        m.put("LastError", time(r.lastErrorMillis()));
        m.put("LastErrorMessage", r.lastErrorMessage());
        return m;
    }

    private static String time(long millis) {
        return millis == 0 ? "0001-01-01T00:00:00Z" : Instant.ofEpochMilli(millis).toString();
    }

    private static Map<String, Object> tokenStub(Acl.TokenInfo info) {
        Map<String, Object> m = token(info, false);
        m.remove("Rules");
        m.remove("Type");
        return m;
    }

    private static List<Object> links(Acl.TokenInfo info) {
        List<Object> out = new ArrayList<>();
        for (Acl.PolicyLink l : info.policies()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ID", l.id());
            m.put("Name", l.name());
            out.add(m);
        }
        return out;
    }

    /** The legacy API's shape of a token: its secret is its {@code ID}. */
    static Map<String, Object> legacy(AclToken t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", t.secretId());
        m.put("Name", t.description());
        m.put("Type", t.legacy() ? t.legacyType() : "client");
        m.put("Rules", t.legacyRules());
        m.put("CreateIndex", t.createIndex());
        m.put("ModifyIndex", t.modifyIndex());
        return m;
    }

    private static AgentException notFound() {
        // Consul 1.4 answers a missing token or policy with its ErrNotFound: 403 "ACL not found".
        return new AgentException(AgentException.Kind.PERMISSION_DENIED, "ACL not found");
    }

    /** Consul answers requests to the ACL API of an agent without ACLs with 401 "ACL support disabled". */
    private static CompletableFuture<HttpResponse> disabledAs401(CompletableFuture<HttpResponse> f) {
        return f.exceptionally(t -> {
            Throwable c = AgentException.unwrap(t);
            if (c instanceof AgentException a && a.kind() == AgentException.Kind.UNSUPPORTED
                    && "ACL support disabled".equals(a.getMessage())) {
                throw new HttpError(401, a.getMessage());
            }
            throw c instanceof RuntimeException r ? r : new CompletionException(c);
        });
    }
}

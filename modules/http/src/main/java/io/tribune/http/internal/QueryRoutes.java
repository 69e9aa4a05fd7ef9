package io.tribune.http.internal;

import io.tribune.agent.local.JsonIn;
import io.tribune.agent.rpc.Queries;
import io.tribune.agent.rpc.Requests;
import io.tribune.state.PreparedQuery;
import io.tribune.state.ServiceHealth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/query} (Consul 1.4's prepared queries): {@code POST|PUT /v1/query} creates,
 * {@code GET /v1/query} lists, {@code GET|PUT|DELETE /v1/query/<id>} reads, updates and deletes,
 * {@code GET /v1/query/<id or name>/execute} ({@code ?near=}, {@code ?limit=}) executes and
 * {@code GET /v1/query/<id or name>/explain} shows the query as it would run; every one takes
 * {@code ?dc=}. Definitions are read and written in Consul's JSON shape; a definition the request
 * layer refuses is a 400 with its message, an unknown query a 404 ("Query not found").
 */
final class QueryRoutes {
    private final Requests requests;

    QueryRoutes(Requests requests) {
        this.requests = requests;
    }

    /** {@code /v1/query} itself. */
    CompletableFuture<HttpResponse> root(HttpRequest req, String rest) {
        if (!rest.isEmpty()) {
            throw HttpError.notFound("no API at " + req.path());
        }
        if (req.method().equals("POST") || req.method().equals("PUT")) {
            PreparedQuery q = definition(req, "");
            return Calls.value(requests, new Queries.Create(q), Params.write(req))
                    .thenApply(id -> Json.ok(Map.of("ID", id), req));
        }
        Params.method(req, "GET", "POST", "PUT");
        return Calls.read(requests, new Queries.All(), Params.read(req), qs -> {
            List<Object> out = new ArrayList<>();
            qs.forEach(q -> out.add(query(q)));
            return Json.ok(out, req);
        });
    }

    /** {@code /v1/query/<...>}. */
    CompletableFuture<HttpResponse> query(HttpRequest req, String rest) {
        if (rest.endsWith("/execute")) {
            Params.method(req, "GET");
            String idOrName = Params.segment(rest.substring(0, rest.length() - "/execute".length()), "query ID or name");
            int limit = (int) Math.min(Integer.MAX_VALUE, req.longParam("limit").orElse(0L));
            Queries.Execute op = new Queries.Execute(idOrName, req.param("near").orElse(""), limit);
            return Calls.read(requests, op, Params.read(req), r -> Json.ok(result(r), req));
        }
        if (rest.endsWith("/explain")) {
            Params.method(req, "GET");
            String idOrName = Params.segment(rest.substring(0, rest.length() - "/explain".length()), "query ID or name");
            return Calls.read(requests, new Queries.Explain(idOrName, ""), Params.read(req),
                    q -> Json.ok(Map.of("Query", query(q)), req));
        }
        String id = Params.segment(rest, "query ID");
        switch (req.method()) {
            case "PUT" -> {
                return Calls.value(requests, new Queries.Update(definition(req, id)), Params.write(req))
                        .thenApply(b -> HttpResponse.empty(200));
            }
            case "DELETE" -> {
                return Calls.value(requests, new Queries.Delete(id), Params.write(req))
                        .thenApply(b -> HttpResponse.empty(200));
            }
            default -> {
                Params.method(req, "GET", "PUT", "DELETE");
                return Calls.read(requests, new Queries.Get(id), Params.read(req), q -> {
                    if (q.isEmpty()) {
                        throw HttpError.notFound("Query not found");
                    }
                    return Json.ok(List.of(query(q.get())), req);
                });
            }
        }
    }

    /** A definition from the request body, with ID {@code id}. */
    static PreparedQuery definition(HttpRequest req, String id) {
        JsonIn in = JsonIn.body(req.body(), false);
        if (id.isEmpty()) {
            // Create: Consul refuses an ID chosen by the client (the Create operation says so).
            id = in.string("ID", "");
        }
        PreparedQuery.Template template = in.object("Template").map(t -> new PreparedQuery.Template(
                t.string("Type", ""), t.string("Regexp", ""), t.bool("RemoveEmptyTags").orElse(false)))
                .orElse(PreparedQuery.Template.NONE);
        JsonIn s = in.object("Service").orElse(JsonIn.of(new com.google.gson.JsonObject(), "Service"));
        PreparedQuery.Failover failover = s.object("Failover").map(f -> new PreparedQuery.Failover(
                (int) (long) f.integer("NearestN", Integer.MIN_VALUE, Integer.MAX_VALUE).orElse(0L),
                f.strings("Datacenters").orElse(List.of()))).orElse(PreparedQuery.Failover.NONE);
        PreparedQuery.ServiceQuery service = new PreparedQuery.ServiceQuery(s.string("Service", ""), failover,
                s.bool("OnlyPassing").orElse(false), s.string("Near", ""), s.strings("Tags").orElse(List.of()),
                s.stringMap("NodeMeta"));
        String ttl = in.object("DNS").map(d -> d.string("TTL", "")).orElse("");
        return new PreparedQuery(id, in.string("Name", ""), in.string("Session", ""), in.string("Token", ""), template,
                service, ttl, 0, 0);
    }

    /** A query in Consul's shape (indexes at the top, as Go writes its embedded RaftIndex). */
    static Map<String, Object> query(PreparedQuery q) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("ID", q.id());
        o.put("Name", q.name());
        o.put("Session", q.session());
        o.put("Token", q.token());
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("Type", q.template().type());
        t.put("Regexp", q.template().regexp());
        t.put("RemoveEmptyTags", q.template().removeEmptyTags());
        o.put("Template", t);
        o.put("Service", service(q.service()));
        o.put("DNS", Map.of("TTL", q.dnsTtl()));
        o.put("CreateIndex", q.createIndex());
        o.put("ModifyIndex", q.modifyIndex());
        return o;
    }

    private static Map<String, Object> service(PreparedQuery.ServiceQuery s) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("Service", s.service());
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("NearestN", s.failover().nearestN());
        f.put("Datacenters", s.failover().datacenters());
        o.put("Failover", f);
        o.put("OnlyPassing", s.onlyPassing());
        o.put("Near", s.near());
        o.put("Tags", s.tags());
        o.put("NodeMeta", s.nodeMeta());
        return o;
    }

    /** An execution's answer in Consul's shape. */
    private Map<String, Object> result(Queries.Result r) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("Service", r.query().service().service());
        List<Object> nodes = new ArrayList<>();
        for (ServiceHealth h : r.nodes()) {
            nodes.add(ConsulJson.serviceHealth(h, r.datacenter()));
        }
        o.put("Nodes", nodes);
        o.put("DNS", Map.of("TTL", r.query().dnsTtl()));
        o.put("Datacenter", r.datacenter());
        o.put("Failovers", r.failovers());
        return o;
    }
}

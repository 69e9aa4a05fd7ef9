package io.tribune.agent.api;

import io.tribune.agent.Agent;
import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.agent.http.Json;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Indexed;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.NodeServices;
import io.tribune.state.ServiceInstance;
import io.tribune.state.Table;
import io.tribune.state.WatchTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/catalog/*}: register and deregister (commands through consensus), datacenters, nodes,
 * services, the instances of a service and the services of a node (reads with blocking queries on
 * the matching watch target).
 */
final class CatalogApi {
    private final Agent agent;

    CatalogApi(Agent agent) {
        this.agent = agent;
    }

    CompletableFuture<HttpResponse> handle(HttpRequest req, String rest) {
        String dc = agent.config().datacenter();
        if (rest.equals("register")) {
            return register(req);
        }
        if (rest.equals("deregister")) {
            return deregister(req);
        }
        if (rest.equals("datacenters")) {
            ApiSupport.method(req, "GET");
            return CompletableFuture.completedFuture(Json.ok(List.of(dc), req));
        }
        if (rest.equals("nodes")) {
            Map<String, String> meta = ApiSupport.nodeMeta(req);
            return ApiSupport.read(req, agent, WatchTarget.table(Table.NODES),
                    () -> ApiSupport.state(agent).nodes(meta), nodes -> {
                        List<Object> out = new ArrayList<>();
                        nodes.forEach(n -> out.add(ConsulJson.node(n, dc)));
                        return out;
                    });
        }
        if (rest.equals("services")) {
            Map<String, String> meta = ApiSupport.nodeMeta(req);
            return ApiSupport.read(req, agent, WatchTarget.table(Table.SERVICES),
                    () -> ApiSupport.state(agent).services(meta), m -> m);
        }
        if (rest.startsWith("service/")) {
            String name = ApiSupport.segment(rest.substring("service/".length()), "service name");
            Map<String, String> meta = ApiSupport.nodeMeta(req);
            List<String> tags = ApiSupport.tags(req);
            return ApiSupport.read(req, agent, new WatchTarget.Service(name),
                    () -> instances(name, tags, meta), list -> {
                        List<Object> out = new ArrayList<>();
                        list.forEach(i -> out.add(ConsulJson.catalogService(i, dc)));
                        return out;
                    });
        }
        if (rest.startsWith("node/")) {
            String name = ApiSupport.segment(rest.substring("node/".length()), "node name");
            return ApiSupport.read(req, agent, new WatchTarget.Node(name),
                    () -> ApiSupport.state(agent).nodeServices(name), ns -> ns.map(x -> nodeServices(x, dc))
                            .orElse(null));
        }
        throw HttpError.notFound("no API at " + req.path());
    }

    private Indexed<List<ServiceInstance>> instances(String name, List<String> tags, Map<String, String> meta) {
        Indexed<List<ServiceInstance>> r = ApiSupport.state(agent)
                .serviceInstances(name, tags.isEmpty() ? null : tags.get(0), meta);
        if (tags.size() <= 1) {
            return r;
        }
        List<ServiceInstance> out = new ArrayList<>();
        for (ServiceInstance i : r.value()) {
            if (i.service().tags().containsAll(tags)) {
                out.add(i);
            }
        }
        return new Indexed<>(r.index(), out);
    }

    private static Map<String, Object> nodeServices(NodeServices ns, String dc) {
        Map<String, Object> services = new LinkedHashMap<>();
        for (NodeService s : ns.services()) {
            services.put(s.id(), ConsulJson.service(s, true));
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("Node", ConsulJson.node(ns.node(), dc));
        o.put("Services", services);
        return o;
    }

    // ---- writes ----

    private CompletableFuture<HttpResponse> register(HttpRequest req) {
        ApiSupport.method(req, "PUT", "POST");
        ApiSupport.checkDc(req, agent);
        JsonIn in = JsonIn.body(req, false);
        checkDcField(in);
        String nodeName = in.string("Node", "");
        if (nodeName.isEmpty()) {
            throw HttpError.badRequest("Must provide node");
        }
        String address = in.string("Address", "");
        boolean skipNodeUpdate = in.bool("SkipNodeUpdate").orElse(false);
        Node node;
        Optional<Node> existing = skipNodeUpdate ? ApiSupport.state(agent).node(nodeName).value() : Optional.empty();
        if (existing.isPresent()) {
            node = existing.get();
        } else {
            if (address.isEmpty()) {
                throw HttpError.badRequest("Must provide address if SkipNodeUpdate is not set");
            }
            node = new Node(in.string("ID", ""), nodeName, address, agent.config().datacenter(),
                    in.stringMap("TaggedAddresses"), in.stringMap("NodeMeta"), 0, 0);
        }
        Optional<NodeService> service = in.object("Service").map(CatalogApi::catalogServiceIn);
        List<HealthCheck> checks = new ArrayList<>();
        in.object("Check").ifPresent(c -> checks.add(checkIn(c, nodeName)));
        in.objects("Checks").forEach(c -> checks.add(checkIn(c, nodeName)));
        Command cmd = new Command.Register(node, service, checks, agent.platform().wallMillis());
        return KvApi.Writes.apply(agent, req, cmd).thenApply(r -> done(r, req));
    }

    private void checkDcField(JsonIn in) {
        String dc = in.string("Datacenter", "");
        if (!dc.isEmpty() && !dc.equalsIgnoreCase(agent.config().datacenter())) {
            throw new HttpError(500, "No path to datacenter");
        }
    }

    private CompletableFuture<HttpResponse> deregister(HttpRequest req) {
        ApiSupport.method(req, "PUT", "POST");
        ApiSupport.checkDc(req, agent);
        JsonIn in = JsonIn.body(req, false);
        checkDcField(in);
        String nodeName = in.string("Node", "");
        if (nodeName.isEmpty()) {
            throw HttpError.badRequest("Must provide node");
        }
        Optional<String> serviceId = in.string("ServiceID").filter(s -> !s.isEmpty());
        Optional<String> checkId = in.string("CheckID").filter(s -> !s.isEmpty());
        Command cmd = new Command.Deregister(nodeName, serviceId, checkId, agent.platform().wallMillis());
        return KvApi.Writes.apply(agent, req, cmd).thenApply(r -> done(r, req));
    }

    /** {@code true} for a Done result, Consul's error otherwise (a refused registration is a 500 there). */
    static HttpResponse done(CommandResult r, HttpRequest req) {
        if (r instanceof CommandResult.Done || r instanceof CommandResult.Bool b && b.value()
                || r instanceof CommandResult.Count) {
            return Json.ok(true, req);
        }
        if (r instanceof CommandResult.Failed f && f.kind() == CommandResult.Failed.Kind.INVALID) {
            throw HttpError.badRequest(f.message());
        }
        if (r instanceof CommandResult.Failed f) {
            throw new HttpError(500, f.message());
        }
        throw new HttpError(500, "unexpected result " + r);
    }

    /** The {@code Service} object of a catalog registration. */
    static NodeService catalogServiceIn(JsonIn s) {
        String name = s.string("Service", "");
        if (name.isEmpty()) {
            throw HttpError.badRequest("Must provide service name with Service.Service");
        }
        return new NodeService(s.string("ID", ""), name, s.strings("Tags").orElse(List.of()),
                s.string("Address", ""), s.stringMap("Meta"), (int) s.integer("Port", 0, 65535).orElse(0L).longValue(),
                weightsIn(s), s.bool("EnableTagOverride").orElse(false), 0, 0);
    }

    static NodeService.Weights weightsIn(JsonIn s) {
        return s.object("Weights").map(w -> new NodeService.Weights(
                (int) w.integer("Passing", 0, Integer.MAX_VALUE).orElse(1L).longValue(),
                (int) w.integer("Warning", 0, Integer.MAX_VALUE).orElse(1L).longValue()))
                .orElse(NodeService.Weights.DEFAULT);
    }

    /** A check object of a catalog registration; status defaults to critical, as a new check in Consul. */
    static HealthCheck checkIn(JsonIn c, String nodeName) {
        String node = c.string("Node", "");
        if (!node.isEmpty() && !node.equals(nodeName)) {
            throw HttpError.badRequest("check node '" + ApiSupport.abbreviate(node) + "' does not match the node '"
                    + ApiSupport.abbreviate(nodeName) + "' being registered");
        }
        String id = c.string("CheckID", c.string("ID", ""));
        String name = c.string("Name", "");
        if (id.isEmpty()) {
            id = name;
        }
        if (id.isEmpty()) {
            throw HttpError.badRequest("Must provide a CheckID or Name for " + (c.path().isEmpty() ? "the check"
                    : c.path()));
        }
        return new HealthCheck(nodeName, id, name, status(c.string("Status", "")), c.string("Notes", ""),
                c.string("Output", ""), c.string("ServiceID", ""), "", List.of(), c.string("Type", ""), 0, 0);
    }

    static HealthStatus status(String s) {
        if (s.isEmpty()) {
            return HealthStatus.CRITICAL;
        }
        try {
            return HealthStatus.fromWire(s);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        }
    }
}

package io.tribune.http.internal;

import io.tribune.agent.local.CheckDefinitions;
import io.tribune.agent.local.JsonIn;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Coordinates;
import io.tribune.agent.rpc.Health;
import io.tribune.agent.rpc.NearSort;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.state.Coordinate;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.NodeServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * {@code /v1/catalog/*} and {@code /v1/health/*}: register and deregister, datacenters, nodes,
 * services, the instances of a service and the services of a node; the checks of a node, of a
 * service and in a state, and the instances of a service with their checks. Discovery reads follow
 * the agent's {@code discovery_max_stale}. {@code ?near=<node>} (or {@code _agent}, this agent) sorts
 * catalog nodes, the instances of a service and the healthy instances of a service by estimated round
 * trip from that node ({@link NearSort}), with the coordinates of the datacenter that answered.
 */
final class CatalogRoutes {
    private final Requests requests;
    private final String datacenter;
    private final Duration discoveryMaxStale;
    private final String agentNode;

    CatalogRoutes(Requests requests, String datacenter, Duration discoveryMaxStale, String agentNode) {
        this.requests = requests;
        this.datacenter = datacenter;
        this.discoveryMaxStale = discoveryMaxStale;
        this.agentNode = agentNode;
    }

    /**
     * A read whose list answer is sorted by {@code ?near=} when given: after the read, the coordinates
     * of the same datacenter are read (never blocking, with the same consistency) and the list sorted.
     * Without coordinates (or when that second read fails) the order is the read's own. The headers
     * are those of the first read, which is the one a blocking query waits on.
     */
    private <T> CompletableFuture<HttpResponse> readNear(HttpRequest req, Op<List<T>> op, Options options,
                                                         Function<T, String> nodeOf,
                                                         Function<List<T>, HttpResponse> render) {
        List<String> near = req.query().getOrDefault("near", List.of());
        if (near.isEmpty() || near.get(0).isEmpty()) {
            return Calls.read(requests, op, options, render);
        }
        String origin = near.get(0).equals("_agent") ? agentNode : Params.segment(near.get(0), "near node");
        Options coordinateRead = new Options(options.datacenter(), options.token(), options.consistency(),
                options.maxStale(), 0, Duration.ZERO, false);
        return requests.call(op, options).thenCompose(r -> requests.call(new Coordinates.Nodes(), coordinateRead)
                .handle((cs, e) -> {
                    Function<String, Optional<Coordinate>> lookup = e == null ? NearSort.lookup(cs.value())
                            : n -> Optional.empty();
                    List<T> sorted = NearSort.sort(r.value(), nodeOf, origin, lookup);
                    return Calls.queryHeaders(render.apply(sorted), r.meta(), options.cached());
                }));
    }

    private Options discovery(HttpRequest req) {
        Params.method(req, "GET");
        return Params.discovery(req, discoveryMaxStale);
    }

    CompletableFuture<HttpResponse> catalog(HttpRequest req, String rest) {
        if (rest.equals("register")) {
            return register(req);
        }
        if (rest.equals("deregister")) {
            return deregister(req);
        }
        if (rest.equals("datacenters")) {
            return Calls.read(requests, new Catalog.Datacenters(), discovery(req), v -> Json.ok(v, req));
        }
        if (rest.equals("nodes")) {
            Map<String, String> meta = Params.nodeMeta(req);
            return readNear(req, new Catalog.Nodes(meta), discovery(req), Node::node, nodes -> {
                List<Object> out = new ArrayList<>();
                nodes.forEach(n -> out.add(ConsulJson.node(n, datacenter)));
                return Json.ok(out, req);
            });
        }
        if (rest.equals("services")) {
            Map<String, String> meta = Params.nodeMeta(req);
            return Calls.read(requests, new Catalog.Services(meta), discovery(req), m -> Json.ok(m, req));
        }
        if (rest.startsWith("service/")) {
            String name = Params.segment(rest.substring("service/".length()), "service name");
            return readNear(req, new Catalog.ServiceNodes(name, Params.tags(req), Params.nodeMeta(req)),
                    discovery(req), i -> i.node().node(), list -> {
                        List<Object> out = new ArrayList<>();
                        list.forEach(i -> out.add(ConsulJson.catalogService(i, datacenter)));
                        return Json.ok(out, req);
                    });
        }
        if (rest.startsWith("node/")) {
            String name = Params.segment(rest.substring("node/".length()), "node name");
            return Calls.read(requests, new Catalog.ServicesOfNode(name), discovery(req),
                    ns -> Json.ok(ns.map(this::nodeServices).orElse(null), req));
        }
        throw HttpError.notFound("no API at " + req.path());
    }

    private Map<String, Object> nodeServices(NodeServices ns) {
        Map<String, Object> services = new LinkedHashMap<>();
        for (NodeService s : ns.services()) {
            services.put(s.id(), ConsulJson.service(s, true));
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("Node", ConsulJson.node(ns.node(), datacenter));
        o.put("Services", services);
        return o;
    }

    /** Options of a catalog write: its {@code Datacenter} field routes it, as {@code ?dc} does. */
    private static Options writeOptions(HttpRequest req, JsonIn in) {
        Options o = Params.write(req);
        String dc = in.string("Datacenter", "");
        return dc.isEmpty() ? o : o.withDatacenter(dc);
    }

    private CompletableFuture<HttpResponse> register(HttpRequest req) {
        Params.method(req, "PUT", "POST");
        JsonIn in = JsonIn.body(req.body(), false);
        String nodeName = in.string("Node", "");
        if (nodeName.isEmpty()) {
            throw HttpError.badRequest("Must provide node");
        }
        Node node = new Node(in.string("ID", ""), nodeName, in.string("Address", ""), "",
                in.stringMap("TaggedAddresses"), in.stringMap("NodeMeta"), 0, 0);
        Optional<NodeService> service = in.object("Service").map(CatalogRoutes::serviceIn);
        List<HealthCheck> checks = new ArrayList<>();
        in.object("Check").ifPresent(c -> checks.add(checkIn(c, nodeName)));
        in.objects("Checks").forEach(c -> checks.add(checkIn(c, nodeName)));
        boolean skip = in.bool("SkipNodeUpdate").orElse(false);
        return Calls.value(requests, new Catalog.Register(node, service, checks, skip), writeOptions(req, in))
                .thenApply(b -> Json.ok(true, req));
    }

    private CompletableFuture<HttpResponse> deregister(HttpRequest req) {
        Params.method(req, "PUT", "POST");
        JsonIn in = JsonIn.body(req.body(), false);
        String nodeName = in.string("Node", "");
        if (nodeName.isEmpty()) {
            throw HttpError.badRequest("Must provide node");
        }
        Optional<String> serviceId = in.string("ServiceID").filter(s -> !s.isEmpty());
        Optional<String> checkId = in.string("CheckID").filter(s -> !s.isEmpty());
        return Calls.value(requests, new Catalog.Deregister(nodeName, serviceId, checkId), writeOptions(req, in))
                .thenApply(b -> Json.ok(true, req));
    }

    /** The {@code Service} object of a catalog registration. */
    static NodeService serviceIn(JsonIn s) {
        String name = s.string("Service", "");
        if (name.isEmpty()) {
            throw HttpError.badRequest("Must provide service name with Service.Service");
        }
        return new NodeService(s.string("ID", ""), name, s.strings("Tags").orElse(List.of()),
                s.string("Address", ""), s.stringMap("Meta"), (int) s.integer("Port", 0, 65535).orElse(0L).longValue(),
                CheckDefinitions.weights(s), s.bool("EnableTagOverride").orElse(false), 0, 0);
    }

    /** A check object of a catalog registration; status defaults to critical, as a new check in Consul. */
    static HealthCheck checkIn(JsonIn c, String nodeName) {
        String node = c.string("Node", "");
        if (!node.isEmpty() && !node.equals(nodeName)) {
            throw HttpError.badRequest("check node '" + Params.abbreviate(node) + "' does not match the node '"
                    + Params.abbreviate(nodeName) + "' being registered");
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
        return new HealthCheck(nodeName, id, name, CheckDefinitions.status(c.string("Status", "")),
                c.string("Notes", ""), c.string("Output", ""), c.string("ServiceID", ""), "", List.of(),
                c.string("Type", ""), 0, 0);
    }

    // ---------------------------------------------------------------- health

    CompletableFuture<HttpResponse> health(HttpRequest req, String rest) {
        if (rest.startsWith("node/")) {
            String node = Params.segment(rest.substring("node/".length()), "node name");
            return Calls.read(requests, new Health.NodeChecks(node), discovery(req),
                    v -> Json.ok(ConsulJson.checks(v), req));
        }
        if (rest.startsWith("checks/")) {
            String service = Params.segment(rest.substring("checks/".length()), "service name");
            return Calls.read(requests, new Health.ServiceChecks(service, Params.nodeMeta(req)), discovery(req),
                    v -> Json.ok(ConsulJson.checks(v), req));
        }
        if (rest.startsWith("state/")) {
            String s = Params.segment(rest.substring("state/".length()), "check state");
            Optional<HealthStatus> status;
            if (s.equals("any")) {
                status = Optional.empty();
            } else {
                try {
                    status = Optional.of(HealthStatus.fromWire(s));
                } catch (IllegalArgumentException e) {
                    throw HttpError.badRequest("Bad check state '" + Params.abbreviate(s)
                            + "': expected any, passing, warning or critical");
                }
            }
            return Calls.read(requests, new Health.ChecksInState(status, Params.nodeMeta(req)), discovery(req),
                    v -> Json.ok(ConsulJson.checks(v), req));
        }
        if (rest.startsWith("service/")) {
            String service = Params.segment(rest.substring("service/".length()), "service name");
            Health.ServiceNodes op = new Health.ServiceNodes(service, Params.tags(req), Params.flag(req, "passing"),
                    Params.nodeMeta(req));
            return readNear(req, op, discovery(req), h -> h.node().node(), list -> {
                List<Object> out = new ArrayList<>();
                list.forEach(h -> out.add(ConsulJson.serviceHealth(h, datacenter)));
                return Json.ok(out, req);
            });
        }
        throw HttpError.notFound("no API at " + req.path());
    }
}

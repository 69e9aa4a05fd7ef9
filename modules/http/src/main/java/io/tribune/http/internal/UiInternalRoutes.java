package io.tribune.http.internal;

import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Health;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Response;
import io.tribune.state.HealthCheck;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.NodeServices;
import io.tribune.state.ServiceHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The endpoints Consul's web UI reads, in Consul 1.x shapes: {@code /v1/internal/ui/services} (per
 * service: {@code Name, Datacenter, Tags, Nodes, InstanceCount, ChecksPassing, ChecksWarning,
 * ChecksCritical}), {@code /v1/internal/ui/nodes} (per node: the node's fields with its
 * {@code Services} and {@code Checks}) and {@code /v1/internal/ui/node/<node>} (one such node, 404
 * when unknown). {@code ?dc=}, the consistency modes, tokens and {@code discovery_max_stale} apply as
 * to the catalog reads.
 *
 * <p>Each answer is assembled from several reads of the request layer (the catalog's services, each
 * service's instances with their checks, the nodes, the checks), each authorized and filtered there
 * as the catalog endpoints are, so a token sees only the services and nodes it may read. The reads
 * are not one snapshot: a change between them may show in one part and not yet in another, which
 * the next read mends; {@code X-Consul-Index} is the highest index of the parts.
 *
 * <p>Blocking queries ({@code ?index=}): the wait happens before the parts are read, on the tables
 * that change what is shown (services and checks; for the node list also nodes), each watched by a
 * blocking read with the caller's index and wait; the first that returns ends the wait. The other
 * waits stay registered until a change or their own timeout, as an abandoned blocking query does.
 */
final class UiInternalRoutes {
    /** Most services (and nodes) one summary reads in detail: each is a read of the request layer. */
    static final int MAX_ITEMS = 10_000;
    /** Reads in flight at once while assembling a summary, so one page view cannot flood the servers. */
    private static final int BATCH = 16;

    private final Requests requests;
    private final String datacenter;
    private final Duration discoveryMaxStale;

    UiInternalRoutes(Requests requests, String datacenter, Duration discoveryMaxStale) {
        this.requests = requests;
        this.datacenter = datacenter;
        this.discoveryMaxStale = discoveryMaxStale;
    }

    CompletableFuture<HttpResponse> ui(HttpRequest req, String rest) {
        Params.method(req, "GET");
        Options options = Params.discovery(req, discoveryMaxStale);
        String dc = options.datacenter().isEmpty() ? datacenter : options.datacenter();
        if (rest.equals("services")) {
            return services(req, options, dc);
        }
        if (rest.equals("nodes")) {
            return nodes(req, options, dc);
        }
        if (rest.startsWith("node/")) {
            return node(req, options, dc, Params.segment(rest.substring("node/".length()), "node name"));
        }
        throw HttpError.notFound("no API at " + req.path());
    }

    // ---------------------------------------------------------------- the endpoints

    private CompletableFuture<HttpResponse> services(HttpRequest req, Options options, String dc) {
        Map<String, String> meta = Params.nodeMeta(req);
        Options now = nonBlocking(options);
        Parts parts = new Parts();
        return gate(options, List.of(new Catalog.Services(meta), new Health.ChecksInState(Optional.empty(), meta)))
                .thenCompose(x -> instances(meta, now, parts))
                .thenApply(byService -> {
                    List<Object> out = new ArrayList<>();
                    byService.forEach((name, instances) -> out.add(summary(name, instances, dc)));
                    return parts.headers(Json.ok(out, req), options);
                });
    }

    private CompletableFuture<HttpResponse> nodes(HttpRequest req, Options options, String dc) {
        Map<String, String> meta = Params.nodeMeta(req);
        Options now = nonBlocking(options);
        Parts parts = new Parts();
        Health.ChecksInState allChecks = new Health.ChecksInState(Optional.empty(), meta);
        return gate(options, List.of(new Catalog.Nodes(meta), new Catalog.Services(meta), allChecks))
                .thenCompose(x -> parts.call(new Catalog.Nodes(meta), now))
                .thenCompose(nodes -> parts.call(allChecks, now)
                        .thenCompose(checks -> instances(meta, now, parts).thenApply(byService -> {
                            Map<String, List<NodeService>> servicesOf = new LinkedHashMap<>();
                            byService.values().forEach(list -> list.forEach(h -> servicesOf
                                    .computeIfAbsent(h.node().node(), k -> new ArrayList<>()).add(h.service())));
                            Map<String, List<HealthCheck>> checksOf = new LinkedHashMap<>();
                            checks.forEach(c -> checksOf.computeIfAbsent(c.node(), k -> new ArrayList<>()).add(c));
                            List<Object> out = new ArrayList<>();
                            for (Node n : nodes) {
                                out.add(nodeInfo(n, servicesOf.getOrDefault(n.node(), List.of()),
                                        checksOf.getOrDefault(n.node(), List.of()), dc));
                            }
                            return parts.headers(Json.ok(out, req), options);
                        })));
    }

    private CompletableFuture<HttpResponse> node(HttpRequest req, Options options, String dc, String name) {
        Parts parts = new Parts();
        // Both reads watch the node (its record, services and checks): block on the first only.
        return parts.call(new Catalog.ServicesOfNode(name), options).thenCompose(ns -> {
            if (ns.isEmpty()) {
                throw HttpError.notFound("Node not found");
            }
            return parts.call(new Health.NodeChecks(name), nonBlocking(options)).thenApply(checks ->
                    parts.headers(Json.ok(nodeInfo(ns.get().node(), ns.get().services(), checks, dc), req), options));
        });
    }

    // ---------------------------------------------------------------- shapes

    /** Consul's {@code ServiceSummary}: node checks count once for each instance on the node, as in Consul. */
    static Map<String, Object> summary(String name, List<ServiceHealth> instances, String dc) {
        Set<String> tags = new LinkedHashSet<>();
        Set<String> nodes = new LinkedHashSet<>();
        Set<String> sources = new LinkedHashSet<>();
        int passing = 0;
        int warning = 0;
        int critical = 0;
        for (ServiceHealth h : instances) {
            tags.addAll(h.service().tags());
            nodes.add(h.node().node());
            String source = h.service().meta().getOrDefault("external-source", "");
            if (!source.isEmpty()) {
                sources.add(source);
            }
            for (HealthCheck c : h.checks()) {
                switch (c.status()) {
                    case PASSING -> passing++;
                    case WARNING -> warning++;
                    case CRITICAL -> critical++;
                }
            }
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("Name", name);
        o.put("Datacenter", dc);
        o.put("Tags", List.copyOf(tags));
        o.put("Nodes", List.copyOf(nodes));
        o.put("InstanceCount", instances.size());
        o.put("ChecksPassing", passing);
        o.put("ChecksWarning", warning);
        o.put("ChecksCritical", critical);
        if (!sources.isEmpty()) {
            o.put("ExternalSources", List.copyOf(sources));
        }
        return o;
    }

    /** Consul's {@code NodeInfo}: the catalog node's fields (without its indexes), its services and its checks. */
    static Map<String, Object> nodeInfo(Node n, List<NodeService> services, List<HealthCheck> checks, String dc) {
        Map<String, Object> o = ConsulJson.node(n, dc);
        o.remove("CreateIndex");
        o.remove("ModifyIndex");
        List<Object> svcs = new ArrayList<>(services.size());
        services.forEach(s -> svcs.add(ConsulJson.service(s, true)));
        o.put("Services", svcs);
        o.put("Checks", ConsulJson.checks(checks));
        return o;
    }

    // ---------------------------------------------------------------- reading in parts

    /** Every service's instances with their checks, by service name in the catalog's order. */
    private CompletableFuture<Map<String, List<ServiceHealth>>> instances(Map<String, String> meta, Options now,
                                                                          Parts parts) {
        return parts.call(new Catalog.Services(meta), now).thenCompose(services -> {
            List<String> names = List.copyOf(services.keySet());
            if (names.size() > MAX_ITEMS) {
                throw HttpError.badRequest("more than " + MAX_ITEMS + " services: too many for the UI summary; "
                        + "use /v1/catalog/services");
            }
            Map<String, List<ServiceHealth>> out = new LinkedHashMap<>();
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int i = 0; i < names.size(); i += BATCH) {
                List<String> batch = names.subList(i, Math.min(names.size(), i + BATCH));
                chain = chain.thenCompose(x -> {
                    List<CompletableFuture<List<ServiceHealth>>> reads = new ArrayList<>();
                    for (String name : batch) {
                        reads.add(parts.call(new Health.ServiceNodes(name, List.of(), false, meta), now));
                    }
                    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenRun(() -> {
                        for (int j = 0; j < batch.size(); j++) {
                            // A service deregistered between the two reads has no instances left: leave it out.
                            List<ServiceHealth> list = reads.get(j).join();
                            if (!list.isEmpty()) {
                                out.put(batch.get(j), list);
                            }
                        }
                    });
                });
            }
            return chain.thenApply(x -> out);
        });
    }

    /**
     * Waits, for a blocking query, until one of {@code watches} (each read with the caller's index
     * and wait) answers; at once otherwise.
     */
    private CompletableFuture<Void> gate(Options options, List<Op<?>> watches) {
        if (!options.isBlocking()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<?>[] waits = new CompletableFuture<?>[watches.size()];
        for (int i = 0; i < waits.length; i++) {
            waits[i] = requests.call(watches.get(i), options);
        }
        return CompletableFuture.anyOf(waits).thenApply(x -> null);
    }

    private static Options nonBlocking(Options o) {
        return new Options(o.datacenter(), o.token(), o.consistency(), o.maxStale(), 0, Duration.ZERO, false);
    }

    /** The metas of the reads of one answer, combined into its query headers. */
    private final class Parts {
        private final List<Response.Meta> metas = new ArrayList<>();

        <R> CompletableFuture<R> call(Op<R> op, Options options) {
            return requests.call(op, options).thenApply(r -> {
                synchronized (metas) {
                    metas.add(r.meta());
                }
                return r.value();
            });
        }

        /**
         * Consul's query headers over all parts: the highest index and last contact; a leader known
         * only when every part knew one; the consistency of the first part (all were read alike).
         */
        HttpResponse headers(HttpResponse r, Options options) {
            synchronized (metas) {
                long index = 0;
                boolean leader = !metas.isEmpty();
                Duration contact = Duration.ZERO;
                for (Response.Meta m : metas) {
                    index = Math.max(index, m.index());
                    leader &= m.knownLeader();
                    contact = m.lastContact().compareTo(contact) > 0 ? m.lastContact() : contact;
                }
                Response.Meta first = metas.isEmpty() ? Response.Meta.NONE : metas.get(0);
                Response.Meta combined = new Response.Meta(index, leader, contact, first.servedAs(), false,
                        Duration.ZERO);
                return Calls.queryHeaders(r, combined, false);
            }
        }
    }
}

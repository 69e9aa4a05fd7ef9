package io.tribune.agent.api;

import io.tribune.agent.Agent;
import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Indexed;
import io.tribune.state.Node;
import io.tribune.state.ServiceHealth;
import io.tribune.state.StateStore;
import io.tribune.state.Table;
import io.tribune.state.WatchTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/health/*}: the checks of a node, of a service, in a state, and the instances of a
 * service with their node and checks ({@code ?tag}, {@code ?passing}, {@code ?node-meta}).
 */
final class HealthApi {
    private final Agent agent;

    HealthApi(Agent agent) {
        this.agent = agent;
    }

    CompletableFuture<HttpResponse> handle(HttpRequest req, String rest) {
        String dc = agent.config().datacenter();
        if (rest.startsWith("node/")) {
            String node = ApiSupport.segment(rest.substring("node/".length()), "node name");
            return ApiSupport.read(req, agent, new WatchTarget.Node(node), () -> ApiSupport.state(agent).nodeChecks(node),
                    ConsulJson::checks);
        }
        if (rest.startsWith("checks/")) {
            String service = ApiSupport.segment(rest.substring("checks/".length()), "service name");
            Map<String, String> meta = ApiSupport.nodeMeta(req);
            return ApiSupport.read(req, agent, new WatchTarget.Service(service),
                    () -> withNodeMeta(ApiSupport.state(agent).serviceChecks(service), meta), ConsulJson::checks);
        }
        if (rest.startsWith("state/")) {
            String s = ApiSupport.segment(rest.substring("state/".length()), "check state");
            Optional<HealthStatus> status;
            if (s.equals("any")) {
                status = Optional.empty();
            } else {
                try {
                    status = Optional.of(HealthStatus.fromWire(s));
                } catch (IllegalArgumentException e) {
                    throw HttpError.badRequest("Bad check state '" + ApiSupport.abbreviate(s)
                            + "': expected any, passing, warning or critical");
                }
            }
            Map<String, String> meta = ApiSupport.nodeMeta(req);
            return ApiSupport.read(req, agent, WatchTarget.table(Table.CHECKS),
                    () -> withNodeMeta(ApiSupport.state(agent).checksInState(status), meta), ConsulJson::checks);
        }
        if (rest.startsWith("service/")) {
            String service = ApiSupport.segment(rest.substring("service/".length()), "service name");
            Map<String, String> meta = ApiSupport.nodeMeta(req);
            List<String> tags = ApiSupport.tags(req);
            boolean passing = ApiSupport.flag(req, "passing");
            return ApiSupport.read(req, agent, new WatchTarget.Service(service), () -> {
                Indexed<List<ServiceHealth>> r = ApiSupport.state(agent).serviceHealth(service,
                        tags.isEmpty() ? null : tags.get(0), passing, meta);
                if (tags.size() <= 1) {
                    return r;
                }
                List<ServiceHealth> out = new ArrayList<>();
                r.value().stream().filter(h -> h.service().tags().containsAll(tags)).forEach(out::add);
                return new Indexed<>(r.index(), out);
            }, list -> {
                List<Object> out = new ArrayList<>();
                list.forEach(h -> out.add(ConsulJson.serviceHealth(h, dc)));
                return out;
            });
        }
        throw HttpError.notFound("no API at " + req.path());
    }

    /** Keeps the checks whose node's meta contains every pair of {@code meta}. */
    private Indexed<List<HealthCheck>> withNodeMeta(Indexed<List<HealthCheck>> r, Map<String, String> meta) {
        if (meta.isEmpty()) {
            return r;
        }
        StateStore state = ApiSupport.state(agent);
        List<HealthCheck> out = new ArrayList<>();
        for (HealthCheck c : r.value()) {
            Optional<Node> n = state.node(c.node()).value();
            if (n.isPresent() && n.get().matchesMeta(meta)) {
                out.add(c);
            }
        }
        return new Indexed<>(r.index(), out);
    }
}

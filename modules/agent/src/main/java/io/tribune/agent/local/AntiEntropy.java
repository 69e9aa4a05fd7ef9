package io.tribune.agent.local;

import io.tribune.agent.rpc.Catalog;
import io.tribune.state.HealthCheck;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Anti-entropy: the repair that makes the catalog entry of this node match the agent's local
 * state, whatever happened to the catalog behind the agent's back (a {@code /v1/catalog/register}
 * or {@code deregister} by someone else, a lost write, a restored snapshot). Every local change is
 * already written at once; this periodic full comparison catches the rest, as Consul's agent does
 * with its full sync.
 *
 * <p>The comparison itself ({@link #plan}) is a pure function from the two views to the catalog
 * writes that repair the difference, so it is tested with plain values.
 */
final class AntiEntropy {
    /** Default time between full syncs, Consul's: 1 min. */
    static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    /** Cluster size up to which the interval is not scaled (Consul's threshold). */
    static final int SCALE_THRESHOLD = 128;

    private AntiEntropy() {
    }

    /**
     * The interval between full syncs for a cluster of {@code nodes} agents: unchanged up to 128
     * nodes, then one more interval for every doubling beyond (128 to 256: x2, to 512: x3, ...),
     * so that the servers' load from anti-entropy grows with log n rather than n, as Consul scales it.
     */
    static Duration scaled(Duration interval, int nodes) {
        // Integer doublings rather than Math.log, so exact powers of two do not round up.
        long multiplier = 1;
        for (long size = SCALE_THRESHOLD; nodes > size; size *= 2) {
            multiplier++;
        }
        return interval.multipliedBy(multiplier);
    }

    /**
     * The delay before the next full sync: the scaled interval plus up to a quarter of it, by
     * {@code fraction} in [0, 1), so that agents started together do not sync in step.
     */
    static Duration nextDelay(Duration interval, int nodes, double fraction) {
        Duration s = scaled(interval, nodes);
        return s.plus(CheckThresholds.initialDelay(s.dividedBy(4), fraction));
    }

    /**
     * This node as the catalog holds it.
     *
     * @param node     the node entry; empty when the node is not in the catalog
     * @param services its services
     * @param checks   its checks
     */
    record CatalogView(Optional<Node> node, List<NodeService> services, List<HealthCheck> checks) {
    }

    /** Service and check ids the agent never owns in local state and so never removes. */
    static boolean reserved(String serviceId, String checkId) {
        return HealthCheck.SERF_HEALTH.equals(checkId) || "consul".equals(serviceId);
    }

    /**
     * The catalog writes (request-layer operations) that turn {@code catalog} (this node as the catalog holds it) into the
     * local state: register the node when it is missing or its address, tagged addresses or id
     * differ from {@code node}; register every local service or check that is missing or differs; deregister every
     * catalog service or check this agent does not have, except the agent's own {@code serfHealth}
     * check and, on a server, the {@code consul} service. Order: node, services, checks, then removals
     * (checks of a removed service go with it).
     */
    static List<io.tribune.agent.rpc.Op.Write<Boolean>> plan(Node node, List<NodeService> localServices,
                                                              List<HealthCheck> localChecks, CatalogView catalog) {
        List<io.tribune.agent.rpc.Op.Write<Boolean>> out = new ArrayList<>();
        if (catalog.node().isEmpty() || !catalog.node().get().sameContent(node)) {
            out.add(new Catalog.Register(node, Optional.empty(), List.of(), false));
        }
        Map<String, NodeService> catSvc = new LinkedHashMap<>();
        catalog.services().forEach(s -> catSvc.put(s.id(), s));
        Map<String, HealthCheck> catChk = new LinkedHashMap<>();
        catalog.checks().forEach(c -> catChk.put(c.checkId(), c));
        Set<String> localSvcIds = new LinkedHashSet<>();
        for (NodeService s : localServices) {
            localSvcIds.add(s.id());
            NodeService c = catSvc.get(s.id());
            if (c == null || !c.sameContent(s)) {
                out.add(new Catalog.Register(node, Optional.of(s), List.of(), false));
            }
        }
        Set<String> localChkIds = new LinkedHashSet<>();
        for (HealthCheck h : localChecks) {
            localChkIds.add(h.checkId());
            HealthCheck c = catChk.get(h.checkId());
            if (c == null || !bare(c).sameContent(bare(h))) {
                out.add(new Catalog.Register(node, Optional.empty(), List.of(h), false));
            }
        }
        Set<String> removedSvc = new LinkedHashSet<>();
        for (NodeService c : catSvc.values()) {
            if (!localSvcIds.contains(c.id()) && !reserved(c.id(), "")) {
                removedSvc.add(c.id());
                out.add(new Catalog.Deregister(node.node(), Optional.of(c.id()), Optional.empty()));
            }
        }
        for (HealthCheck c : catChk.values()) {
            if (!localChkIds.contains(c.checkId()) && !reserved("", c.checkId())
                    && !removedSvc.contains(c.serviceId())) {
                out.add(new Catalog.Deregister(node.node(), Optional.empty(), Optional.of(c.checkId())));
            }
        }
        return out;
    }

    /** A check without what the catalog derives (service name and tags) or stamps (indexes). */
    private static HealthCheck bare(HealthCheck c) {
        return c.withService("", List.of()).withIndexes(0, 0);
    }
}

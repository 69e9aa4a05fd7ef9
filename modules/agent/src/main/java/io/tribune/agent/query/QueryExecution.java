package io.tribune.agent.query;

import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.PreparedQuery;
import io.tribune.state.ServiceHealth;
import io.tribune.state.StateStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The rules of executing a prepared query, as pure functions (Consul 1.4's
 * {@code prepared_query_endpoint.go}): which instances qualify, in which order they are answered,
 * and which datacenters a failover tries. Stateless and thread-safe; randomness is handed in.
 */
public final class QueryExecution {

    /**
     * Orders the instances of one datacenter by network distance from a node. THE call point of
     * the near-sorter: {@link #order} shuffles first (Consul balances load that way) and then hands
     * the list to this sorter when the query or the caller names a node to sort near. The agent
     * uses {@link #byCoordinates}; {@link #KEEP} keeps the shuffled order, which is also what
     * {@code byCoordinates} answers when the node sorted near has no coordinate (as Consul does).
     */
    @FunctionalInterface
    public interface NearSorter {
        /** Keeps the order given: no coordinates known. */
        NearSorter KEEP = (nodes, near) -> nodes;

        /**
         * {@code nodes} sorted by estimated round trip from node {@code near}, nearest first; nodes
         * without a coordinate after the others in their given order; the list as given when
         * {@code near} has no coordinate. Must not block.
         */
        List<ServiceHealth> sort(List<ServiceHealth> nodes, String near);
    }

    private QueryExecution() {
    }

    /**
     * The sorter of one read: nearest first by the LAN coordinates (default segment) that
     * {@code state} holds, with {@link io.tribune.agent.rpc.NearSort#sort}'s rules (nodes without a
     * coordinate last in their shuffled order; no coordinate for {@code near}: the order as given).
     */
    public static NearSorter byCoordinates(StateStore state) {
        java.util.Objects.requireNonNull(state, "state");
        return (nodes, near) -> io.tribune.agent.rpc.NearSort.sort(nodes, h -> h.node().node(), near,
                node -> state.nodeCoordinates(node).value().stream().filter(c -> c.segment().isEmpty()).findFirst());
    }

    /**
     * The instances that qualify, in their given order: none of its checks (node or service) is
     * critical (with {@code onlyPassing}, every check passes), and its tags hold every tag of
     * {@code s.tags()} and none of those written {@code !tag} (tags compared without case and
     * surrounding spaces). Node metadata is filtered by the state read before.
     */
    public static List<ServiceHealth> qualifying(List<ServiceHealth> instances, PreparedQuery.ServiceQuery s) {
        Set<String> must = new HashSet<>();
        Set<String> not = new HashSet<>();
        for (String tag : s.tags()) {
            String t = tag.trim();
            if (t.startsWith("!")) {
                not.add(t.substring(1).trim().toLowerCase(Locale.ROOT));
            } else {
                must.add(t.toLowerCase(Locale.ROOT));
            }
        }
        List<ServiceHealth> out = new ArrayList<>(instances.size());
        for (ServiceHealth h : instances) {
            if (healthy(h, s.onlyPassing()) && tagsMatch(h, must, not)) {
                out.add(h);
            }
        }
        return out;
    }

    private static boolean healthy(ServiceHealth h, boolean onlyPassing) {
        for (HealthCheck c : h.checks()) {
            if (c.status() == HealthStatus.CRITICAL || (onlyPassing && c.status() != HealthStatus.PASSING)) {
                return false;
            }
        }
        return true;
    }

    private static boolean tagsMatch(ServiceHealth h, Set<String> must, Set<String> not) {
        if (must.isEmpty() && not.isEmpty()) {
            return true;
        }
        Set<String> have = new HashSet<>();
        for (String t : h.service().tags()) {
            have.add(t.toLowerCase(Locale.ROOT));
        }
        return have.containsAll(must) && Collections.disjoint(have, not);
    }

    /**
     * The node to sort near: the query's {@code Near} when set, else the caller's {@code ?near=};
     * {@code _agent} names {@code agentNode}; "" when none.
     */
    public static String nearNode(PreparedQuery.ServiceQuery s, String callerNear, String agentNode) {
        String near = s.near().isEmpty() ? callerNear : s.near();
        return "_agent".equals(near) ? agentNode : near;
    }

    /**
     * The answer's order: shuffled with {@code random}, then, when {@code near} is not "", handed
     * to {@code sorter} (the one near-sort call point); then cut to {@code limit} (0: no limit).
     */
    public static List<ServiceHealth> order(List<ServiceHealth> nodes, String near, NearSorter sorter,
                                            RandomGenerator random, int limit) {
        List<ServiceHealth> out = new ArrayList<>(nodes);
        // Fisher-Yates with the handed-in generator (Collections.shuffle wants a java.util.Random).
        for (int i = out.size() - 1; i > 0; i--) {
            Collections.swap(out, i, random.nextInt(i + 1));
        }
        if (!near.isEmpty()) {
            out = new ArrayList<>(sorter.sort(out, near));
        }
        return limit > 0 && out.size() > limit ? List.copyOf(out.subList(0, limit)) : List.copyOf(out);
    }

    /**
     * The datacenters a failover tries, in order (Consul's {@code queryFailover}): the first
     * {@code NearestN} of {@code known} other than {@code here} ({@code known} is the datacenter
     * list in round-trip order, the local one first), then the query's {@code Datacenters} in
     * their order, skipping those already chosen, {@code here}, and those not in {@code known}
     * (no server of them is known, so asking would only fail). Names compare without case.
     */
    public static List<String> failoverTargets(PreparedQuery.Failover f, List<String> known, String here) {
        String local = here.toLowerCase(Locale.ROOT);
        Set<String> knownLower = new HashSet<>();
        for (String dc : known) {
            knownLower.add(dc.toLowerCase(Locale.ROOT));
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String dc : known) {
            if (out.size() >= f.nearestN()) {
                break;
            }
            String d = dc.toLowerCase(Locale.ROOT);
            if (!d.equals(local)) {
                out.add(d);
            }
        }
        for (String dc : f.datacenters()) {
            String d = dc.toLowerCase(Locale.ROOT);
            if (!d.equals(local) && knownLower.contains(d)) {
                out.add(d);
            }
        }
        return List.copyOf(out);
    }
}

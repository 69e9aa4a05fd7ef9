package io.tribune.agent.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.PreparedQuery;
import io.tribune.state.ServiceHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pure rules of executing a prepared query: qualifying instances, order and limit, failover targets. */
class QueryExecutionTest {
    static ServiceHealth instance(String node, List<String> tags, HealthStatus... checks) {
        List<HealthCheck> cs = new ArrayList<>();
        int i = 0;
        for (HealthStatus s : checks) {
            cs.add(new HealthCheck(node, "c" + i++, "c", s, "", "", "", "", List.of(), "ttl", 1, 1));
        }
        return new ServiceHealth(Node.of(node, "10.0.0.1"), new NodeService("web", "web", tags, "", Map.of(), 80,
                new NodeService.Weights(1, 1), false, 1, 1), cs);
    }

    static PreparedQuery.ServiceQuery service(boolean onlyPassing, List<String> tags) {
        return new PreparedQuery.ServiceQuery("web", null, onlyPassing, "", tags, Map.of());
    }

    static List<String> names(List<ServiceHealth> hs) {
        return hs.stream().map(h -> h.node().node()).toList();
    }

    @Test
    void criticalNeverQualifiesAndWarningOnlyWithoutOnlyPassing() {
        List<ServiceHealth> all = List.of(instance("pass", List.of(), HealthStatus.PASSING),
                instance("warn", List.of(), HealthStatus.PASSING, HealthStatus.WARNING),
                instance("crit", List.of(), HealthStatus.WARNING, HealthStatus.CRITICAL),
                instance("none", List.of()));
        assertEquals(List.of("pass", "warn", "none"), names(QueryExecution.qualifying(all, service(false, List.of()))));
        assertEquals(List.of("pass", "none"), names(QueryExecution.qualifying(all, service(true, List.of()))));
    }

    @Test
    void tagsMustAllBePresentAndBangTagsAbsentWithoutCase() {
        List<ServiceHealth> all = List.of(instance("a", List.of("V1", "primary")), instance("b", List.of("v1")),
                instance("c", List.of("v1", "canary")), instance("d", List.of()));
        assertEquals(List.of("a", "b"), names(QueryExecution.qualifying(all, service(false, List.of(" v1 ", "! Canary")))));
        assertEquals(List.of("a"), names(QueryExecution.qualifying(all, service(false, List.of("PRIMARY")))));
        assertEquals(List.of("b", "d"), names(QueryExecution.qualifying(all, service(false, List.of("!primary",
                "!canary")))));
    }

    @Test
    void orderShufflesWithTheGivenRandomSortsOnlyWhenANodeIsNamedAndLimitsAfter() {
        List<ServiceHealth> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            all.add(instance("n" + i, List.of()));
        }
        List<String> a = names(QueryExecution.order(all, "", QueryExecution.NearSorter.KEEP, new SplittableRandom(1), 0));
        List<String> b = names(QueryExecution.order(all, "", QueryExecution.NearSorter.KEEP, new SplittableRandom(1), 0));
        assertEquals(a, b, "the same seed gives the same order");
        assertEquals(names(all), a.stream().sorted().toList(), "a permutation");
        assertNotEquals(names(all), a, "shuffled (this seed moves the list)");
        // The near-sort call point: a sorter is used only with a node to sort near.
        QueryExecution.NearSorter reverse = (nodes, near) -> {
            List<ServiceHealth> r = new ArrayList<>(nodes);
            r.sort((x, y) -> y.node().node().compareTo(x.node().node()));
            return r;
        };
        assertEquals(List.of("n7", "n6", "n5"), names(QueryExecution.order(all, "n0", reverse, new SplittableRandom(2),
                3)));
        assertEquals(a, names(QueryExecution.order(all, "", reverse, new SplittableRandom(1), 0)));
        assertEquals(8, QueryExecution.order(all, "", QueryExecution.NearSorter.KEEP, new SplittableRandom(1), 100)
                .size());
    }

    @Test
    void nearIsTheQuerysElseTheCallersAndAgentMeansThisAgent() {
        PreparedQuery.ServiceQuery none = service(false, List.of());
        PreparedQuery.ServiceQuery own = new PreparedQuery.ServiceQuery("web", null, false, "n9", List.of(), Map.of());
        PreparedQuery.ServiceQuery agent = new PreparedQuery.ServiceQuery("web", null, false, "_agent", List.of(),
                Map.of());
        assertEquals("", QueryExecution.nearNode(none, "", "me"));
        assertEquals("me", QueryExecution.nearNode(none, "_agent", "me"));
        assertEquals("n2", QueryExecution.nearNode(none, "n2", "me"));
        assertEquals("n9", QueryExecution.nearNode(own, "n2", "me"));
        assertEquals("me", QueryExecution.nearNode(agent, "n2", "me"));
    }

    @Test
    void failoverTriesTheNearestNThenTheListedOnesOnceEachSkippingHereAndUnknown() {
        List<String> known = List.of("dc1", "dc3", "dc2", "dc4");
        assertEquals(List.of("dc3", "dc2"), QueryExecution.failoverTargets(new PreparedQuery.Failover(2, List.of()),
                known, "dc1"));
        assertEquals(List.of("dc3", "dc4", "dc2"), QueryExecution.failoverTargets(new PreparedQuery.Failover(1,
                List.of("dc4", "DC3", "dc1", "dc9", "dc2")), known, "dc1"));
        assertEquals(List.of("dc4", "dc2"), QueryExecution.failoverTargets(new PreparedQuery.Failover(0,
                List.of("dc4", "dc2")), known, "dc1"));
        assertEquals(List.of("dc1", "dc2", "dc4"), QueryExecution.failoverTargets(new PreparedQuery.Failover(9,
                List.of()), known, "dc3"), "from dc3: every other one, in the list's order");
        assertEquals(List.of(), QueryExecution.failoverTargets(PreparedQuery.Failover.NONE, known, "dc1"));
    }

    @Test
    void byCoordinatesSortsNearestFirstFromTheStateAndKeepsTheOrderWhenTheOriginHasNone() {
        io.tribune.state.StateStore state = new io.tribune.state.StateStore(Runnable::run);
        long index = 1;
        for (String n : List.of("origin", "far", "near", "mid", "unknown", "lost")) {
            state.apply(index++, new io.tribune.state.Command.Register(Node.of(n, "10.0.0.1"),
                    java.util.Optional.empty(), List.of(), 0));
        }
        // One axis of 8, seconds: near 1 ms from the origin, mid 5 ms, far 20 ms; "unknown" has none.
        Map<String, Double> x = Map.of("origin", 0.0, "near", 0.001, "mid", 0.005, "far", 0.020);
        List<io.tribune.state.Coordinate> cs = new ArrayList<>();
        x.forEach((n, v) -> {
            List<Double> vec = new ArrayList<>(java.util.Collections.nCopies(8, 0.0));
            vec.set(0, v);
            cs.add(new io.tribune.state.Coordinate(n, "", vec, 0.1, 0, 0));
        });
        state.apply(index, new io.tribune.state.Command.CoordinateUpdate(cs));
        List<ServiceHealth> given = List.of(instance("far", List.of()), instance("unknown", List.of()),
                instance("mid", List.of()), instance("near", List.of()));
        QueryExecution.NearSorter sorter = QueryExecution.byCoordinates(state);
        assertEquals(List.of("near", "mid", "far", "unknown"), names(sorter.sort(given, "origin")));
        assertEquals(names(given), names(sorter.sort(given, "lost")), "no coordinate for the origin: order kept");
    }
}

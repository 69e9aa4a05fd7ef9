package io.tribune.agent.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Op;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AntiEntropyPlanTest {
    private static final Node NODE = Node.of("n1", "10.0.0.1");
    private static final NodeService WEB = NodeService.of("web", "web", 80, "v1");
    private static final NodeService DB = NodeService.of("db", "db", 5432);
    private static final HealthCheck WEB_CHECK = HealthCheck.of("n1", "service:web", HealthStatus.PASSING, "web");
    private static final HealthCheck SERF = HealthCheck.of("n1", "serfHealth", HealthStatus.PASSING, "");

    /** The plan as short strings: +node, +svc:id, +chk:id, -svc:id, -chk:id. */
    private static List<String> plan(List<NodeService> ls, List<HealthCheck> lc, Optional<List<NodeService>> cs,
                                     List<HealthCheck> cc) {
        return plan(ls, lc, new AntiEntropy.CatalogView(cs.map(x -> NODE.withIndexes(3, 4)), cs.orElse(List.of()),
                cc));
    }

    private static List<String> plan(List<NodeService> ls, List<HealthCheck> lc, AntiEntropy.CatalogView cat) {
        List<String> out = new ArrayList<>();
        for (Op.Write<Boolean> c : AntiEntropy.plan(NODE, ls, lc, cat)) {
            if (c instanceof Catalog.Register r) {
                out.add(r.service().map(s -> "+svc:" + s.id())
                        .orElse(r.checks().isEmpty() ? "+node" : "+chk:" + r.checks().get(0).checkId()));
            } else if (c instanceof Catalog.Deregister d) {
                out.add(d.serviceId().map(s -> "-svc:" + s).orElseGet(() -> "-chk:" + d.checkId().orElseThrow()));
            }
        }
        return out;
    }

    @Test
    void inSyncMeansNoWrites() {
        // The catalog stamps indexes and the service's name and tags on checks; neither is drift.
        assertEquals(List.of(), plan(List.of(WEB), List.of(WEB_CHECK),
                Optional.of(List.of(WEB.withIndexes(5, 7))),
                List.of(WEB_CHECK.withService("web", List.of("v1")).withIndexes(5, 9), SERF)));
    }

    @Test
    void missingOrChangedEntriesAreRegisteredAgain() {
        NodeService oldWeb = NodeService.of("web", "web", 8080, "v1");
        HealthCheck critical = HealthCheck.of("n1", "service:web", HealthStatus.CRITICAL, "web");
        assertEquals(List.of("+svc:web", "+svc:db", "+chk:service:web"), plan(List.of(WEB, DB), List.of(WEB_CHECK),
                Optional.of(List.of(oldWeb)), List.of(critical, SERF)));
    }

    @Test
    void aMissingNodeIsRegisteredBeforeItsServices() {
        assertEquals(List.of("+node", "+svc:web", "+chk:service:web"),
                plan(List.of(WEB), List.of(WEB_CHECK), Optional.empty(), List.of()));
    }

    @Test
    void aChangedNodeAddressIsRegisteredAgain() {
        assertEquals(List.of("+node"), plan(List.of(WEB), List.of(), new AntiEntropy.CatalogView(
                Optional.of(Node.of("n1", "10.9.9.9")), List.of(WEB), List.of(SERF))));
    }

    @Test
    void foreignEntriesAreRemovedButSerfHealthAndConsulStay() {
        NodeService foreign = NodeService.of("intruder", "intruder", 1);
        HealthCheck foreignOfIntruder = HealthCheck.of("n1", "intruder-check", HealthStatus.PASSING, "intruder");
        HealthCheck foreignNodeCheck = HealthCheck.of("n1", "stray", HealthStatus.CRITICAL, "");
        NodeService consul = NodeService.of("consul", "consul", 8300);
        assertEquals(List.of("-svc:intruder", "-chk:stray"), plan(List.of(), List.of(),
                Optional.of(List.of(foreign, consul)), List.of(SERF, foreignOfIntruder, foreignNodeCheck)));
    }

    @Test
    void syncIntervalScalesWithLogOfClusterSize() {
        Duration m = Duration.ofMinutes(1);
        assertEquals(m, AntiEntropy.scaled(m, 1));
        assertEquals(m, AntiEntropy.scaled(m, 128));
        assertEquals(m.multipliedBy(2), AntiEntropy.scaled(m, 129));
        assertEquals(m.multipliedBy(2), AntiEntropy.scaled(m, 256));
        assertEquals(m.multipliedBy(3), AntiEntropy.scaled(m, 512));
        assertEquals(m.multipliedBy(5), AntiEntropy.scaled(m, 2048));
        // The spread adds at most a quarter of the scaled interval.
        assertEquals(m, AntiEntropy.nextDelay(m, 10, 0));
        Duration most = AntiEntropy.nextDelay(m, 10, 0.9999999999);
        assertTrue(most.compareTo(Duration.ofSeconds(74)) > 0 && most.compareTo(Duration.ofSeconds(75)) < 0, most::toString);
    }
}

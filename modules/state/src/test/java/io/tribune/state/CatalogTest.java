package io.tribune.state;

import static io.tribune.state.Harness.noMeta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CatalogTest {
    private final Harness h = new Harness();

    private void register(String node, Map<String, String> meta, NodeService svc, HealthCheck... checks) {
        Node n = new Node("", node, "10.0.0." + node.length(), "dc1", Map.of(), meta, 0, 0);
        Harness.ok(h.run(new Command.Register(n, Optional.ofNullable(svc), List.of(checks), 0)));
    }

    @Test
    void registerCreatesNodeServiceAndChecksWithIndexes() {
        register("n1", Map.of("rack", "r1"), NodeService.of("web1", "web", 80, "v1"),
                HealthCheck.of("n1", "svc:web1", HealthStatus.PASSING, "web1"));
        Node n = h.store.node("n1").value().orElseThrow();
        assertEquals(1, n.createIndex());
        NodeServices ns = h.store.nodeServices("n1").value().orElseThrow();
        assertEquals(List.of("web1"), ns.services().stream().map(NodeService::id).toList());
        HealthCheck c = h.store.nodeChecks("n1").value().get(0);
        assertEquals("web", c.serviceName(), "the store fills in the service name");
        assertEquals(List.of("v1"), c.serviceTags());
        assertEquals(1, h.store.tableIndex(Table.NODES));
        assertEquals(1, h.store.tableIndex(Table.SERVICES));
        assertEquals(1, h.store.tableIndex(Table.CHECKS));
    }

    @Test
    void checkForUnknownServiceFailsTheWholeRegistration() {
        Node n = Node.of("n1", "10.0.0.1");
        CommandResult r = h.run(new Command.Register(n, Optional.empty(),
                List.of(HealthCheck.of("n1", "c", HealthStatus.PASSING, "nope")), 0));
        assertInstanceOf(CommandResult.Failed.class, r);
        assertTrue(h.store.node("n1").value().isEmpty(), "the node is not registered either");
        assertEquals(0, h.store.tableIndex(Table.NODES));
    }

    @Test
    void servicesListsNamesWithTagUnionAndNodeMetaFilter() {
        register("n1", Map.of("env", "prod"), NodeService.of("web1", "web", 80, "a", "b"));
        register("n2", Map.of("env", "dev"), NodeService.of("web2", "web", 80, "c"));
        register("n2", Map.of("env", "dev"), NodeService.of("db1", "db", 5432));
        assertEquals(Map.of("web", List.of("a", "b", "c"), "db", List.of()), h.store.services(noMeta()).value());
        assertEquals(Map.of("web", List.of("a", "b")), h.store.services(Map.of("env", "prod")).value());
        assertEquals(List.of("n1"), h.store.serviceInstances("web", "a", noMeta()).value().stream()
                .map(i -> i.node().node()).toList());
        assertEquals(List.of("n2"), h.store.serviceInstances("web", null, Map.of("env", "dev")).value().stream()
                .map(i -> i.node().node()).toList());
        assertEquals(2, h.store.nodes(noMeta()).value().size());
        assertEquals(1, h.store.nodes(Map.of("env", "dev")).value().size());
    }

    @Test
    void serviceHealthPassingFilterUsesNodeAndServiceChecks() {
        register("n1", Map.of(), NodeService.of("web1", "web", 80),
                HealthCheck.of("n1", "serfHealth", HealthStatus.PASSING, ""),
                HealthCheck.of("n1", "svc", HealthStatus.PASSING, "web1"));
        register("n2", Map.of(), NodeService.of("web2", "web", 80),
                HealthCheck.of("n2", "serfHealth", HealthStatus.CRITICAL, ""),
                HealthCheck.of("n2", "svc", HealthStatus.PASSING, "web2"));
        register("n3", Map.of(), NodeService.of("web3", "web", 80),
                HealthCheck.of("n3", "svc", HealthStatus.WARNING, "web3"));
        List<ServiceHealth> all = h.store.serviceHealth("web", null, false, noMeta()).value();
        assertEquals(3, all.size());
        assertEquals(2, all.get(0).checks().size());
        List<ServiceHealth> passing = h.store.serviceHealth("web", null, true, noMeta()).value();
        assertEquals(List.of("web1"), passing.stream().map(s -> s.service().id()).toList());
        assertEquals(1, h.store.checksInState(Optional.of(HealthStatus.CRITICAL)).value().size());
        assertEquals(5, h.store.checksInState(Optional.empty()).value().size());
        assertEquals(3, h.store.serviceChecks("web").value().size());
    }

    @Test
    void deregisterServiceRemovesItsChecksOnly() {
        register("n1", Map.of(), NodeService.of("web1", "web", 80),
                HealthCheck.of("n1", "serfHealth", HealthStatus.PASSING, ""),
                HealthCheck.of("n1", "svc", HealthStatus.PASSING, "web1"));
        h.run(new Command.Deregister("n1", Optional.of("web1"), Optional.empty(), 0));
        assertTrue(h.store.serviceInstances("web", null, noMeta()).value().isEmpty());
        assertEquals(List.of("serfHealth"), h.store.nodeChecks("n1").value().stream().map(HealthCheck::checkId)
                .toList());
        assertTrue(h.store.services(noMeta()).value().isEmpty());
    }

    @Test
    void deregisterNodeRemovesEverythingAndIndexesStayMonotonic() {
        register("n1", Map.of(), NodeService.of("web1", "web", 80),
                HealthCheck.of("n1", "serfHealth", HealthStatus.PASSING, ""));
        h.run(new Command.CoordinateUpdate(List.of(new Coordinate("n1", "", List.of(0.1, 0.2), 1.5, 0, 0.01))));
        long webBefore = h.store.serviceInstances("web", null, noMeta()).index();
        long nodeBefore = h.store.nodeServices("n1").index();
        h.run(new Command.Deregister("n1", Optional.empty(), Optional.empty(), 0));
        assertTrue(h.store.node("n1").value().isEmpty());
        assertTrue(h.store.nodeChecks("n1").value().isEmpty());
        assertTrue(h.store.coordinates().value().isEmpty());
        assertTrue(h.store.serviceInstances("web", null, noMeta()).index() > webBefore);
        assertTrue(h.store.nodeServices("n1").index() > nodeBefore);
        // Deregistering what is gone is a no-op.
        long idx = h.store.tableIndex(Table.NODES);
        Harness.ok(h.run(new Command.Deregister("n1", Optional.empty(), Optional.empty(), 0)));
        assertEquals(idx, h.store.tableIndex(Table.NODES));
    }

    @Test
    void renamingAServiceMovesItBetweenNames() {
        register("n1", Map.of(), NodeService.of("x1", "old", 80));
        register("n1", Map.of(), NodeService.of("x1", "new", 80));
        assertTrue(h.store.serviceInstances("old", null, noMeta()).value().isEmpty());
        assertEquals(1, h.store.serviceInstances("new", null, noMeta()).value().size());
        assertEquals(Map.of("new", List.of()), h.store.services(noMeta()).value());
    }

    @Test
    void eventsKeepTheLatest256WithRaftIndexAsLtime() {
        for (int i = 0; i < StateStore.MAX_EVENTS + 10; i++) {
            String id = String.format("00000000-0000-0000-0000-%012d", i);
            Harness.ok(h.run(new Command.EventFire(new EventRecord(id, i % 2 == 0 ? "even" : "odd",
                    Harness.bytes("p"), "", "", "", 0))));
        }
        List<EventRecord> all = h.store.events(null).value();
        assertEquals(StateStore.MAX_EVENTS, all.size());
        assertEquals(11, all.get(0).ltime(), "the oldest ten were dropped");
        assertEquals(StateStore.MAX_EVENTS / 2, h.store.events("odd").value().size());
        assertEquals(h.index, h.store.events(null).index());
    }

    @Test
    void coordinatesOfUnknownNodesAreSkipped() {
        h.node("n1");
        CommandResult r = h.run(new Command.CoordinateUpdate(List.of(
                new Coordinate("n1", "", List.of(1.0), 0.5, 0, 0),
                new Coordinate("ghost", "", List.of(1.0), 0.5, 0, 0))));
        assertEquals(new CommandResult.Count(1), r);
        assertEquals(List.of("n1"), h.store.coordinates().value().stream().map(Coordinate::node).toList());
        assertEquals(1, h.store.nodeCoordinates("n1").value().size());
    }

    @Test
    void aNodeIdMayBelongToOneNodeNameOnly() throws java.io.IOException {
        String id = "55555555-5555-5555-5555-555555555555";
        Node a = new Node(id, "a", "10.0.0.1", "dc1", Map.of(), Map.of(), 0, 0);
        Harness.ok(h.run(new Command.Register(a, Optional.empty(), List.of(), 0)));
        Node b = new Node(id.toUpperCase(java.util.Locale.ROOT), "b", "10.0.0.2", "dc1", Map.of(), Map.of(), 0, 0);
        CommandResult r = h.run(new Command.Register(b, Optional.empty(), List.of(), 0));
        assertTrue(((CommandResult.Failed) r).message().contains("aliases existing node \"a\""));
        assertTrue(h.store.node("b").value().isEmpty());
        // Once a is gone (or has another ID), b may take the ID.
        h.run(new Command.Deregister("a", Optional.empty(), Optional.empty(), 0));
        Harness.ok(h.run(new Command.Register(b, Optional.empty(), List.of(), 0)));
        Harness.ok(h.run(new Command.Register(new Node("66666666-6666-6666-6666-666666666666", "b", "10.0.0.2", "dc1",
                Map.of(), Map.of(), 0, 0), Optional.empty(), List.of(), 0)));
        Harness.ok(h.run(new Command.Register(a, Optional.empty(), List.of(), 0)));

        // The ID index is rebuilt on restore.
        StateStore copy = new StateStore(Runnable::run);
        copy.restore(h.index, 1, new java.io.ByteArrayInputStream(SnapshotTest.snapshotBytes(h.store)));
        Node c = new Node(id, "c", "10.0.0.3", "dc1", Map.of(), Map.of(), 0, 0);
        CommandResult again = CommandResult.decode(copy.apply(h.index + 1, 1,
                new Command.Register(c, Optional.empty(), List.of(), 0).encode()));
        assertInstanceOf(CommandResult.Failed.class, again);
    }
}

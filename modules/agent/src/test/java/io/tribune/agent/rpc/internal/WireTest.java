package io.tribune.agent.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Coordinates;
import io.tribune.agent.rpc.Events;
import io.tribune.agent.rpc.Health;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Operator;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Response;
import io.tribune.agent.rpc.Sessions;
import io.tribune.agent.rpc.Snapshots;
import io.tribune.agent.rpc.Status;
import io.tribune.agent.rpc.Txn;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.state.CommandResult;
import io.tribune.state.Coordinate;
import io.tribune.state.EventRecord;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.KvEntry;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.NodeServices;
import io.tribune.state.RequestId;
import io.tribune.state.ServiceHealth;
import io.tribune.state.ServiceInstance;
import io.tribune.state.Session;
import io.tribune.state.SessionBehavior;
import io.tribune.state.TxnOp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The agents' RPC wire: every operation and every answer shape survives the trip unchanged, the
 * method names the operation, and malformed or mismatched calls are refused as bad requests.
 */
class WireTest {
    private static final String SID = "11111111-2222-4333-8444-555555555555";
    private static final Node NODE = new Node("id-1", "n1", "10.0.0.1", "dc1",
            new TreeMap<>(Map.of("lan", "10.0.0.1")), new TreeMap<>(Map.of("rack", "r1")), 3, 4);
    private static final NodeService SVC = new NodeService("web-1", "web", List.of("v1", "v2"), "10.0.0.2",
            new TreeMap<>(Map.of("team", "a")), 8080, new NodeService.Weights(3, 1), true, 5, 6);
    private static final HealthCheck CHECK = new HealthCheck("n1", "c1", "check", HealthStatus.WARNING, "notes",
            "output", "web-1", "web", List.of("v1"), "http", 7, 8);

    /** Every operation that travels, with non-default fields. */
    static List<Op<?>> everyOperation() {
        return List.of(new Kv.Get("a/b"), new Kv.Entries("a/"), new Kv.Keys("a/", "/"),
                new Kv.Set("k", bytes("v"), -1, OptionalLong.of(7)), new Kv.Set("k", bytes(""), 0, OptionalLong.empty()),
                new Kv.Delete("k", OptionalLong.of(0)), new Kv.DeleteTree("p/"), new Kv.Acquire("k", bytes("v"), 2, SID),
                new Kv.Release("k", bytes("v"), 3, SID),
                new Txn.Apply(List.of(new TxnOp(TxnOp.Verb.CAS, "k", bytes("x"), 1, 9, ""))),
                new Catalog.Register(NODE, Optional.of(SVC), List.of(CHECK), true),
                new Catalog.Register(NODE, Optional.empty(), List.of(), false),
                new Catalog.Deregister("n1", Optional.of("web-1"), Optional.empty()),
                new Catalog.Deregister("n1", Optional.empty(), Optional.of("c1")), new Catalog.Datacenters(),
                new Catalog.Nodes(Map.of("rack", "r1")), new Catalog.Services(Map.of()),
                new Catalog.ServiceNodes("web", List.of("v1", "v2"), Map.of("rack", "r1")),
                new Catalog.ServicesOfNode("n1"), new Health.NodeChecks("n1"), new Health.ServiceChecks("web", Map.of()),
                new Health.ChecksInState(Optional.of(HealthStatus.CRITICAL), Map.of("a", "b")),
                new Health.ChecksInState(Optional.empty(), Map.of()),
                new Health.ServiceNodes("web", List.of("v1"), true, Map.of()),
                new Sessions.Create("s", "n1", Duration.ofSeconds(5), SessionBehavior.DELETE, Duration.ofSeconds(30),
                        Optional.of(List.of("serfHealth", "c1"))),
                new Sessions.Create("", "", Duration.ZERO, SessionBehavior.RELEASE, Duration.ZERO, Optional.empty()),
                new Sessions.Create("", "", Duration.ZERO, SessionBehavior.RELEASE, Duration.ZERO,
                        Optional.of(List.of())),
                new Sessions.Destroy(SID), new Sessions.Renew(SID), new Sessions.Info(SID), new Sessions.OfNode("n1"),
                new Sessions.All(), new Events.Fire("deploy", bytes("p"), "n.*", "web", "v1"), new Events.Named("deploy"),
                new Coordinates.Nodes(), new Coordinates.OfNode("n1"),
                new Coordinates.Update(List.of(new Coordinate("n1", "", List.of(0.1, -0.2, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3),
                        1.5, 0.01, 1e-5))), new Coordinates.Wan(),
                new Status.Leader(), new Status.Peers(), new Operator.RaftConfiguration(),
                new Operator.RaftRemovePeer(Optional.of("s2"), Optional.empty()),
                new Operator.RaftRemovePeer(Optional.empty(), Optional.of("10.0.0.3:8300")), new Snapshots.Save(),
                new Snapshots.Restore(bytes("TRIBSNAP...")));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyOperationAndItsOptionsSurviveTheTrip() {
        Options o = new Options("dc2", "tok", ReadConsistency.STALE, Duration.ofSeconds(3), 42, Duration.ofSeconds(20),
                false);
        for (Op<?> op : everyOperation()) {
            Envelope e = new Envelope(op, o, op instanceof Op.Write ? Optional.of(new RequestId(-5, 9))
                    : Optional.empty(), "origin", Envelope.Hop.LEADER);
            Envelope back = Wire.decodeCall(op.opName(), Wire.encodeCall(e));
            assertEquals(e.options(), back.options(), op.opName());
            assertEquals(e.requestId(), back.requestId(), op.opName());
            assertEquals("origin", back.originNode());
            assertEquals(Envelope.Hop.LEADER, back.hop());
            assertEquals(op.getClass(), back.op().getClass());
            // Records with arrays compare by identity: compare their encodings instead.
            assertArrayEquals(Wire.encodeCall(e), Wire.encodeCall(back), op.opName());
            if (!(op instanceof Kv.Set || op instanceof Kv.Acquire || op instanceof Kv.Release || op instanceof Txn.Apply
                    || op instanceof Events.Fire || op instanceof Snapshots.Restore)) {
                assertEquals(op, back.op(), op.opName());
            }
        }
    }

    @Test
    void everyOperationThatTravelsIsAServerMethodAndNoAgentOperationIs() {
        List<String> methods = Wire.methods();
        for (Op<?> op : everyOperation()) {
            assertTrue(methods.contains(op.opName()), op.opName());
        }
        assertEquals(methods.size(), new java.util.HashSet<>(methods).size(), "a method name twice");
        assertTrue(methods.stream().noneMatch(m -> m.startsWith("AgentOps.")), methods.toString());
        assertTrue(!methods.contains(Op.nameOf(Operator.Keyring.class)), "the keyring is an agent operation");
    }

    @Test
    void everyAnswerShapeSurvivesTheTrip() {
        Response.Meta meta = new Response.Meta(12, true, Duration.ofMillis(34), ReadConsistency.CONSISTENT, false,
                Duration.ZERO);
        KvEntry kv = new KvEntry("k", 1, 2, 3, -4, bytes("v"), SID);
        Session session = new Session(SID, "s", "n1", 15_000, SessionBehavior.DELETE, 30_000, List.of("serfHealth"),
                99, 1, 2);
        Map<String, List<String>> services = new LinkedHashMap<>();
        services.put("web", List.of("v1"));
        services.put("api", List.of());
        Object[][] cases = {
            {new Kv.Get("k"), Optional.of(kv)}, {new Kv.Get("k"), Optional.empty()},
            {new Kv.Entries(""), List.of(kv, kv)}, {new Kv.Keys("", ""), List.of("a", "b/")},
            {new Kv.Set("k", bytes(""), 0, OptionalLong.empty()), true},
            {new Kv.Delete("k", OptionalLong.empty()), false},
            {new Txn.Apply(List.of(new TxnOp(TxnOp.Verb.GET, "k", new byte[0], 0, 0, ""))),
                new CommandResult.TxnOutcome(List.of(kv), List.of())},
            {new Txn.Apply(List.of(new TxnOp(TxnOp.Verb.GET, "k", new byte[0], 0, 0, ""))),
                new CommandResult.TxnOutcome(List.of(), List.of(new CommandResult.TxnError(0, "no key")))},
            {new Catalog.Datacenters(), List.of("dc1", "dc2")}, {new Catalog.Nodes(Map.of()), List.of(NODE)},
            {new Catalog.Services(Map.of()), services},
            {new Catalog.ServiceNodes("web", List.of(), Map.of()), List.of(new ServiceInstance(NODE, SVC))},
            {new Catalog.ServicesOfNode("n1"), Optional.of(new NodeServices(NODE, List.of(SVC)))},
            {new Catalog.ServicesOfNode("n1"), Optional.empty()},
            {new Health.NodeChecks("n1"), List.of(CHECK)},
            {new Health.ServiceNodes("web", List.of(), false, Map.of()),
                List.of(new ServiceHealth(NODE, SVC, List.of(CHECK)))},
            {new Sessions.Create("", "", Duration.ZERO, SessionBehavior.RELEASE, Duration.ZERO, Optional.empty()), SID},
            {new Sessions.Renew(SID), Optional.of(session)}, {new Sessions.All(), List.of(session)},
            {new Events.Named(""), List.of(new EventRecord("e1", "deploy", bytes("p"), "", "web", "", 7))},
            {new Coordinates.Nodes(), List.of(new Coordinate("n1", "s", List.of(1.0, 2.0), 0.5, 0.1, 0.01))},
            {new Status.Leader(), "10.0.0.1:8300"}, {new Status.Peers(), List.of("10.0.0.1:8300")},
            {new Operator.RaftConfiguration(), new Operator.RaftServers(List.of(new Operator.RaftServer("s1", "id",
                    "10.0.0.1:8300", true, true), new Operator.RaftServer("s2", "id2", "10.0.0.2:8300", false, false)), 4)},
        };
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            Op<Object> op = (Op<Object>) c[0];
            Response<Object> back = Wire.decodeReply(op, Wire.encodeReply(op, new Response<>(c[1], meta)));
            assertEquals(c[1], back.value(), op.opName());
            assertEquals(meta, back.meta(), op.opName());
        }
        EventRecord event = new EventRecord("e1", "deploy", bytes("p"), "", "", "", 7);
        EventRecord eventBack = Wire.decodeReply(new Events.Fire("deploy", new byte[0], "", "", ""),
                Wire.encodeReply(new Events.Fire("deploy", new byte[0], "", "", ""), new Response<>(event, meta)))
                .value();
        assertEquals(event.id(), eventBack.id());
        assertArrayEquals(event.payload(), eventBack.payload());
        byte[] snapshot = bytes("TRIBSNAP");
        assertArrayEquals(snapshot, Wire.decodeReply(new Snapshots.Save(), Wire.encodeReply(new Snapshots.Save(),
                new Response<>(snapshot, meta))).value());
    }

    @Test
    void errorsKeepTheirKindAndMessage() {
        for (AgentException.Kind k : AgentException.Kind.values()) {
            byte[] bytes = Wire.encodeError(new AgentException(k, "because " + k));
            AgentException e = assertThrows(AgentException.class, () -> Wire.decodeReply(new Kv.Get("k"), bytes));
            assertEquals(k, e.kind());
            assertEquals("because " + k, e.getMessage());
        }
        assertThrows(Router.NotLeaderHere.class, () -> Wire.decodeReply(new Kv.Get("k"),
                Wire.encodeError(new Router.NotLeaderHere())));
        AgentException internal = assertThrows(AgentException.class, () -> Wire.decodeReply(new Kv.Get("k"),
                Wire.encodeError(new IllegalStateException("boom"))));
        assertEquals(AgentException.Kind.INTERNAL, internal.kind());
    }

    @Test
    void malformedCallsMismatchedMethodsAndInvalidFieldsAreBadRequests() {
        byte[] get = Wire.encodeCall(new Envelope(new Kv.Get("k"), Options.DEFAULT, Optional.empty(), "o",
                Envelope.Hop.CLIENT));
        List<Runnable> bad = List.of(
                () -> Wire.decodeCall("Kv.Get", new byte[] {(byte) 0xFF, 0x01}),
                () -> Wire.decodeCall("Kv.Get", new byte[0]),
                () -> Wire.decodeCall("Kv.Set", get),
                // A key longer than allowed, written as a raw KvGet (field 10) with its key (field 1).
                () -> Wire.decodeCall("Kv.Get", rawGet("k".repeat(3000))),
                () -> Wire.decodeCall("Kv.Get", rawGet("")));
        for (Runnable r : bad) {
            AgentException e = assertThrows(AgentException.class, r::run);
            assertEquals(AgentException.Kind.BAD_REQUEST, e.kind(), e.getMessage());
        }
        AgentException garbage = assertThrows(AgentException.class, () -> Wire.decodeReply(new Kv.Get("k"),
                new byte[] {(byte) 0xFF}));
        assertEquals(AgentException.Kind.INTERNAL, garbage.kind());
    }

    private static byte[] rawGet(String key) {
        return io.tribune.agent.rpc.wire.Call.newBuilder().setHeader(io.tribune.agent.rpc.wire.Header.newBuilder())
                .setKvGet(io.tribune.agent.rpc.wire.KvGet.newBuilder().setKey(key)).build().toByteArray();
    }

    @Test
    void theNameOfAnOperationIsItsHolderAndRecord() {
        assertEquals("Kv.Get", new Kv.Get("k").opName());
        assertEquals("Catalog.ServiceNodes", new Catalog.ServiceNodes("web", List.of(), Map.of()).opName());
        assertEquals("Health.ServiceNodes", Op.nameOf(Health.ServiceNodes.class));
        assertInstanceOf(Op.Read.class, new Kv.Get("k"));
    }
}

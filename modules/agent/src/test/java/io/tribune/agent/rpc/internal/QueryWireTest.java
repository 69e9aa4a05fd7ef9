package io.tribune.agent.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Queries;
import io.tribune.agent.rpc.Response;
import io.tribune.agent.rpc.internal.Envelope.Hop;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.PreparedQuery;
import io.tribune.state.QueryTemplate;
import io.tribune.state.ServiceHealth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The prepared-query operations and their answers travel between agents unchanged; bad ones are refused. */
class QueryWireTest {
    static final String ID = "cccccccc-0000-4000-8000-000000000001";
    static final PreparedQuery QUERY = new PreparedQuery(ID, "geo-", "", "tok", new PreparedQuery.Template(
            QueryTemplate.NAME_PREFIX_MATCH, "^geo-(.*)$", true), new PreparedQuery.ServiceQuery("${match(1)}",
            new PreparedQuery.Failover(2, List.of("dc2")), true, "_agent", List.of("a", "!b"), Map.of("rack", "r1")),
            "10s", 3, 4);

    @Test
    void everyTravellingOperationRoundTripsAndExecuteStaysOnTheAgent() {
        List<Op<?>> ops = List.of(new Queries.Create(Queries.withId(QUERY, "")), new Queries.Update(QUERY),
                new Queries.Delete(ID), new Queries.Get(ID), new Queries.All(), new Queries.Explain("geo-x", "seg"),
                new Queries.Run("geo-x", "n1", "", "_agent", 3), new Queries.RunRemote(QUERY, 0));
        for (Op<?> op : ops) {
            Envelope e = new Envelope(op, Options.DEFAULT.withToken("t").withDatacenter("dc2"), Optional.empty(), "n1",
                    Hop.CLIENT);
            Envelope back = Wire.decodeCall(op.opName(), Wire.encodeCall(e));
            assertEquals(op, back.op(), op.opName());
            assertEquals("dc2", back.options().datacenter());
            assertTrue(Wire.methods().contains(op.opName()), op.opName());
        }
        assertFalse(Wire.methods().contains("Queries.Execute"), "execution is run by the agent asked");
    }

    @Test
    void answersRoundTripWithTheirInstances() {
        Node node = new Node("", "n1", "10.0.0.1", "dc2", Map.of("lan", "10.0.0.1"), Map.of("rack", "r1"), 1, 2);
        NodeService svc = new NodeService("web-1", "web", List.of("a"), "", Map.of("v", "1"), 80,
                new NodeService.Weights(1, 1), false, 3, 4);
        HealthCheck check = new HealthCheck("n1", "service:web-1", "c", HealthStatus.WARNING, "", "out", "web-1", "web",
                List.of("a"), "ttl", 5, 6);
        Queries.Result result = new Queries.Result(QUERY.withToken(""), List.of(new ServiceHealth(node, svc,
                List.of(check))), "dc2", 1);
        roundTrip(new Queries.RunRemote(QUERY, 0), result);
        roundTrip(new Queries.Get(ID), Optional.of(QUERY));
        roundTrip(new Queries.Get(ID), Optional.empty());
        roundTrip(new Queries.All(), List.of(QUERY, QUERY));
        roundTrip(new Queries.Create(Queries.withId(QUERY, "")), ID);
        roundTrip(new Queries.Delete(ID), true);
    }

    private static <R> void roundTrip(Op<R> op, R value) {
        Response<R> back = Wire.decodeReply(op, Wire.encodeReply(op, new Response<>(value, Response.Meta.written(9))));
        assertEquals(value, back.value(), op.opName());
        assertEquals(9, back.meta().index());
    }

    @Test
    void malformedQueryCallsAreBadRequests() {
        io.tribune.agent.rpc.wire.Call empty = io.tribune.agent.rpc.wire.Call.newBuilder()
                .setQuery(io.tribune.agent.rpc.wire.QueryCall.newBuilder().setOp("Queries.Get").setJson("{\"id\": \"\"}"))
                .build();
        assertEquals(AgentException.Kind.BAD_REQUEST, assertThrows(AgentException.class,
                () -> Wire.decodeCall("Queries.Get", empty.toByteArray())).kind());
        io.tribune.agent.rpc.wire.Call local = io.tribune.agent.rpc.wire.Call.newBuilder()
                .setQuery(io.tribune.agent.rpc.wire.QueryCall.newBuilder().setOp("Queries.Execute").setJson("{}"))
                .build();
        assertEquals(AgentException.Kind.BAD_REQUEST, assertThrows(AgentException.class,
                () -> Wire.decodeCall("Queries.Execute", local.toByteArray())).kind());
        io.tribune.agent.rpc.wire.Call acl = io.tribune.agent.rpc.wire.Call.newBuilder()
                .setQuery(io.tribune.agent.rpc.wire.QueryCall.newBuilder().setOp("Acl.PolicyList").setJson("{}"))
                .build();
        assertEquals(AgentException.Kind.BAD_REQUEST, assertThrows(AgentException.class,
                () -> Wire.decodeCall("Acl.PolicyList", acl.toByteArray())).kind(), "each area decodes its own");
        // A definition from another agent is held to the state store's checks.
        String bad = "{\"query\": {\"id\": \"" + ID + "\", \"name\": \"\", \"session\": \"\", \"token\": \"\","
                + " \"template\": {\"type\": \"\", \"regexp\": \"\", \"removeEmptyTags\": false}, \"service\":"
                + " {\"service\": \"\", \"failover\": {\"nearestN\": 0, \"datacenters\": []}, \"onlyPassing\": false,"
                + " \"near\": \"\", \"tags\": [], \"nodeMeta\": {}}, \"dnsTtl\": \"\", \"createIndex\": 0,"
                + " \"modifyIndex\": 0}}";
        io.tribune.agent.rpc.wire.Call noService = io.tribune.agent.rpc.wire.Call.newBuilder()
                .setQuery(io.tribune.agent.rpc.wire.QueryCall.newBuilder().setOp("Queries.Update").setJson(bad)).build();
        AgentException e = assertThrows(AgentException.class, () -> Wire.decodeCall("Queries.Update",
                noService.toByteArray()));
        assertEquals("Must provide a Service name to query", e.getMessage());
    }
}

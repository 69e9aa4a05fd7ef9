package io.tribune.agent.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Queries;
import io.tribune.agent.rpc.Response;
import io.tribune.agent.rpc.internal.Envelope.Hop;
import io.tribune.agent.rpc.wire.Call;
import io.tribune.agent.rpc.wire.QueryGet;
import io.tribune.agent.rpc.wire.QueryRun;
import io.tribune.agent.rpc.wire.QueryService;
import io.tribune.agent.rpc.wire.QueryUpdate;
import io.tribune.agent.rpc.wire.Reply;
import io.tribune.agent.rpc.wire.Value;
import io.tribune.state.CommandValidator;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.PreparedQuery;
import io.tribune.state.QueryTemplate;
import io.tribune.state.ServiceHealth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The prepared-query operations and their answers travel between agents unchanged; bad ones are refused. */
class QueryWireTest {
    static final String ID = "cccccccc-0000-4000-8000-000000000001";
    static final String SESSION = "dddddddd-0000-4000-8000-000000000002";
    /** A template with every part set. */
    static final PreparedQuery TEMPLATE = new PreparedQuery(ID, "geo-", SESSION, "tok", new PreparedQuery.Template(
            QueryTemplate.NAME_PREFIX_MATCH, "^geo-(.*)$", true), new PreparedQuery.ServiceQuery("${match(1)}",
            new PreparedQuery.Failover(2, List.of("dc2", "dc3")), true, "_agent", List.of("a", "!b"),
            Map.of("rack", "r1", "az", "")), "10s", 3, 4);
    /** A static query with every optional part empty. */
    static final PreparedQuery BARE = new PreparedQuery(ID, "", "", "", PreparedQuery.Template.NONE,
            new PreparedQuery.ServiceQuery("web", PreparedQuery.Failover.NONE, false, "", List.of(), Map.of()), "", 0,
            0);
    /** A template of the empty name (matches every name) that keeps empty tags. */
    static final PreparedQuery CATCH_ALL = new PreparedQuery(ID, "", "", "", new PreparedQuery.Template(
            QueryTemplate.NAME_PREFIX_MATCH, "", false), new PreparedQuery.ServiceQuery("${name.full}",
            new PreparedQuery.Failover(0, List.of("dc2")), false, "n2", List.of(""), Map.of()), "0s", 7,
            Long.MAX_VALUE);

    @Test
    void everyTravellingOperationRoundTripsAndExecuteStaysOnTheAgent() {
        List<Op<?>> ops = new ArrayList<>();
        for (PreparedQuery q : List.of(TEMPLATE, BARE, CATCH_ALL)) {
            ops.add(new Queries.Create(Queries.withId(q, "")));
            ops.add(new Queries.Update(q));
            ops.add(new Queries.RunRemote(q, 0));
            ops.add(new Queries.RunRemote(q, Integer.MAX_VALUE));
        }
        ops.addAll(List.of(new Queries.Delete(ID), new Queries.Get(ID), new Queries.All(),
                new Queries.Explain("geo-x", "seg"), new Queries.Explain(ID, ""),
                new Queries.Run("geo-x", "n1", "", "_agent", 3), new Queries.Run(ID, "", "seg", "", 0)));
        Set<String> seen = new TreeSet<>();
        for (Op<?> op : ops) {
            Envelope e = new Envelope(op, Options.DEFAULT.withToken("t").withDatacenter("dc2"), Optional.empty(), "n1",
                    Hop.CLIENT);
            Envelope back = Wire.decodeCall(op.opName(), Wire.encodeCall(e));
            assertEquals(op, back.op(), op.opName());
            assertEquals("dc2", back.options().datacenter());
            assertTrue(Wire.methods().contains(op.opName()), op.opName());
            seen.add(op.opName());
        }
        Set<String> travelling = new TreeSet<>();
        for (Class<?> c : Queries.QueryOp.class.getPermittedSubclasses()) {
            if (!Op.LocalOp.class.isAssignableFrom(c)) {
                travelling.add(Op.nameOf(c));
            }
        }
        assertEquals(travelling, seen, "the test covers every travelling operation");
        assertFalse(Wire.methods().contains("Queries.Execute"), "execution is run by the agent asked");
        assertEquals(AgentException.Kind.INTERNAL, assertThrows(AgentException.class, () -> Wire.encodeCall(
                new Envelope(new Queries.Execute("q", "", 0), Options.DEFAULT, Optional.empty(), "n1", Hop.CLIENT)))
                .kind());
    }

    @Test
    void theMetadataMapTravelsInKeyOrderWhateverTheSendersOrder() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("zone", "z");
        meta.put("az", "a");
        meta.put("rack", "");
        PreparedQuery q = BARE.withService(new PreparedQuery.ServiceQuery("web", PreparedQuery.Failover.NONE, false, "",
                List.of(), meta));
        PreparedQuery back = QueryWire.query(QueryWire.query(q));
        assertEquals(q, back);
        assertEquals(List.of("az", "rack", "zone"), List.copyOf(back.service().nodeMeta().keySet()));
    }

    @Test
    void answersRoundTripWithTheirInstances() {
        Node node = new Node("", "n1", "10.0.0.1", "dc2", Map.of("lan", "10.0.0.1"), Map.of("rack", "r1"), 1, 2);
        NodeService svc = new NodeService("web-1", "web", List.of("a"), "", Map.of("v", "1"), 80,
                new NodeService.Weights(1, 1), false, 3, 4);
        HealthCheck check = new HealthCheck("n1", "service:web-1", "c", HealthStatus.WARNING, "", "out", "web-1", "web",
                List.of("a"), "ttl", 5, 6);
        HealthCheck critical = new HealthCheck("n1", "serfHealth", "s", HealthStatus.CRITICAL, "", "", "", "",
                List.of(), "", 7, 8);
        Queries.Result result = new Queries.Result(TEMPLATE.withToken(""), List.of(new ServiceHealth(node, svc,
                List.of(check, critical)), new ServiceHealth(node, svc, List.of())), "dc2", 1);
        roundTrip(new Queries.RunRemote(TEMPLATE, 0), result);
        roundTrip(new Queries.Run(ID, "n1", "", "", 0), new Queries.Result(BARE, List.of(), "dc1", 0));
        roundTrip(new Queries.Get(ID), Optional.of(TEMPLATE));
        roundTrip(new Queries.Get(ID), Optional.of(BARE.withToken(Queries.REDACTED)));
        roundTrip(new Queries.Get(ID), Optional.empty());
        roundTrip(new Queries.All(), List.of(TEMPLATE, BARE, CATCH_ALL));
        roundTrip(new Queries.All(), List.of());
        roundTrip(new Queries.Explain("geo-x", ""), CATCH_ALL);
        roundTrip(new Queries.Create(Queries.withId(TEMPLATE, "")), ID);
        roundTrip(new Queries.Update(TEMPLATE), true);
        roundTrip(new Queries.Delete(ID), true);
        roundTrip(new Queries.Delete(ID), false);
    }

    private static <R> void roundTrip(Op<R> op, R value) {
        Response<R> back = Wire.decodeReply(op, Wire.encodeReply(op, new Response<>(value, Response.Meta.written(9))));
        assertEquals(value, back.value(), op.opName());
        assertEquals(9, back.meta().index());
    }

    @Test
    void theCasesAndAnswersUseOnlyThePreparedQueryNumbers() {
        for (FieldDescriptor f : Call.getDescriptor().getOneofs().get(0).getFields()) {
            if (f.getName().startsWith("query_")) {
                assertTrue(f.getNumber() >= 110 && f.getNumber() <= 129, f.getName() + " = " + f.getNumber());
            } else {
                assertFalse(f.getNumber() >= 110 && f.getNumber() <= 129, f.getName() + " = " + f.getNumber());
            }
        }
        for (FieldDescriptor f : Value.getDescriptor().getFields()) {
            boolean query = f.getName().startsWith("query_") || f.getName().equals("prepared_queries");
            assertEquals(query, f.getNumber() >= 110 && f.getNumber() <= 129, f.getName() + " = " + f.getNumber());
        }
    }

    @Test
    void malformedQueryCallsAreBadRequestsThatSayWhy() {
        Call emptyId = Call.newBuilder().setQueryGet(QueryGet.newBuilder().setId("")).build();
        assertBadRequest("Queries.Get", emptyId, "invalid query ID '': expected a UUID");
        Call wrongMethod = Call.newBuilder().setQueryGet(QueryGet.newBuilder().setId(ID)).build();
        assertBadRequest("Queries.Delete", wrongMethod, "RPC method Queries.Delete carries a Queries.Get request");
        Call noQuery = Call.newBuilder().setQueryUpdate(QueryUpdate.getDefaultInstance()).build();
        assertBadRequest("Queries.Update", noQuery, "the request carries no prepared query");
        // A definition from another agent is held to the state store's checks.
        Call noService = Call.newBuilder().setQueryUpdate(QueryUpdate.newBuilder().setQuery(
                io.tribune.agent.rpc.wire.PreparedQuery.newBuilder().setId(ID))).build();
        assertBadRequest("Queries.Update", noService, "Must provide a Service name to query");
        Call badTemplate = Call.newBuilder().setQueryUpdate(QueryUpdate.newBuilder().setQuery(
                QueryWire.query(TEMPLATE).toBuilder().setTemplate(io.tribune.agent.rpc.wire.QueryTemplate.newBuilder()
                        .setType("prefix_glob")))).build();
        assertTrue(assertBadRequest("Queries.Update", badTemplate, null).getMessage().contains("prefix_glob"));
        Call negativeLimit = Call.newBuilder().setQueryRun(QueryRun.newBuilder().setIdOrName("q").setLimit(-1)).build();
        assertBadRequest("Queries.Run", negativeLimit, "limit must not be negative (was -1)");
        Call garbage = Call.newBuilder().setQueryGet(QueryGet.newBuilder().setId(ID)).build();
        byte[] cut = garbage.toByteArray();
        AgentException truncated = assertThrows(AgentException.class, () -> Wire.decodeCall("Queries.Get",
                java.util.Arrays.copyOf(cut, cut.length - 3)));
        assertEquals(AgentException.Kind.BAD_REQUEST, truncated.kind());
        assertTrue(truncated.getMessage().startsWith("malformed request"), truncated.getMessage());
    }

    @Test
    void oversizedDefinitionsAreRefusedBeforeTheyReachTheStore() {
        io.tribune.agent.rpc.wire.PreparedQuery base = QueryWire.query(BARE);
        Call longName = update(base.toBuilder().setName("n".repeat(CommandValidator.MAX_NAME_BYTES + 1)).build());
        assertTrue(assertBadRequest("Queries.Update", longName, null).getMessage().contains("query name"));
        QueryService.Builder manyTags = base.getService().toBuilder();
        for (int i = 0; i <= CommandValidator.MAX_TAGS; i++) {
            manyTags.addTags("t" + i);
        }
        Call tags = update(base.toBuilder().setService(manyTags).build());
        assertTrue(assertBadRequest("Queries.Update", tags, null).getMessage().contains("tags"));
        QueryService.Builder manyMeta = base.getService().toBuilder();
        for (int i = 0; i <= CommandValidator.MAX_META_PAIRS; i++) {
            manyMeta.putNodeMeta("k" + i, "v");
        }
        Call meta = update(base.toBuilder().setService(manyMeta).build());
        assertTrue(assertBadRequest("Queries.Update", meta, null).getMessage().contains("NodeMeta has too many pairs"));
        Call lookup = Call.newBuilder().setQueryRun(QueryRun.newBuilder()
                .setIdOrName("q".repeat(Queries.MAX_LOOKUP_BYTES + 1))).build();
        assertTrue(assertBadRequest("Queries.Run", lookup, null).getMessage().contains("query ID or name"));
    }

    @Test
    void malformedAnswersAreInternalErrors() {
        Reply two = Reply.newBuilder().setValue(Value.newBuilder().addPreparedQueries(QueryWire.query(BARE))
                .addPreparedQueries(QueryWire.query(BARE))).build();
        assertEquals(AgentException.Kind.INTERNAL, assertThrows(AgentException.class,
                () -> Wire.decodeReply(new Queries.Get(ID), two.toByteArray())).kind());
        Reply none = Reply.newBuilder().setValue(Value.getDefaultInstance()).build();
        assertEquals(AgentException.Kind.INTERNAL, assertThrows(AgentException.class,
                () -> Wire.decodeReply(new Queries.Explain("q", ""), none.toByteArray())).kind());
        assertEquals(AgentException.Kind.INTERNAL, assertThrows(AgentException.class,
                () -> Wire.decodeReply(new Queries.Run("q", "", "", "", 0), none.toByteArray())).kind());
        Reply noQuery = Reply.newBuilder().setValue(Value.newBuilder().setQueryResult(
                io.tribune.agent.rpc.wire.QueryResult.newBuilder().setDatacenter("dc1"))).build();
        assertEquals(AgentException.Kind.INTERNAL, assertThrows(AgentException.class,
                () -> Wire.decodeReply(new Queries.Run("q", "", "", "", 0), noQuery.toByteArray())).kind());
    }

    private static Call update(io.tribune.agent.rpc.wire.PreparedQuery q) {
        return Call.newBuilder().setQueryUpdate(QueryUpdate.newBuilder().setQuery(q)).build();
    }

    /** Asserts a BAD_REQUEST, with {@code message} when not null; returns it. */
    private static AgentException assertBadRequest(String method, Call c, String message) {
        AgentException e = assertThrows(AgentException.class, () -> Wire.decodeCall(method, c.toByteArray()));
        assertEquals(AgentException.Kind.BAD_REQUEST, e.kind(), e.getMessage());
        if (message != null) {
            assertEquals(message, e.getMessage());
        }
        return e;
    }
}

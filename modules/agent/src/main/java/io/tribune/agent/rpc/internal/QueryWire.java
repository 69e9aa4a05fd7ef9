package io.tribune.agent.rpc.internal;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Queries;
import io.tribune.agent.rpc.internal.Wire.Shape;
import io.tribune.agent.rpc.wire.Call;
import io.tribune.agent.rpc.wire.QueryCreate;
import io.tribune.agent.rpc.wire.QueryDelete;
import io.tribune.agent.rpc.wire.QueryExplain;
import io.tribune.agent.rpc.wire.QueryFailover;
import io.tribune.agent.rpc.wire.QueryGet;
import io.tribune.agent.rpc.wire.QueryList;
import io.tribune.agent.rpc.wire.QueryResult;
import io.tribune.agent.rpc.wire.QueryRun;
import io.tribune.agent.rpc.wire.QueryRunRemote;
import io.tribune.agent.rpc.wire.QueryService;
import io.tribune.agent.rpc.wire.QueryUpdate;
import io.tribune.state.PreparedQuery;
import io.tribune.state.ServiceHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How the prepared-query operations ({@link Queries}) and their answers travel between agents:
 * one typed case of {@code Call} per travelling operation (fields 110..117 of {@code rpc.proto};
 * 110..129 are reserved to this area), a typed {@code PreparedQuery} message, and the answers in
 * {@code Value}'s {@code prepared_queries} and {@code query_result} fields, registered in
 * {@link Wire}'s table like every other operation. {@link Queries.Execute} does not travel: it runs
 * on the agent asked, which sends {@link Queries.Run} and {@link Queries.RunRemote}.
 *
 * <p>Decoding goes through the records' canonical constructors ({@link PreparedQuery}, the
 * {@code Queries} operations), so an operation from another agent is held to the same checks
 * (required service, UUIDs, sizes of names, tags and metadata, template compilation) as one from a
 * front end; a failed check is a {@code BAD_REQUEST} naming it. An absent sub-message decodes as
 * its empty form (an absent template is a static query's, an absent failover is none), which is
 * what the records make of nulls too.
 *
 * <p>Stateless and thread-safe.
 */
final class QueryWire {
    private QueryWire() {
    }

    // ---------------------------------------------------------------- answer shapes

    /** One query, which the answer must hold (Explain). */
    static final Shape<PreparedQuery> QUERY = new Shape<>((v, b) -> b.addPreparedQueries(query(v)),
            x -> query(Wire.one(x.getPreparedQueriesList(), "query")));
    /** At most one query (Get): none is "no such query". */
    static final Shape<Optional<PreparedQuery>> OPT_QUERY = new Shape<>((v, b) -> v.ifPresent(q ->
            b.addPreparedQueries(query(q))), x -> Wire.atMostOne(x.getPreparedQueriesList(), "query").map(q -> query(q)));
    /** Every query, in the server's order (All). */
    static final Shape<List<PreparedQuery>> QUERIES = new Shape<>((v, b) -> v.forEach(q ->
            b.addPreparedQueries(query(q))), x -> Wire.map(x.getPreparedQueriesList(), q -> query(q)));
    /** An execution's result (Run, RunRemote). */
    static final Shape<Queries.Result> RESULT = new Shape<>((v, b) -> b.setQueryResult(result(v)), x -> {
        if (!x.hasQueryResult()) {
            throw new IllegalArgumentException("the answer holds no query result");
        }
        return result(x.getQueryResult());
    });

    /** Adds every travelling prepared-query operation to {@link Wire}'s table; called once from its initializer. */
    static void register() {
        Wire.op(Queries.Create.class, Call.OpCase.QUERY_CREATE,
                c -> new Queries.Create(required(c.getQueryCreate().hasQuery(), c.getQueryCreate().getQuery())),
                Wire.TEXT);
        Wire.op(Queries.Update.class, Call.OpCase.QUERY_UPDATE,
                c -> new Queries.Update(required(c.getQueryUpdate().hasQuery(), c.getQueryUpdate().getQuery())),
                Wire.BOOL);
        Wire.op(Queries.Delete.class, Call.OpCase.QUERY_DELETE, c -> new Queries.Delete(c.getQueryDelete().getId()),
                Wire.BOOL);
        Wire.op(Queries.Get.class, Call.OpCase.QUERY_GET, c -> new Queries.Get(c.getQueryGet().getId()), OPT_QUERY);
        Wire.op(Queries.All.class, Call.OpCase.QUERY_LIST, c -> new Queries.All(), QUERIES);
        Wire.op(Queries.Explain.class, Call.OpCase.QUERY_EXPLAIN, c -> new Queries.Explain(
                c.getQueryExplain().getIdOrName(), c.getQueryExplain().getAgentSegment()), QUERY);
        Wire.op(Queries.Run.class, Call.OpCase.QUERY_RUN, c -> {
            var m = c.getQueryRun();
            return new Queries.Run(m.getIdOrName(), m.getAgentNode(), m.getAgentSegment(), m.getNear(), m.getLimit());
        }, RESULT);
        Wire.op(Queries.RunRemote.class, Call.OpCase.QUERY_RUN_REMOTE, c -> new Queries.RunRemote(
                required(c.getQueryRunRemote().hasQuery(), c.getQueryRunRemote().getQuery()),
                c.getQueryRunRemote().getLimit()), RESULT);
    }

    /** Sets the case of {@code op} on {@code c}; fails {@code INTERNAL} for {@link Queries.Execute}. */
    static void encode(Queries.QueryOp<?> op, Call.Builder c) {
        if (op instanceof Queries.Create o) {
            c.setQueryCreate(QueryCreate.newBuilder().setQuery(query(o.query())));
        } else if (op instanceof Queries.Update o) {
            c.setQueryUpdate(QueryUpdate.newBuilder().setQuery(query(o.query())));
        } else if (op instanceof Queries.Delete o) {
            c.setQueryDelete(QueryDelete.newBuilder().setId(o.id()));
        } else if (op instanceof Queries.Get o) {
            c.setQueryGet(QueryGet.newBuilder().setId(o.id()));
        } else if (op instanceof Queries.All) {
            c.setQueryList(QueryList.getDefaultInstance());
        } else if (op instanceof Queries.Explain o) {
            c.setQueryExplain(QueryExplain.newBuilder().setIdOrName(o.idOrName()).setAgentSegment(o.agentSegment()));
        } else if (op instanceof Queries.Run o) {
            c.setQueryRun(QueryRun.newBuilder().setIdOrName(o.idOrName()).setAgentNode(o.agentNode())
                    .setAgentSegment(o.agentSegment()).setNear(o.near()).setLimit(o.limit()));
        } else if (op instanceof Queries.RunRemote o) {
            c.setQueryRunRemote(QueryRunRemote.newBuilder().setQuery(query(o.query())).setLimit(o.limit()));
        } else {
            throw new AgentException(AgentException.Kind.INTERNAL, op.opName() + " does not travel between agents");
        }
    }

    // ---------------------------------------------------------------- entities

    static io.tribune.agent.rpc.wire.PreparedQuery query(PreparedQuery q) {
        PreparedQuery.ServiceQuery s = q.service();
        var b = io.tribune.agent.rpc.wire.PreparedQuery.newBuilder().setId(q.id()).setName(q.name())
                .setSession(q.session()).setToken(q.token()).setDnsTtl(q.dnsTtl())
                .setCreateIndex(q.createIndex()).setModifyIndex(q.modifyIndex())
                .setService(QueryService.newBuilder().setService(s.service()).setOnlyPassing(s.onlyPassing())
                        .setNear(s.near()).addAllTags(s.tags()).putAllNodeMeta(s.nodeMeta())
                        .setFailover(QueryFailover.newBuilder().setNearestN(s.failover().nearestN())
                                .addAllDatacenters(s.failover().datacenters())));
        // A static query sends no template, so the common case stays small.
        if (!q.template().equals(PreparedQuery.Template.NONE)) {
            b.setTemplate(io.tribune.agent.rpc.wire.QueryTemplate.newBuilder().setType(q.template().type())
                    .setRegexp(q.template().regexp()).setRemoveEmptyTags(q.template().removeEmptyTags()));
        }
        return b.build();
    }

    /**
     * The record of a wire query. Proto3 texts are never null, absent messages read as their empty
     * form, and the record's constructor copies the lists and sorts the metadata.
     */
    static PreparedQuery query(io.tribune.agent.rpc.wire.PreparedQuery q) {
        QueryService s = q.getService();
        var t = q.getTemplate();
        return new PreparedQuery(q.getId(), q.getName(), q.getSession(), q.getToken(),
                new PreparedQuery.Template(t.getType(), t.getRegexp(), t.getRemoveEmptyTags()),
                new PreparedQuery.ServiceQuery(s.getService(), new PreparedQuery.Failover(
                        s.getFailover().getNearestN(), List.copyOf(s.getFailover().getDatacentersList())),
                        s.getOnlyPassing(), s.getNear(), List.copyOf(s.getTagsList()), s.getNodeMetaMap()),
                q.getDnsTtl(), q.getCreateIndex(), q.getModifyIndex());
    }

    private static QueryResult result(Queries.Result r) {
        QueryResult.Builder b = QueryResult.newBuilder().setQuery(query(r.query())).setDatacenter(r.datacenter())
                .setFailovers(r.failovers());
        for (ServiceHealth h : r.nodes()) {
            b.addNodes(io.tribune.agent.rpc.wire.ServiceHealth.newBuilder().setNode(Wire.node(h.node()))
                    .setService(Wire.service(h.service())).addAllChecks(h.checks().stream().map(Wire::check).toList()));
        }
        return b.build();
    }

    private static Queries.Result result(QueryResult r) {
        if (!r.hasQuery()) {
            throw new IllegalArgumentException("a query result without its query");
        }
        List<ServiceHealth> nodes = new ArrayList<>(r.getNodesCount());
        for (io.tribune.agent.rpc.wire.ServiceHealth h : r.getNodesList()) {
            nodes.add(new ServiceHealth(Wire.node(h.getNode()), Wire.service(h.getService()),
                    h.getChecksList().stream().map(Wire::check).toList()));
        }
        return new Queries.Result(query(r.getQuery()), nodes, r.getDatacenter(), r.getFailovers());
    }

    /**
     * The record of a definition a request must carry. An absent one is refused by name rather
     * than read as an empty query, whose first failed check ("Must provide a Service name") would
     * hide what is wrong.
     */
    private static PreparedQuery required(boolean present, io.tribune.agent.rpc.wire.PreparedQuery q) {
        if (!present) {
            throw AgentException.badRequest("the request carries no prepared query");
        }
        return query(q);
    }
}

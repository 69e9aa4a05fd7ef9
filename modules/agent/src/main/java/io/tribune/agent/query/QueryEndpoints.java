package io.tribune.agent.query;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Queries;
import io.tribune.agent.rpc.Response;
import io.tribune.agent.rpc.internal.Handlers;
import io.tribune.agent.rpc.internal.RequestIds;
import io.tribune.api.consensus.Consensus;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.Indexed;
import io.tribune.state.PreparedQuery;
import io.tribune.state.QueryTemplate;
import io.tribune.state.ServiceHealth;
import io.tribune.state.StateStore;
import io.tribune.state.Table;
import io.tribune.state.WatchTarget;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;

/**
 * The server endpoints of the prepared-query operations ({@link Queries}): writes propose
 * {@link Command.PreparedQuerySet} and {@link Command.PreparedQueryDelete} on the leader; reads of
 * the query table block on it; {@link Queries.Run} and {@link Queries.RunRemote} execute a query in
 * this server's datacenter (no blocking: Consul's execute does not block either).
 *
 * <p>Every handler is non-blocking; errors are {@link AgentException}s ({@code NOT_FOUND} "Query not
 * found" for a lookup that matches nothing, {@code BAD_REQUEST} with the state store's message for
 * a definition it refuses).
 */
public final class QueryEndpoints {
    /** Consul's message for a lookup that matches no query. */
    public static final String NOT_FOUND = "Query not found";

    /**
     * What the endpoints need.
     *
     * @param datacenter this server's datacenter (answers say which datacenter answered)
     * @param random     shuffles answers (Consul balances load across instances so); reads run on
     *                   several threads, so every use synchronizes on it
     * @param nearSorter the near-sorter of a read, made from the state that read sees
     *                   ({@link QueryExecution#byCoordinates}, or {@code s -> NearSorter.KEEP} to
     *                   keep the shuffled order)
     */
    public record Setup(String datacenter, RandomGenerator random,
                        java.util.function.Function<StateStore, QueryExecution.NearSorter> nearSorter) {
        public Setup {
            Objects.requireNonNull(datacenter, "datacenter");
            Objects.requireNonNull(random, "random");
            Objects.requireNonNull(nearSorter, "nearSorter");
        }
    }

    private QueryEndpoints() {
    }

    /** Registers the prepared-query endpoints on {@code h}. */
    public static void register(Handlers h, Setup setup) {
        h.read(Queries.Get.class, table((o, s) -> s.preparedQuery(o.id())));
        h.read(Queries.All.class, table((o, s) -> s.preparedQueries()));
        h.read(Queries.Explain.class, table((o, s) -> {
            Indexed<Optional<PreparedQuery>> q = s.preparedQueryResolve(o.idOrName());
            return new Indexed<>(q.index(), render(q.value(), o.idOrName(), o.agentSegment()));
        }));
        h.read(Queries.Run.class, new Handlers.ReadHandler<>() {
            @Override
            public Optional<WatchTarget> target(Queries.Run op) {
                return Optional.empty();
            }

            @Override
            public Indexed<Queries.Result> read(Queries.Run op, StateStore state, Consensus consensus, long barrier) {
                Indexed<Optional<PreparedQuery>> q = state.preparedQueryResolve(op.idOrName());
                PreparedQuery rendered = render(q.value(), op.idOrName(), op.agentSegment());
                String near = QueryExecution.nearNode(rendered.service(), op.near(), op.agentNode());
                return run(state, setup, rendered, near, op.limit(), q.index());
            }
        });
        h.read(Queries.RunRemote.class, new Handlers.ReadHandler<>() {
            @Override
            public Optional<WatchTarget> target(Queries.RunRemote op) {
                return Optional.empty();
            }

            @Override
            public Indexed<Queries.Result> read(Queries.RunRemote op, StateStore state, Consensus consensus,
                                                long barrier) {
                // By definition in another datacenter than the caller's node: no near sort, a shuffle.
                return run(state, setup, op.query(), "", op.limit(), 1);
            }
        });
        h.write(Queries.Create.class, (o, ctx) -> {
            // From the request id: a retry of this request names the same query and applies nothing more.
            String id = RequestIds.uuid(ctx.requestId(), "prepared-query");
            return ctx.propose(new Command.PreparedQuerySet(Queries.withId(o.query(), id)))
                    .thenApply(a -> done(a.result(), a.index(), id));
        });
        h.write(Queries.Update.class, (o, ctx) -> {
            if (ctx.state().preparedQuery(o.query().id()).value().isEmpty()) {
                throw AgentException.notFound("Cannot modify non-existent prepared query: '" + o.query().id() + "'");
            }
            return ctx.propose(new Command.PreparedQuerySet(o.query())).thenApply(a -> done(a.result(), a.index(),
                    Boolean.TRUE));
        });
        h.write(Queries.Delete.class, (o, ctx) -> {
            if (ctx.state().preparedQuery(o.id()).value().isEmpty()) {
                throw AgentException.notFound("Cannot delete non-existent prepared query: '" + o.id() + "'");
            }
            return ctx.propose(new Command.PreparedQueryDelete(o.id())).thenApply(a -> done(a.result(), a.index(),
                    Boolean.TRUE));
        });
    }

    /** The query that runs for {@code idOrName}: a template rendered for it, a static query as it is. */
    static PreparedQuery render(Optional<PreparedQuery> found, String idOrName, String segment) {
        PreparedQuery q = found.orElseThrow(() -> AgentException.notFound(NOT_FOUND));
        if (!q.isTemplate()) {
            return q;
        }
        try {
            return QueryTemplate.compile(q).render(idOrName, segment);
        } catch (IllegalArgumentException e) {
            throw AgentException.badRequest("Failed to render query template: " + e.getMessage());
        }
    }

    private static Indexed<Queries.Result> run(StateStore state, Setup setup, PreparedQuery q, String near, int limit,
                                               long queryIndex) {
        PreparedQuery.ServiceQuery s = q.service();
        Indexed<List<ServiceHealth>> found = state.serviceHealth(s.service(), null, false, s.nodeMeta());
        List<ServiceHealth> qualifying = QueryExecution.qualifying(found.value(), s);
        List<ServiceHealth> nodes;
        synchronized (setup.random()) {
            nodes = QueryExecution.order(qualifying, near, setup.nearSorter().apply(state), setup.random(), limit);
        }
        // The stored token never leaves the server in an answer.
        return new Indexed<>(Math.max(queryIndex, found.index()),
                new Queries.Result(q.withToken(""), nodes, setup.datacenter(), 0));
    }

    private static <R> Response<R> done(byte[] result, long index, R value) {
        CommandResult r = CommandResult.decode(result);
        if (r instanceof CommandResult.Repeated rep) {
            r = rep.result();
        }
        if (r instanceof CommandResult.Failed f) {
            throw new AgentException(switch (f.kind()) {
                case INVALID -> AgentException.Kind.BAD_REQUEST;
                case NOT_FOUND -> AgentException.Kind.NOT_FOUND;
                case REJECTED -> AgentException.Kind.CONFLICT;
                case INTERNAL -> AgentException.Kind.INTERNAL;
            }, f.message());
        }
        return new Response<>(value, Response.Meta.written(index));
    }

    private interface Reader<O, R> {
        Indexed<R> read(O op, StateStore s);
    }

    /** A read of the query table that blocks on the table. */
    private static <O extends io.tribune.agent.rpc.Op.Read<R>, R> Handlers.ReadHandler<O, R> table(Reader<O, R> r) {
        return new Handlers.ReadHandler<>() {
            @Override
            public Optional<WatchTarget> target(O op) {
                return Optional.of(WatchTarget.table(Table.PREPARED_QUERIES));
            }

            @Override
            public Indexed<R> read(O op, StateStore state, Consensus consensus, long barrierIndex) {
                return r.read(op, state);
            }
        };
    }
}

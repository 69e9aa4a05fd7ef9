package io.tribune.agent.query;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Queries;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Response;
import io.tribune.agent.rpc.internal.Handlers;
import io.tribune.state.PreparedQuery;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Runs {@link Queries.Execute} on the agent asked: the query {@link Queries.Run runs} in the asked
 * datacenter; when no instance qualifies there and the query has a failover policy, it runs
 * ({@link Queries.RunRemote}, the query as rendered there) in each failover datacenter in turn
 * ({@link QueryExecution#failoverTargets}, over the datacenter list of the asked datacenter's
 * servers, nearest first), through the request layer's routing to that datacenter, until one
 * answers with instances. A datacenter that fails (no path, an error) counts as tried and the next
 * is asked, as Consul does. Every call carries the caller's options (token, consistency) with only
 * the datacenter changed.
 *
 * <p>The answer says which datacenter answered and how many were tried ({@code Failovers}); when
 * none had an instance, it is the asked datacenter's empty answer with the count of those tried.
 *
 * <p>Thread-safe and non-blocking.
 */
public final class QueryExecutor {
    private final Requests requests;
    private final String agentNode;
    private final String agentSegment;

    /**
     * @param requests     the request layer (with the caller's token in each call's options)
     * @param agentNode    this agent's node name ({@code _agent})
     * @param agentSegment this agent's network segment, "" without segments
     */
    public QueryExecutor(Requests requests, String agentNode, String agentSegment) {
        this.requests = Objects.requireNonNull(requests, "requests");
        this.agentNode = Objects.requireNonNull(agentNode, "agentNode");
        this.agentSegment = Objects.requireNonNull(agentSegment, "agentSegment");
    }

    /** Registers {@link Queries.Execute} on {@code h} as an operation of this agent. */
    public void register(Handlers h) {
        h.local(Queries.Execute.class, this::execute);
    }

    /** Executes {@code op} as asked by {@code options}; fails with the first run's error. */
    public CompletableFuture<Queries.Result> execute(Queries.Execute op, Options options) {
        return requests.call(new Queries.Run(op.idOrName(), agentNode, agentSegment, op.near(), op.limit()), options)
                .thenCompose(r -> {
                    Queries.Result first = r.value();
                    if (!first.nodes().isEmpty() || !first.query().service().failover().any()
                            || first.query().service().service().isEmpty()) {
                        return CompletableFuture.completedFuture(first);
                    }
                    return requests.call(new Catalog.Datacenters(), options).thenCompose(dcs -> {
                        List<String> targets = QueryExecution.failoverTargets(first.query().service().failover(),
                                dcs.value(), first.datacenter());
                        // The query as it ran here, as a static query: other datacenters run it as it is.
                        PreparedQuery q = first.query();
                        PreparedQuery rendered = new PreparedQuery(q.id(), q.name(), q.session(), "",
                                PreparedQuery.Template.NONE, q.service(), q.dnsTtl(), q.createIndex(),
                                q.modifyIndex());
                        return tryFrom(first, rendered, targets, 0, op.limit(), options);
                    });
                });
    }

    private CompletableFuture<Queries.Result> tryFrom(Queries.Result first, PreparedQuery rendered,
                                                      List<String> targets, int i, int limit, Options options) {
        if (i >= targets.size()) {
            return CompletableFuture.completedFuture(first.withFailovers(targets.size()));
        }
        CompletableFuture<Response<Queries.Result>> call;
        try {
            call = requests.call(new Queries.RunRemote(rendered, limit), options.withDatacenter(targets.get(i)));
        } catch (AgentException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((r, err) -> err == null && !r.value().nodes().isEmpty()
                        ? CompletableFuture.completedFuture(r.value().withFailovers(i + 1))
                        : tryFrom(first, rendered, targets, i + 1, limit, options))
                .thenCompose(f -> f);
    }
}

package io.tribune.agent.rpc;

import io.tribune.state.CommandValidator;
import io.tribune.state.PreparedQuery;
import io.tribune.state.ServiceHealth;
import io.tribune.state.Command;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Prepared-query operations (Consul 1.4's {@code PreparedQuery.*}): create, update, delete, read,
 * list, explain and execute.
 *
 * <p>Who may run each is decided by the request layer as for every operation, with Consul's rules:
 * a write needs {@code query} write on the name of the query proposed and of the query it replaces
 * (an unnamed static query has no name to check: whoever knows its ID may change it); a read of
 * one query needs {@code query} read on its name (unnamed: whoever knows its ID); the list keeps
 * only named queries whose name the token may read; execution needs no permission on the query
 * but its results keep only the instances whose service and node the token may read. The stored
 * {@code Token} is shown only to tokens with {@code acl} write ({@code <hidden>} otherwise).
 *
 * <p>{@link Execute} runs where the request entered: it has the query {@link Run} in the asked
 * datacenter and, when no instance qualifies there, {@link RunRemote} in the failover datacenters
 * in order, each through the request layer's routing to that datacenter.
 */
public final class Queries {
    /** What Consul shows instead of a query's token to callers who may not see it. */
    public static final String REDACTED = "<hidden>";
    /** Longest ID or name accepted in a lookup, in UTF-8 bytes. */
    public static final int MAX_LOOKUP_BYTES = CommandValidator.MAX_NAME_BYTES;

    private Queries() {
    }

    /** Every prepared-query operation (for the request layer's routing and ACL tables). */
    public sealed interface QueryOp<R> extends Op<R> permits Create, Update, Delete, Get, All, Explain, Run, RunRemote,
            Execute {
    }

    /**
     * What an execution answers ({@code /v1/query/<id>/execute}).
     *
     * @param query      the query as it ran (a template rendered for the name), without its token
     * @param nodes      the instances found, in the order to use them
     * @param datacenter the datacenter that answered
     * @param failovers  how many other datacenters were tried
     */
    public record Result(PreparedQuery query, List<ServiceHealth> nodes, String datacenter, int failovers) {
        public Result {
            Objects.requireNonNull(query, "query");
            nodes = List.copyOf(nodes);
            Objects.requireNonNull(datacenter, "datacenter");
        }

        /** This result with another list of instances. */
        public Result withNodes(List<ServiceHealth> n) {
            return new Result(query, n, datacenter, failovers);
        }

        /** This result saying that {@code n} datacenters were tried. */
        public Result withFailovers(int n) {
            return new Result(query, nodes, datacenter, n);
        }
    }

    /**
     * {@code POST /v1/query}: stores a new query and answers its ID. The ID is derived from the
     * request's client request id, so a retry of the request names the same query.
     *
     * @param query the definition; its ID must be "" and its indexes are ignored
     */
    public record Create(PreparedQuery query) implements QueryOp<String>, Op.Write<String> {
        public Create {
            Objects.requireNonNull(query, "query");
            if (!query.id().isEmpty()) {
                throw AgentException.badRequest("ID must be empty when creating a new prepared query");
            }
            // Every check but the ID's, with a stand-in ID.
            check(withId(query, "00000000-0000-0000-0000-000000000000"));
        }
    }

    /**
     * {@code PUT /v1/query/<id>}: replaces an existing query (its create index is kept); answers
     * true. Fails {@code NOT_FOUND} when no query has the ID.
     */
    public record Update(PreparedQuery query) implements QueryOp<Boolean>, Op.Write<Boolean> {
        public Update {
            Objects.requireNonNull(query, "query");
            check(query);
        }
    }

    /** {@code DELETE /v1/query/<id>}: deletes a query; answers whether it existed. */
    public record Delete(String id) implements QueryOp<Boolean>, Op.Write<Boolean> {
        public Delete {
            uuid(id);
        }
    }

    /** {@code GET /v1/query/<id>}: one query, empty when no query has the ID. */
    public record Get(String id) implements QueryOp<Optional<PreparedQuery>>, Op.Read<Optional<PreparedQuery>> {
        public Get {
            uuid(id);
        }
    }

    /** {@code GET /v1/query}: every query the caller may see, by ID. */
    public record All() implements QueryOp<List<PreparedQuery>>, Op.Read<List<PreparedQuery>> {
    }

    /**
     * {@code GET /v1/query/<id or name>/explain}: the query that executing {@code idOrName} would
     * run (a template rendered for it). Fails {@code NOT_FOUND} when none applies.
     *
     * @param agentSegment the asking agent's network segment, for {@code ${agent.segment}}
     */
    public record Explain(String idOrName, String agentSegment) implements QueryOp<PreparedQuery>,
            Op.Read<PreparedQuery> {
        public Explain {
            lookup(idOrName);
            Fields.bounded("segment", Objects.requireNonNull(agentSegment, "agentSegment"), MAX_LOOKUP_BYTES);
        }
    }

    /**
     * Runs the query {@code idOrName} in the datacenter the request is routed to, without failover
     * (the server half of {@link Execute}). Fails {@code NOT_FOUND} when no query applies.
     *
     * @param agentNode    the node where the request entered ({@code _agent} in {@code Near})
     * @param agentSegment its network segment ({@code ${agent.segment}})
     * @param near         the caller's {@code ?near=}, "" for none
     * @param limit        most instances answered, 0 for all
     */
    public record Run(String idOrName, String agentNode, String agentSegment, String near, int limit)
            implements QueryOp<Result>, Op.Read<Result> {
        public Run {
            lookup(idOrName);
            Fields.bounded("node", Objects.requireNonNull(agentNode, "agentNode"), MAX_LOOKUP_BYTES);
            Fields.bounded("segment", Objects.requireNonNull(agentSegment, "agentSegment"), MAX_LOOKUP_BYTES);
            Fields.bounded("near", Objects.requireNonNull(near, "near"), MAX_LOOKUP_BYTES);
            checkLimit(limit);
        }
    }

    /**
     * Runs an already resolved (and rendered) query in the datacenter the request is routed to:
     * what a failover asks of another datacenter (Consul's {@code ExecuteRemote}).
     */
    public record RunRemote(PreparedQuery query, int limit) implements QueryOp<Result>, Op.Read<Result> {
        public RunRemote {
            Objects.requireNonNull(query, "query");
            check(query);
            checkLimit(limit);
        }
    }

    /**
     * {@code GET /v1/query/<id or name>/execute}: runs the query in the asked datacenter and, when
     * no instance qualifies there, in its failover datacenters in order (the nearest
     * {@code NearestN} others, then {@code Datacenters}), stopping at the first that has one.
     * Runs on the agent asked; fails {@code NOT_FOUND} when no query applies.
     *
     * @param near  the caller's {@code ?near=} ("_agent" for this agent), "" for none
     * @param limit most instances answered, 0 for all
     */
    public record Execute(String idOrName, String near, int limit) implements QueryOp<Result>, Op.LocalOp<Result> {
        public Execute {
            lookup(idOrName);
            Fields.bounded("near", Objects.requireNonNull(near, "near"), MAX_LOOKUP_BYTES);
            checkLimit(limit);
        }
    }

    /** {@code q} with ID {@code id}. */
    public static PreparedQuery withId(PreparedQuery q, String id) {
        return new PreparedQuery(id, q.name(), q.session(), q.token(), q.template(), q.service(), q.dnsTtl(),
                q.createIndex(), q.modifyIndex());
    }

    /**
     * The checks the state store applies without state (Consul's messages), as a
     * {@code BAD_REQUEST}.
     */
    static void check(PreparedQuery q) {
        CommandValidator.validate(new Command.PreparedQuerySet(q)).ifPresent(m -> {
            throw AgentException.badRequest(m);
        });
    }

    private static void uuid(String id) {
        Objects.requireNonNull(id, "id");
        if (!CommandValidator.isSessionId(id)) {
            throw AgentException.badRequest("invalid query ID '" + Fields.abbreviate(id) + "': expected a UUID");
        }
    }

    private static void lookup(String idOrName) {
        Objects.requireNonNull(idOrName, "idOrName");
        if (idOrName.isEmpty()) {
            throw AgentException.badRequest("Query ID or name is required");
        }
        Fields.bounded("query ID or name", idOrName, MAX_LOOKUP_BYTES);
    }

    private static void checkLimit(int limit) {
        if (limit < 0) {
            throw AgentException.badRequest("limit must not be negative (was " + limit + ")");
        }
    }
}

package io.tribune.agent.query;

import io.tribune.acl.Authorizer;
import io.tribune.acl.Resource;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Queries;
import io.tribune.state.PreparedQuery;
import io.tribune.state.ServiceHealth;
import io.tribune.state.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ACL rules of prepared queries (Consul 1.4): what each {@link Queries} operation needs from a
 * token, and how its answer is cut. A query's ACL name is {@link PreparedQuery#aclPrefix()}: its
 * name, or for a template its prefix ("" for a catch-all); an unnamed static query has none, so its
 * ID works as its secret (anyone who knows it may read, change or delete it, nobody lists it but
 * management).
 *
 * <ul>
 *   <li>create, update: {@code query} write on the proposed name, and for an update on the stored
 *       query's name; delete: on the stored query's name;</li>
 *   <li>read one: {@code query} read on its name (denied otherwise, as Consul);
 *       explain: the same on the query resolved;</li>
 *   <li>list: only named queries whose name the token may read (management: every query);</li>
 *   <li>execution: no permission on the query; instances kept only when the token may read their
 *       service and node;</li>
 *   <li>the stored token is shown only to tokens with {@code acl} write ({@code <hidden>} otherwise).</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class QueryAccess {
    private QueryAccess() {
    }

    /**
     * Whether {@code a} may run {@code op}.
     *
     * @param state the server's state, to look up the stored query; empty on a client agent (the
     *              server that serves the request checks again)
     */
    public static boolean allowed(Queries.QueryOp<?> op, Authorizer a, Optional<StateStore> state) {
        if (op instanceof Queries.Create o) {
            return mayWrite(a, o.query());
        }
        if (op instanceof Queries.Update o) {
            return mayWrite(a, o.query()) && mayWriteStored(a, state, o.query().id());
        }
        if (op instanceof Queries.Delete o) {
            return mayWriteStored(a, state, o.id());
        }
        if (op instanceof Queries.Get o) {
            Optional<PreparedQuery> q = state.flatMap(s -> s.preparedQuery(o.id()).value());
            return q.isEmpty() || mayRead(a, q.get());
        }
        // List and explain are cut in filter(); execution needs nothing on the query itself.
        return true;
    }

    /** Whether answers to {@code op} are filtered. */
    public static boolean filters(Op<?> op) {
        return op instanceof Queries.QueryOp && !(op instanceof Queries.Create || op instanceof Queries.Update
                || op instanceof Queries.Delete);
    }

    /**
     * {@code value}, the answer to {@code op}, cut to what {@code a} may see.
     *
     * @throws AgentException PERMISSION_DENIED for an explain of a query the token may not read
     */
    @SuppressWarnings("unchecked")
    public static Object filter(Op<?> op, Object value, Authorizer a, boolean mayWriteAcl) {
        if (op instanceof Queries.Get) {
            return ((Optional<PreparedQuery>) value).map(q -> redact(q, mayWriteAcl));
        }
        if (op instanceof Queries.All) {
            List<PreparedQuery> out = new ArrayList<>();
            for (PreparedQuery q : (List<PreparedQuery>) value) {
                if (mayWriteAcl || (q.aclPrefix() != null && a.read(Resource.QUERY, q.aclPrefix()))) {
                    out.add(redact(q, mayWriteAcl));
                }
            }
            return out;
        }
        if (op instanceof Queries.Explain) {
            PreparedQuery q = (PreparedQuery) value;
            if (!mayRead(a, q)) {
                throw io.tribune.agent.acl.AclEnforcer.denied();
            }
            return redact(q, mayWriteAcl);
        }
        if (op instanceof Queries.Run || op instanceof Queries.RunRemote || op instanceof Queries.Execute) {
            Queries.Result r = (Queries.Result) value;
            List<ServiceHealth> kept = new ArrayList<>(r.nodes().size());
            for (ServiceHealth h : r.nodes()) {
                if (a.read(Resource.SERVICE, h.service().service()) && a.read(Resource.NODE, h.node().node())) {
                    kept.add(h);
                }
            }
            return kept.size() == r.nodes().size() ? r : r.withNodes(kept);
        }
        return value;
    }

    private static boolean mayWrite(Authorizer a, PreparedQuery q) {
        return q.aclPrefix() == null || a.write(Resource.QUERY, q.aclPrefix());
    }

    private static boolean mayWriteStored(Authorizer a, Optional<StateStore> state, String id) {
        Optional<PreparedQuery> q = state.flatMap(s -> s.preparedQuery(id).value());
        // A missing query: the endpoint answers "not found" itself and changes nothing.
        return q.isEmpty() || mayWrite(a, q.get());
    }

    private static boolean mayRead(Authorizer a, PreparedQuery q) {
        return q.aclPrefix() == null || a.read(Resource.QUERY, q.aclPrefix());
    }

    private static PreparedQuery redact(PreparedQuery q, boolean mayWriteAcl) {
        return mayWriteAcl || q.token().isEmpty() ? q : q.withToken(Queries.REDACTED);
    }
}

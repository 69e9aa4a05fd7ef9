package io.tribune.agent.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.acl.Authorizer;
import io.tribune.acl.Rules;
import io.tribune.agent.acl.AclEnforcer;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Queries;
import io.tribune.state.Command;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.PreparedQuery;
import io.tribune.state.QueryTemplate;
import io.tribune.state.ServiceHealth;
import io.tribune.state.StateStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Consul 1.4's ACL rules of prepared queries, through the request layer's one table (default deny). */
class QueryAccessTest {
    static final Authorizer A = Authorizer.of(List.of(Rules.parse(String.join("\n",
            "query_prefix \"web\" { policy = \"write\" }",
            "query_prefix \"ro-\" { policy = \"read\" }",
            "service_prefix \"web\" { policy = \"read\" }",
            "node \"n1\" { policy = \"read\" }"))), Authorizer.denyAll());
    static final String Q1 = "cccccccc-0000-4000-8000-000000000001";
    static final String Q2 = "cccccccc-0000-4000-8000-000000000002";
    static final String Q3 = "cccccccc-0000-4000-8000-000000000003";
    static final String Q4 = "cccccccc-0000-4000-8000-000000000004";

    static PreparedQuery query(String id, String name) {
        return new PreparedQuery(id, name, "", "tok", null, new PreparedQuery.ServiceQuery("web", null, false, "",
                List.of(), Map.of()), "", 0, 0);
    }

    /** Q1 "web-a", Q2 "other", Q3 unnamed, Q4 a catch-all template. */
    static StateStore state() {
        StateStore s = new StateStore(Runnable::run);
        s.apply(1, new Command.PreparedQuerySet(query(Q1, "web-a")));
        s.apply(2, new Command.PreparedQuerySet(query(Q2, "other")));
        s.apply(3, new Command.PreparedQuerySet(query(Q3, "")));
        s.apply(4, new Command.PreparedQuerySet(new PreparedQuery(Q4, "", "", "", new PreparedQuery.Template(
                QueryTemplate.NAME_PREFIX_MATCH, "", false), query(Q4, "").service(), "", 0, 0)));
        return s;
    }

    static boolean allowed(Op<?> op, StateStore s) {
        try {
            AclEnforcer.check(op, A, Optional.of(s), "n1", "n1");
            return true;
        } catch (AgentException e) {
            assertEquals(AgentException.Kind.PERMISSION_DENIED, e.kind());
            return false;
        }
    }

    @Test
    void writesNeedQueryWriteOnTheNameProposedAndTheNameReplaced() {
        StateStore s = state();
        assertTrue(allowed(new Queries.Create(query("", "web-b")), s));
        assertFalse(allowed(new Queries.Create(query("", "ro-x")), s), "read is not write");
        assertTrue(allowed(new Queries.Create(query("", "")), s), "an unnamed query has no name to check");
        assertFalse(allowed(new Queries.Create(new PreparedQuery("", "", "", "", new PreparedQuery.Template(
                QueryTemplate.NAME_PREFIX_MATCH, "", false), query("", "").service(), "", 0, 0)), s),
                "a catch-all template needs write on the prefix \"\"");
        assertTrue(allowed(new Queries.Update(query(Q1, "web-renamed")), s));
        assertFalse(allowed(new Queries.Update(query(Q2, "web-stolen")), s), "the stored query's name counts too");
        assertFalse(allowed(new Queries.Update(query(Q1, "other2")), s));
        assertTrue(allowed(new Queries.Update(query(Q3, "")), s), "whoever knows an unnamed query's ID");
        assertTrue(allowed(new Queries.Delete(Q1), s));
        assertFalse(allowed(new Queries.Delete(Q2), s));
        assertFalse(allowed(new Queries.Delete(Q4), s));
    }

    @Test
    void readsNeedQueryReadAndListsKeepOnlyReadableNamedQueriesWithTokensHidden() {
        StateStore s = state();
        assertTrue(allowed(new Queries.Get(Q1), s));
        assertFalse(allowed(new Queries.Get(Q2), s));
        assertTrue(allowed(new Queries.Get(Q3), s));
        assertTrue(allowed(new Queries.All(), s));
        assertTrue(allowed(new Queries.Execute("other", "", 0), s), "execution needs nothing on the query");
        assertTrue(allowed(new Queries.Run("other", "n1", "", "", 0), s));
        @SuppressWarnings("unchecked")
        List<PreparedQuery> listed = (List<PreparedQuery>) AclEnforcer.filter(new Queries.All(),
                s.preparedQueries().value(), A, false);
        assertEquals(List.of(Q1), listed.stream().map(PreparedQuery::id).toList());
        assertEquals(Queries.REDACTED, listed.get(0).token());
        @SuppressWarnings("unchecked")
        List<PreparedQuery> all = (List<PreparedQuery>) AclEnforcer.filter(new Queries.All(),
                s.preparedQueries().value(), Authorizer.manageAll(), true);
        assertEquals(4, all.size(), "management sees every query");
        assertEquals("tok", all.get(0).token());
        assertThrows(AgentException.class, () -> AclEnforcer.filter(new Queries.Explain("other", ""),
                query(Q2, "other"), A, false));
    }

    @Test
    void executionKeepsOnlyInstancesWhoseServiceAndNodeTheTokenMayRead() {
        ServiceHealth ok = new ServiceHealth(Node.of("n1", "10.0.0.1"), NodeService.of("web", "web", 80),
                List.of(HealthCheck.of("n1", "c", HealthStatus.PASSING, "web")));
        ServiceHealth hiddenNode = new ServiceHealth(Node.of("n2", "10.0.0.2"), NodeService.of("web", "web", 80),
                List.of());
        Queries.Result r = new Queries.Result(query(Q1, "web-a"), List.of(ok, hiddenNode), "dc1", 0);
        Queries.Result cut = (Queries.Result) AclEnforcer.filter(new Queries.Execute("web-a", "", 0), r, A, false);
        assertEquals(List.of(ok), cut.nodes());
        assertTrue(AclEnforcer.filters(new Queries.RunRemote(query(Q1, "web-a"), 0)));
        assertFalse(AclEnforcer.filters(new Queries.Delete(Q1)));
    }
}

package io.tribune.agent.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tribune.acl.Authorizer;
import io.tribune.acl.Rules;
import io.tribune.agent.rpc.Acl;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.AgentOps;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Events;
import io.tribune.agent.rpc.Health;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Operator;
import io.tribune.agent.rpc.Sessions;
import io.tribune.agent.rpc.Snapshots;
import io.tribune.agent.rpc.Status;
import io.tribune.agent.rpc.Txn;
import io.tribune.state.AclToken;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.ServiceHealth;
import io.tribune.state.SessionBehavior;
import io.tribune.state.TxnOp;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The table of rights per operation, and the filters of reads, under one token's rules (default deny). */
class AclEnforcerTest {
    static final Authorizer A = Authorizer.of(List.of(Rules.parse(String.join("\n",
            "key_prefix \"app/\" { policy = \"write\" }",
            "key \"app/locked\" { policy = \"read\" }",
            "service_prefix \"web\" { policy = \"write\" }",
            "node \"n1\" { policy = \"write\" }",
            "node_prefix \"\" { policy = \"read\" }",
            "session_prefix \"n1\" { policy = \"write\" }",
            "event_prefix \"deploy\" { policy = \"write\" }",
            "agent \"n1\" { policy = \"read\" }",
            "operator = \"read\""))), Authorizer.denyAll());

    static boolean allowed(Op<?> op) {
        try {
            AclEnforcer.check(op, A, Optional.empty(), "n1", "n1");
            return true;
        } catch (AgentException e) {
            assertEquals(AgentException.Kind.PERMISSION_DENIED, e.kind());
            assertEquals("Permission denied", e.getMessage());
            return false;
        }
    }

    static byte[] v() {
        return new byte[] {1};
    }

    @Test
    void rightsPerOperation() {
        Map<Op<?>, Boolean> table = new LinkedHashMap<>();
        table.put(new Kv.Set("app/x", v(), 0, OptionalLong.empty()), true);
        table.put(new Kv.Set("app/locked", v(), 0, OptionalLong.empty()), false);
        table.put(new Kv.Get("app/locked"), true);
        table.put(new Kv.Get("other"), false);
        table.put(new Kv.Delete("app/x", OptionalLong.empty()), true);
        table.put(new Kv.DeleteTree("app/"), false);
        table.put(new Kv.Entries(""), true);
        table.put(new Txn.Apply(List.of(new TxnOp(TxnOp.Verb.SET, "app/a", v(), 0, 0, ""))), true);
        table.put(new Txn.Apply(List.of(new TxnOp(TxnOp.Verb.SET, "app/a", v(), 0, 0, ""),
                new TxnOp(TxnOp.Verb.GET, "other", new byte[0], 0, 0, ""))), false);
        table.put(new Catalog.Register(Node.of("n1", "10.0.0.1"), Optional.of(NodeService.of("web", "web", 80)),
                List.of(), false), true);
        table.put(new Catalog.Register(Node.of("n2", "10.0.0.1"), Optional.empty(), List.of(), false), false);
        table.put(new Catalog.Register(Node.of("n1", "10.0.0.1"), Optional.of(NodeService.of("db", "db", 80)),
                List.of(), true), false);
        table.put(new Catalog.Deregister("n1", Optional.empty(), Optional.empty()), true);
        table.put(new Sessions.Create("", "n1", Duration.ZERO, SessionBehavior.RELEASE, Duration.ZERO,
                Optional.empty()), true);
        table.put(new Sessions.Create("", "n2", Duration.ZERO, SessionBehavior.RELEASE, Duration.ZERO,
                Optional.empty()), false);
        table.put(new Events.Fire("deploy-1", new byte[0], "", "", ""), true);
        table.put(new Events.Fire("other", new byte[0], "", "", ""), false);
        table.put(new Operator.RaftConfiguration(), true);
        table.put(new Operator.RaftRemovePeer(Optional.of("x"), Optional.empty()), false);
        table.put(new Snapshots.Save(), false);
        table.put(new Status.Leader(), true);
        table.put(new AgentOps.Self(), true);
        table.put(new AgentOps.Leave(), false);
        table.put(new AgentOps.NodeMaintenance(true, ""), true);
        table.put(new Acl.TokenList(), false);
        table.put(new Acl.Bootstrap(), true);
        table.put(new Acl.TokenSelf("s"), true);
        table.put(new Acl.PolicyWrite("", "p", "", "", List.of()), false);
        table.forEach((op, expected) -> assertEquals(expected, allowed(op), op.toString()));
    }

    @Test
    void readsAreFilteredNotRefused() {
        Node n1 = Node.of("n1", "10.0.0.1");
        NodeService web = NodeService.of("web", "web", 80);
        NodeService db = NodeService.of("db", "db", 80);
        HealthCheck nodeCheck = HealthCheck.of("n1", "serfHealth", HealthStatus.PASSING, "");
        HealthCheck webCheck = new HealthCheck("n1", "c-web", "c", HealthStatus.PASSING, "", "", "web", "web",
                List.of(), "", 0, 0);
        HealthCheck dbCheck = new HealthCheck("n1", "c-db", "c", HealthStatus.PASSING, "", "", "db", "db", List.of(),
                "", 0, 0);
        assertEquals(List.of(nodeCheck, webCheck), AclEnforcer.filter(new Health.NodeChecks("n1"),
                List.of(nodeCheck, webCheck, dbCheck), A, false));
        assertEquals(List.of(new ServiceHealth(n1, web, List.of())), AclEnforcer.filter(
                new Health.ServiceNodes("x", List.of(), false, Map.of()), List.of(new ServiceHealth(n1, web, List.of()),
                        new ServiceHealth(n1, db, List.of())), A, false));
        Map<String, List<String>> services = new LinkedHashMap<>();
        services.put("web", List.of());
        services.put("db", List.of());
        assertEquals(Map.of("web", List.of()), AclEnforcer.filter(new Catalog.Services(Map.of()), services, A, false));
        assertEquals(List.of("app/a"), AclEnforcer.filter(new Kv.Keys("", ""), List.of("app/a", "b"), A, false));
        assertEquals(List.of(), AclEnforcer.filter(new Catalog.ServiceNodes("db", List.of(), Map.of()), List.of(), A,
                false));
        AclToken t = new AclToken("a", "secret", "", List.of(), false, 0, "", "", "", 0, 0);
        @SuppressWarnings("unchecked")
        Optional<Acl.TokenInfo> hidden = (Optional<Acl.TokenInfo>) AclEnforcer.filter(new Acl.TokenRead("a"),
                Optional.of(new Acl.TokenInfo(t, List.of())), A, false);
        assertEquals("<hidden>", hidden.orElseThrow().token().secretId());
        @SuppressWarnings("unchecked")
        Optional<Acl.TokenInfo> shown = (Optional<Acl.TokenInfo>) AclEnforcer.filter(new Acl.TokenRead("a"),
                Optional.of(new Acl.TokenInfo(t, List.of())), A, true);
        assertEquals("secret", shown.orElseThrow().token().secretId());
    }

    @Test
    void unknownOperationsNeedOperatorRights() {
        record Mystery() implements Op.Write<Boolean> {
        }
        assertThrows(AgentException.class, () -> AclEnforcer.check(new Mystery(), A, Optional.empty(), "n1", "n1"));
        AclEnforcer.check(new Mystery(), Authorizer.manageAll(), Optional.empty(), "n1", "n1");
    }
}

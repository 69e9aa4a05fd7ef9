package io.tribune.agent.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tribune.acl.Authorizer;
import io.tribune.acl.Rules;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.MetricsOps;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code /v1/agent/metrics} needs {@code agent:read} on the local node, as in Consul, in both formats. */
class MetricsAclTest {

    static Authorizer token(String rules) {
        return Authorizer.of(List.of(Rules.parse(rules)), Authorizer.denyAll());
    }

    @Test
    void agentReadOnTheLocalNodeIsNeeded() {
        for (boolean prometheus : new boolean[] {false, true}) {
            MetricsOps.Read op = new MetricsOps.Read(prometheus);
            AclEnforcer.check(op, token("agent \"n1\" { policy = \"read\" }"), Optional.empty(), "n1", "n1");
            AclEnforcer.check(op, token("agent_prefix \"\" { policy = \"write\" }"), Optional.empty(), "n1", "n1");
            AgentException e = assertThrows(AgentException.class, () -> AclEnforcer.check(op,
                    token("agent \"n2\" { policy = \"read\" }"), Optional.empty(), "n1", "n1"));
            assertEquals(AgentException.Kind.PERMISSION_DENIED, e.kind());
            assertThrows(AgentException.class, () -> AclEnforcer.check(op, token("node_prefix \"\" { policy = \"write\" }"),
                    Optional.empty(), "n1", "n1"));
        }
    }
}

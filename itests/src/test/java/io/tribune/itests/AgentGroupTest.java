package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * What {@link AgentGroup} decides without starting a process: node names and the errors for unknown
 * names. Starting, cleanup and waiting are covered by the ITs that use it (ClusterIT,
 * MultiDatacenterIT, CoordinatesIT, PreparedQueryIT, AclReplicationIT).
 */
class AgentGroupTest {
    @Test
    void nodeNamesCarryDatacenterRoleAndLastOctet() {
        assertEquals("dc1-server-1", AgentGroup.nodeName("127.0.14.1", "dc1", true));
        assertEquals("dc2-client-12", AgentGroup.nodeName("127.0.14.12", "dc2", false));
        assertEquals("server-2", AgentGroup.nodeName("127.0.0.2", null, true));
        assertEquals("client-6", AgentGroup.nodeName("127.0.0.6", null, false));
    }

    @Test
    void unknownNamesAreRefusedWithTheNamesThereAre() {
        try (AgentGroup g = new AgentGroup()) {
            IllegalArgumentException get = assertThrows(IllegalArgumentException.class, () -> g.get("server-9"));
            assertTrue(get.getMessage().contains("server-9") && get.getMessage().contains("[]"), get.getMessage());
            assertThrows(IllegalArgumentException.class, () -> g.remove("server-9"));
            assertTrue(g.byName().isEmpty());
            assertThrows(UnsupportedOperationException.class, () -> g.byName().clear());
        }
    }
}

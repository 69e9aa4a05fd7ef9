package io.tribune.agent.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.state.CommandValidator;
import io.tribune.state.RequestId;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Request ids: distinct within an agent; derived values the same on every server, unrelated across labels. */
class RequestIdsTest {

    @Test
    void idsOfOneAgentAreDistinctAndShareItsPrefix() {
        RequestIds ids = new RequestIds(77);
        Set<RequestId> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            RequestId id = ids.next();
            assertEquals(77, id.hi());
            assertTrue(seen.add(id), "repeated " + id);
        }
        assertNotEquals(RequestIds.create().next().hi(), RequestIds.create().next().hi(),
                "two agents drew the same 64-bit prefix");
    }

    @Test
    void derivedValuesDependOnlyOnTheIdAndTheLabel() {
        RequestId a = new RequestId(1, 2);
        assertEquals(RequestIds.uuid(a, "session"), RequestIds.uuid(new RequestId(1, 2), "session"));
        assertNotEquals(RequestIds.uuid(a, "session"), RequestIds.uuid(a, "event"));
        assertNotEquals(RequestIds.uuid(a, "session"), RequestIds.uuid(new RequestId(1, 3), "session"));
        assertEquals(RequestIds.derive(a, "restore-begin"), RequestIds.derive(a, "restore-begin"));
        assertNotEquals(RequestIds.derive(a, "restore-begin"), RequestIds.derive(a, "restore-commit"));
        assertNotEquals(a, RequestIds.derive(a, "restore-begin"));
        String uuid = RequestIds.uuid(a, "session");
        assertTrue(CommandValidator.isSessionId(uuid), uuid);
        assertEquals('4', uuid.charAt(14), "version 4 layout: " + uuid);
        assertTrue("89ab".indexOf(uuid.charAt(19)) >= 0, "IETF variant: " + uuid);
    }
}

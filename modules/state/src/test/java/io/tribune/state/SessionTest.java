package io.tribune.state;

import static io.tribune.state.Harness.S1;
import static io.tribune.state.Harness.S2;
import static io.tribune.state.Harness.bool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionTest {
    private final Harness h = new Harness();

    private CommandResult create(String id, String node, List<String> checks) {
        return h.run(new Command.SessionCreate(new Session(id, "n", node, 0, SessionBehavior.RELEASE, 0, checks, 0,
                0, 0)));
    }

    @Test
    void sessionNeedsARegisteredNodeAndHealthyChecks() {
        assertEquals(CommandResult.Failed.Kind.NOT_FOUND, ((CommandResult.Failed) create(S1, "n1", List.of())).kind());
        h.nodeWithCheck("n1", "serfHealth", HealthStatus.PASSING);
        assertEquals(CommandResult.Failed.Kind.NOT_FOUND,
                ((CommandResult.Failed) create(S1, "n1", List.of("missing"))).kind());
        h.nodeWithCheck("n1", "disk", HealthStatus.CRITICAL);
        assertEquals(CommandResult.Failed.Kind.REJECTED,
                ((CommandResult.Failed) create(S1, "n1", List.of("disk"))).kind());
        Harness.ok(create(S1, "n1", List.of("serfHealth")));
        assertInstanceOf(CommandResult.Failed.class, create(S1, "n1", List.of()), "ids are unique");
        Session s = h.store.session(S1).value().orElseThrow();
        assertEquals(List.of("serfHealth"), s.nodeChecks());
        assertEquals(h.index - 1, s.createIndex());
        assertEquals(1, h.store.nodeSessions("n1").value().size());
        assertEquals(1, h.store.sessions().value().size());
    }

    @Test
    void checkTurningCriticalInvalidatesBoundSessionsAndReleasesLocks() {
        h.nodeWithCheck("n1", "serfHealth", HealthStatus.PASSING);
        Harness.ok(create(S1, "n1", List.of("serfHealth")));
        Harness.ok(create(S2, "n1", List.of()));
        assertTrue(bool(h.acquire("lock", "v", S1, 0)));
        h.nodeWithCheck("n1", "serfHealth", HealthStatus.CRITICAL);
        assertTrue(h.store.session(S1).value().isEmpty(), "bound session invalidated");
        assertTrue(h.store.session(S2).value().isPresent(), "unbound session survives");
        assertEquals("", h.get("lock").session());
    }

    @Test
    void deregisteringTheNodeInvalidatesItsSessions() {
        h.node("n1");
        h.node("n2");
        h.session(S1, "n1", SessionBehavior.DELETE, 0, 0, List.of(), 0);
        h.session(S2, "n2", SessionBehavior.DELETE, 0, 0, List.of(), 0);
        h.acquire("a", "1", S1, 0);
        h.acquire("b", "2", S2, 0);
        h.run(new Command.Deregister("n1", Optional.empty(), Optional.empty(), 0));
        assertTrue(h.store.session(S1).value().isEmpty());
        assertTrue(h.get("a") == null, "delete behaviour deleted the held key");
        assertEquals(S2, h.get("b").session());
    }

    @Test
    void deregisteringABoundCheckInvalidatesTheSession() {
        h.nodeWithCheck("n1", "c1", HealthStatus.PASSING);
        Harness.ok(create(S1, "n1", List.of("c1")));
        h.run(new Command.Deregister("n1", Optional.empty(), Optional.of("c1"), 0));
        assertTrue(h.store.session(S1).value().isEmpty());
    }

    @Test
    void renewMovesLastRenewalWithoutMovingIndexes() {
        h.node("n1");
        h.session(S1, "n1", SessionBehavior.RELEASE, 0, 30_000, List.of(), 1_000);
        long idx = h.store.tableIndex(Table.SESSIONS);
        var watcher = h.store.watch(WatchTarget.table(Table.SESSIONS), idx);
        Harness.ok(h.run(new Command.SessionRenew(S1, 20_000)));
        h.drain();
        assertFalse(watcher.isDone(), "renewals wake no watcher");
        assertEquals(idx, h.store.tableIndex(Table.SESSIONS));
        Session s = h.store.session(S1).value().orElseThrow();
        assertEquals(20_000, s.lastRenewMillis());
        assertEquals(20_000 + 2 * 30_000, s.expiresAtMillis());
        assertEquals(CommandResult.Failed.Kind.NOT_FOUND,
                ((CommandResult.Failed) h.run(new Command.SessionRenew(S2, 0))).kind());
    }

    @Test
    void leaderDutyListsTtlSessionsAndBuildsInvalidations() {
        h.node("n1");
        h.session(S1, "n1", SessionBehavior.RELEASE, 0, 10_000, List.of(), 0);
        h.session(S2, "n1", SessionBehavior.RELEASE, 0, 0, List.of(), 0);
        assertEquals(List.of(S1), h.store.sessionsWithTtl().stream().map(Session::id).toList());
        assertTrue(h.store.expiredSessionInvalidations(19_999).isEmpty());
        List<Command> cmds = h.store.expiredSessionInvalidations(20_000);
        assertEquals(List.of(new Command.SessionDestroy(S1, 20_000)), cmds);
        assertTrue(bool(h.run(cmds.get(0))));
        assertTrue(h.store.sessionsWithTtl().isEmpty());
    }

    @Test
    void sessionValidationBoundsTtlAndLockDelay() {
        Session tooShort = new Session(S1, "", "n1", 0, SessionBehavior.RELEASE, 5_000, List.of(), 0, 0, 0);
        assertTrue(CommandValidator.validate(new Command.SessionCreate(tooShort)).orElseThrow().contains("TTL"));
        Session longDelay = new Session(S1, "", "n1", 61_000, SessionBehavior.RELEASE, 0, List.of(), 0, 0, 0);
        assertTrue(CommandValidator.validate(new Command.SessionCreate(longDelay)).orElseThrow()
                .contains("lock-delay"));
        Session badId = new Session("not-a-uuid", "", "n1", 0, SessionBehavior.RELEASE, 0, List.of(), 0, 0, 0);
        assertTrue(CommandValidator.validate(new Command.SessionCreate(badId)).orElseThrow().contains("UUID"));
    }
}

package io.tribune.state;

import static io.tribune.state.Harness.S1;
import static io.tribune.state.Harness.S2;
import static io.tribune.state.Harness.bool;
import static io.tribune.state.Harness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class StateStoreKvTest {

    private final Harness h = new Harness();

    @Test
    void putCreatesEntryWithIndexesAndFlags() {
        assertTrue(bool(h.run(new Command.KvSet("a/b", bytes("v1"), 42, OptionalLong.empty()))));
        KvEntry e = h.get("a/b");
        assertEquals(new KvEntry("a/b", 1, 1, 0, 42, bytes("v1"), ""), e);
        assertEquals(1, h.store.kvGet("a/b").index());
        assertEquals(1, h.store.tableIndex(Table.KVS));
    }

    @Test
    void updateKeepsCreateIndexAndMovesModifyIndex() {
        h.put("k", "v1");
        h.put("other", "x");
        h.put("k", "v2");
        KvEntry e = h.get("k");
        assertEquals(1, e.createIndex());
        assertEquals(3, e.modifyIndex());
        assertEquals("v2", h.value("k"));
        assertEquals(3, h.store.kvGet("k").index());
    }

    @Test
    void casZeroCreatesOnlyWhenAbsent() {
        assertTrue(h.cas("k", "first", 0));
        assertFalse(h.cas("k", "second", 0));
        assertEquals("first", h.value("k"));
    }

    @Test
    void casWithModifyIndexSucceedsOnlyWhenCurrent() {
        h.put("k", "v1");
        long idx = h.get("k").modifyIndex();
        assertTrue(h.cas("k", "v2", idx));
        assertFalse(h.cas("k", "v3", idx), "stale index must fail");
        assertEquals("v2", h.value("k"));
        assertFalse(h.cas("missing", "v", 5), "cas on a missing key with a non-zero index fails");
        assertNull(h.get("missing"));
    }

    @Test
    void failedCasChangesNothingButTheAppliedIndex() {
        h.put("k", "v1");
        long kvIndex = h.store.tableIndex(Table.KVS);
        assertFalse(h.cas("k", "v2", 99));
        assertEquals(kvIndex, h.store.tableIndex(Table.KVS));
        assertEquals(2, h.store.lastIndex());
    }

    @Test
    void deleteRemovesKeyAndLeavesTombstoneThatMovesTheIndex() {
        h.put("p/a", "1");
        h.put("p/b", "2");
        h.put("q", "3");
        assertTrue(h.delete("p/b"));
        assertNull(h.get("p/b"));
        assertEquals(1, h.store.kvTombstoneCount());
        assertEquals(4, h.store.kvList("p/").index(), "the tombstone carries the prefix index");
        assertEquals(4, h.store.kvGet("p/b").index());
        assertEquals(List.of("p/a"), h.store.kvKeys("p/", "").value());
    }

    @Test
    void deleteOfMissingKeyIsTrueAndChangesNothing() {
        h.put("k", "v");
        assertTrue(h.delete("nope"));
        assertEquals(0, h.store.kvTombstoneCount());
        assertEquals(1, h.store.tableIndex(Table.KVS));
    }

    @Test
    void deleteWithCasChecksModifyIndex() {
        h.put("k", "v");
        assertFalse(bool(h.run(new Command.KvDelete("k", OptionalLong.of(7)))));
        assertEquals("v", h.value("k"));
        assertTrue(bool(h.run(new Command.KvDelete("k", OptionalLong.of(1)))));
        assertNull(h.get("k"));
    }

    @Test
    void deleteTreeRemovesOnlyKeysUnderThePrefix() {
        h.put("app/a", "1");
        h.put("app/b/c", "2");
        h.put("apple", "3");
        h.put("b", "4");
        assertTrue(bool(h.run(new Command.KvDeleteTree("app/"))));
        assertEquals(List.of("apple", "b"), h.store.kvKeys("", null).value());
        assertEquals(2, h.store.kvTombstoneCount());
    }

    @Test
    void recursiveListIsInKeyOrderAndBoundedByPrefix() {
        h.put("web/2", "b");
        h.put("web/1", "a");
        h.put("web", "root");
        h.put("wec", "x");
        h.put("weba", "y");
        List<KvEntry> l = h.store.kvList("web/").value();
        assertEquals(List.of("web/1", "web/2"), l.stream().map(KvEntry::key).toList());
        assertEquals(List.of("web", "web/1", "web/2", "weba"),
                h.store.kvList("web").value().stream().map(KvEntry::key).toList());
    }

    @Test
    void keysWithSeparatorCollapseSubtrees() {
        h.put("a/b/c", "1");
        h.put("a/b/d", "2");
        h.put("a/e", "3");
        h.put("a/f/", "4");
        h.put("x", "5");
        assertEquals(List.of("a/b/", "a/e", "a/f/"), h.store.kvKeys("a/", "/").value());
        assertEquals(List.of("a/", "x"), h.store.kvKeys("", "/").value());
        assertEquals(List.of("a/b/c", "a/b/d", "a/e", "a/f/", "x"), h.store.kvKeys("", "").value());
    }

    @Test
    void acquireSetsSessionAndIncrementsLockIndex() {
        h.node("n1");
        h.session(S1, "n1", SessionBehavior.RELEASE, 0, 0, List.of(), 0);
        assertTrue(bool(h.acquire("lock", "me", S1, 0)));
        KvEntry e = h.get("lock");
        assertEquals(S1, e.session());
        assertEquals(1, e.lockIndex());
        // Re-acquiring by the holder updates the value without a new lock generation.
        assertTrue(bool(h.acquire("lock", "me2", S1, 0)));
        assertEquals(1, h.get("lock").lockIndex());
        assertEquals("me2", h.value("lock"));
    }

    @Test
    void acquireHeldByAnotherSessionFails() {
        h.node("n1");
        h.session(S1, "n1", SessionBehavior.RELEASE, 0, 0, List.of(), 0);
        h.session(S2, "n1", SessionBehavior.RELEASE, 0, 0, List.of(), 0);
        assertTrue(bool(h.acquire("lock", "one", S1, 0)));
        assertFalse(bool(h.acquire("lock", "two", S2, 0)));
        assertEquals(S1, h.get("lock").session());
        assertEquals("one", h.value("lock"));
    }

    @Test
    void acquireWithUnknownSessionIsRejected() {
        CommandResult r = h.acquire("lock", "x", S1, 0);
        assertInstanceOf(CommandResult.Failed.class, r);
        assertEquals(CommandResult.Failed.Kind.REJECTED, ((CommandResult.Failed) r).kind());
        assertNull(h.get("lock"));
    }

    @Test
    void releaseClearsSessionAndNextAcquireIncrementsLockIndex() {
        h.node("n1");
        h.session(S1, "n1", SessionBehavior.RELEASE, 0, 0, List.of(), 0);
        h.session(S2, "n1", SessionBehavior.RELEASE, 0, 0, List.of(), 0);
        h.acquire("lock", "a", S1, 0);
        assertFalse(h.release("lock", "b", S2), "only the holder may release");
        assertTrue(h.release("lock", "released", S1));
        KvEntry e = h.get("lock");
        assertEquals("", e.session());
        assertEquals("released", h.value("lock"));
        assertEquals(1, e.lockIndex());
        assertTrue(bool(h.acquire("lock", "b", S2, 0)));
        assertEquals(2, h.get("lock").lockIndex());
        assertFalse(h.release("missing", "", S1));
    }

    @Test
    void plainPutOnLockedKeyKeepsTheLock() {
        h.node("n1");
        h.session(S1, "n1", SessionBehavior.RELEASE, 0, 0, List.of(), 0);
        h.acquire("lock", "a", S1, 0);
        h.put("lock", "overwritten");
        assertEquals(S1, h.get("lock").session());
        assertEquals(1, h.get("lock").lockIndex());
        assertEquals("overwritten", h.value("lock"));
    }

    @Test
    void sessionDestroyWithReleaseBehaviourUnlocksKeysAndStartsLockDelay() {
        h.node("n1");
        h.session(S1, "n1", SessionBehavior.RELEASE, 15_000, 0, List.of(), 0);
        h.session(S2, "n1", SessionBehavior.RELEASE, 0, 0, List.of(), 0);
        h.acquire("lock", "a", S1, 1_000);
        assertTrue(bool(h.run(new Command.SessionDestroy(S1, 10_000))));
        KvEntry e = h.get("lock");
        assertEquals("", e.session());
        assertEquals("a", h.value("lock"), "release keeps the value");
        assertEquals(25_000L, h.store.kvLockDelay("lock").orElseThrow());
        assertFalse(bool(h.acquire("lock", "b", S2, 24_999)), "lock-delay blocks acquisition");
        assertTrue(bool(h.acquire("lock", "b", S2, 25_000)), "expired lock-delay allows it");
        assertEquals(2, h.get("lock").lockIndex());
    }

    @Test
    void sessionDestroyWithDeleteBehaviourDeletesHeldKeys() {
        h.node("n1");
        h.session(S1, "n1", SessionBehavior.DELETE, 0, 0, List.of(), 0);
        h.acquire("a", "1", S1, 0);
        h.acquire("b", "2", S1, 0);
        h.put("c", "3");
        assertTrue(bool(h.run(new Command.SessionDestroy(S1, 0))));
        assertNull(h.get("a"));
        assertNull(h.get("b"));
        assertEquals("3", h.value("c"));
        assertEquals(2, h.store.kvTombstoneCount());
        assertTrue(h.store.kvLockDelay("a").isEmpty(), "no lock-delay configured");
        assertFalse(bool(h.run(new Command.SessionDestroy(S1, 0))), "already gone");
    }

    @Test
    void deletingALockedKeyForgetsTheLock() {
        h.node("n1");
        h.session(S1, "n1", SessionBehavior.DELETE, 0, 0, List.of(), 0);
        h.acquire("a", "1", S1, 0);
        h.delete("a");
        h.put("a", "again");
        h.run(new Command.SessionDestroy(S1, 0));
        assertEquals("again", h.value("a"), "a session must not delete a key it no longer holds");
    }

    @Test
    void tombstoneReapForgetsOldTombstonesAndKeepsIndexesMonotonic() {
        h.put("p/a", "1");       // 1
        h.put("p/b", "2");       // 2
        h.delete("p/b");         // 3
        h.put("z", "x");         // 4
        h.delete("z");           // 5
        assertEquals(3, h.store.kvList("p/").index());
        CommandResult r = h.run(new Command.TombstoneReap(4, 0)); // 6
        assertEquals(new CommandResult.Count(1), r);
        assertEquals(1, h.store.kvTombstoneCount());
        long after = h.store.kvList("p/").index();
        assertTrue(after >= 3, "index must not go back to p/a's 1 after the reap, was " + after);
        assertEquals(6, after);
        assertEquals(5, h.store.kvGet("z").index(), "younger tombstone kept");
        assertEquals(new CommandResult.Count(1), h.run(new Command.TombstoneReap(7, 0)));
        assertEquals(0, h.store.kvTombstoneCount());
        assertTrue(h.store.kvGet("z").index() >= 5);
    }

    @Test
    void reapDropsExpiredLockDelays() {
        h.node("n1");
        h.session(S1, "n1", SessionBehavior.RELEASE, 5_000, 0, List.of(), 0);
        h.acquire("lock", "a", S1, 0);
        h.run(new Command.SessionDestroy(S1, 1_000));
        h.run(new Command.TombstoneReap(0, 5_999));
        assertTrue(h.store.kvLockDelay("lock").isPresent());
        h.run(new Command.TombstoneReap(0, 6_000));
        assertTrue(h.store.kvLockDelay("lock").isEmpty());
    }

    @Test
    void valueIsCopiedInAndOut() {
        byte[] v = bytes("abc");
        h.run(new Command.KvSet("k", v, 0, OptionalLong.empty()));
        v[0] = 'X';
        byte[] out = h.get("k").value();
        out[1] = 'Y';
        assertArrayEquals(bytes("abc"), h.get("k").value());
    }

    @Test
    void missingKeyReportsTheTableIndex() {
        h.put("a", "1");
        h.put("b", "2");
        assertEquals(2, h.store.kvGet("nothing").index());
        assertEquals(2, h.store.kvList("nothing/").index());
        assertEquals(1, new StateStore(Runnable::run).kvGet("x").index(), "never 0");
    }
}

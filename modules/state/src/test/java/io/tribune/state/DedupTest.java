package io.tribune.state;

import static io.tribune.state.Harness.S1;
import static io.tribune.state.Harness.S2;
import static io.tribune.state.Harness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Writes carrying a client request id ({@link Command.Dedup}) apply at most once: a retry with
 * the same id gets the first result and index and changes nothing (Raft thesis §6.3); the table
 * of ids is bounded by log time and entry count, travels in snapshots, and survives a user's
 * restore.
 */
class DedupTest {
    private static final RequestId R1 = new RequestId(0x1111, 1);
    private static final RequestId R2 = new RequestId(0x1111, 2);
    private static final RequestId R3 = new RequestId(0x1111, 3);
    private static final long T0 = 1_700_000_000_000L;

    private final Harness h = new Harness();

    private CommandResult once(RequestId id, long now, Command c) {
        return h.run(new Command.Dedup(id, now, c));
    }

    private static Command.KvSet set(String key, String value) {
        return new Command.KvSet(key, bytes(value), 0, OptionalLong.empty());
    }

    private static Command.KvSet cas(String key, String value, long index) {
        return new Command.KvSet(key, bytes(value), 0, OptionalLong.of(index));
    }

    private static Session session(String id) {
        return new Session(id, "s", "n1", 0, SessionBehavior.RELEASE, 0, List.of(), T0, 0, 0);
    }

    @Test
    void kvSetRetryReturnsTheFirstResultAndIndexAndChangesNothing() {
        assertEquals(new CommandResult.Bool(true), once(R1, T0, set("k", "v1")));
        long first = h.index;
        long kvsIndex = h.store.tableIndex(Table.KVS);
        CompletableFuture<Long> watcher = h.store.watch(WatchTarget.kvKey("k"), first);
        List<Long> published = new ArrayList<>();
        h.store.subscribe(new ChangeListener() {
            @Override
            public void onChanges(long index, List<Change> changes) {
                published.add(index);
            }
        });

        assertEquals(new CommandResult.Repeated(first, new CommandResult.Bool(true)), once(R1, T0, set("k", "v1")));
        // A retry built on another server may differ (its clock, its defaults): still the first answer.
        assertEquals(new CommandResult.Repeated(first, new CommandResult.Bool(true)),
                once(R1, T0 + 5, set("k", "other")));

        assertEquals("v1", h.value("k"));
        assertEquals(first, h.get("k").modifyIndex());
        assertEquals(kvsIndex, h.store.tableIndex(Table.KVS));
        assertEquals(first + 2, h.store.lastIndex(), "only the applied index moves");
        assertEquals(1, h.store.dedupEntries());
        h.drain();
        assertFalse(watcher.isDone(), "a repeat woke a watcher");
        assertEquals(List.of(), published, "a repeat published changes");
        assertEquals(OptionalLong.of(first), h.store.requestIndex(R1));
    }

    @Test
    void casRetryAnswersTrueAlthoughTheCasItselfWouldNowFail() {
        assertTrue(h.put("k", "v0"));
        long m0 = h.get("k").modifyIndex();
        assertEquals(new CommandResult.Bool(true), once(R1, T0, cas("k", "v1", m0)));
        long applied = h.index;
        // The lost-reply retry: the same request again.
        assertEquals(new CommandResult.Repeated(applied, new CommandResult.Bool(true)),
                once(R1, T0, cas("k", "v1", m0)));
        assertEquals(applied, h.get("k").modifyIndex(), "ModifyIndex moved exactly once");
        // What the envelope prevents: the same CAS applied a second time answers false.
        assertFalse(Harness.bool(h.run(cas("k", "v1", m0))));
    }

    @Test
    void txnRetryAppliesNoOperationAgain() {
        Command txn = new Command.KvTxn(List.of(new TxnOp(TxnOp.Verb.SET, "a", bytes("1"), 0, 0, ""),
                new TxnOp(TxnOp.Verb.SET, "b", bytes("2"), 0, 0, "")), T0);
        CommandResult first = once(R1, T0, txn);
        CommandResult.TxnOutcome outcome = assertInstanceOf(CommandResult.TxnOutcome.class, first);
        assertTrue(outcome.committed());
        long applied = h.index;
        assertEquals(new CommandResult.Repeated(applied, first), once(R1, T0, txn));
        assertEquals(applied, h.get("a").modifyIndex());
        assertEquals(applied, h.get("b").modifyIndex());
    }

    @Test
    void lockAcquireRetryDoesNotTakeTheLockAgainAfterARelease() {
        h.node("n1");
        h.session(S1, "n1", SessionBehavior.RELEASE, 0, 0, List.of(), T0);
        Command acquire = new Command.KvAcquire("lock", bytes("me"), 0, S1, T0);
        assertEquals(new CommandResult.Bool(true), once(R1, T0, acquire));
        long acquired = h.index;
        assertTrue(h.release("lock", "free", S1));
        assertEquals(new CommandResult.Repeated(acquired, new CommandResult.Bool(true)), once(R1, T0, acquire));
        assertEquals("", h.get("lock").session(), "the late retry took the lock again");
        assertEquals(1, h.get("lock").lockIndex());
    }

    @Test
    void sessionCreateRetryMakesNoSecondSessionAndNoIdTakenError() {
        h.node("n1");
        assertEquals(new CommandResult.Done(), once(R1, T0, new Command.SessionCreate(session(S1))));
        long created = h.index;
        assertEquals(new CommandResult.Repeated(created, new CommandResult.Done()),
                once(R1, T0, new Command.SessionCreate(session(S1))));
        // Even a retry that another server built with another session id creates nothing.
        assertEquals(new CommandResult.Repeated(created, new CommandResult.Done()),
                once(R1, T0, new Command.SessionCreate(session(S2))));
        assertEquals(List.of(S1), h.store.sessions().value().stream().map(Session::id).toList());
        // Without the envelope the second create is refused: the id is taken.
        assertInstanceOf(CommandResult.Failed.class, h.run(new Command.SessionCreate(session(S1))));
    }

    @Test
    void aFailedResultIsRecordedSoTheRetryGetsTheSameFailure() {
        h.node("n1");
        Command acquire = new Command.KvAcquire("lock", bytes("me"), 0, S1, T0);
        CommandResult refused = once(R1, T0, acquire);
        assertInstanceOf(CommandResult.Failed.class, refused, "no such session yet");
        long at = h.index;
        h.session(S1, "n1", SessionBehavior.RELEASE, 0, 0, List.of(), T0);
        assertEquals(new CommandResult.Repeated(at, refused), once(R1, T0, acquire));
        assertTrue(h.get("lock") == null, "the retry acquired the lock on the changed state");
        // An envelope that fails validation is recorded as well.
        CommandResult invalid = once(R2, -1, set("k", "v"));
        long refusedAt = h.index;
        assertEquals(CommandResult.Failed.Kind.INVALID, ((CommandResult.Failed) invalid).kind());
        assertEquals(new CommandResult.Repeated(refusedAt, invalid), once(R2, -1, set("k", "v")));
    }

    @Test
    void differentIdsApplyEachOne() {
        assertEquals(new CommandResult.Bool(true), once(R1, T0, set("k", "v1")));
        assertEquals(new CommandResult.Bool(true), once(R2, T0, set("k", "v2")));
        assertEquals(new CommandResult.Bool(true), once(R3, T0, set("k", "v3")));
        assertEquals("v3", h.value("k"));
        assertEquals(h.index, h.get("k").modifyIndex());
        assertEquals(3, h.store.dedupEntries());
    }

    @Test
    void aRequestIsForgottenAfterTwoGenerationsOfLogTimeAndItsRetryThenAppliesAgain() {
        long gen = StateStore.DEDUP_GENERATION_MILLIS;
        assertEquals(new CommandResult.Bool(true), once(R1, T0, set("k", "v1")));
        // Writes without an id (leader duties) move no log clock: nothing ages.
        for (int i = 0; i < 100; i++) {
            assertTrue(h.put("other", "x" + i));
        }
        assertTrue(h.store.requestIndex(R1).isPresent());
        // One generation of log time later the first generation closes but is still kept.
        assertEquals(new CommandResult.Bool(true), once(R2, T0 + gen, set("x", "1")));
        assertTrue(h.store.requestIndex(R1).isPresent(), "forgotten after one generation");
        assertInstanceOf(CommandResult.Repeated.class, once(R1, T0 + gen, set("k", "v1")));
        // A second generation later it is dropped: the documented limit, past which a retry applies again.
        assertEquals(new CommandResult.Bool(true), once(R3, T0 + 2 * gen, set("y", "1")));
        assertEquals(OptionalLong.empty(), h.store.requestIndex(R1));
        assertEquals(2, h.store.dedupEntries());
        long before = h.get("k").modifyIndex();
        assertEquals(new CommandResult.Bool(true), once(R1, T0 + 2 * gen, set("k", "v1")));
        assertTrue(h.get("k").modifyIndex() > before);
    }

    @Test
    void aResultTooLargeToKeepIsAnsweredWithANoticeAndStillNotAppliedAgain() {
        byte[] big = new byte[StateStore.DEDUP_MAX_RESULT_BYTES + 1];
        h.run(new Command.KvSet("big", big, 0, OptionalLong.empty()));
        Command read = new Command.KvTxn(List.of(new TxnOp(TxnOp.Verb.GET, "big", null, 0, 0, ""),
                new TxnOp(TxnOp.Verb.SET, "n", bytes("1"), 0, 0, "")), T0);
        CommandResult.TxnOutcome first = assertInstanceOf(CommandResult.TxnOutcome.class, once(R1, T0, read));
        assertArrayEquals(big, first.results().get(0).value());
        long applied = h.index;
        CommandResult.Repeated again = assertInstanceOf(CommandResult.Repeated.class, once(R1, T0, read));
        assertEquals(applied, again.index());
        CommandResult.Failed notice = assertInstanceOf(CommandResult.Failed.class, again.result());
        assertEquals(CommandResult.Failed.Kind.REJECTED, notice.kind());
        assertTrue(notice.message().contains("already applied at index " + applied), notice.message());
        assertEquals(applied, h.get("n").modifyIndex());
    }

    @Test
    void aRestoredSnapshotDedupsLikeTheServerThatReplayedTheLog() throws IOException {
        long gen = StateStore.DEDUP_GENERATION_MILLIS;
        List<Command> before = List.of(new Command.Dedup(R1, T0, set("a", "1")), set("plain", "p"),
                new Command.Dedup(R2, T0 + gen / 2, cas("a", "2", 1)));
        List<Command> after = List.of(new Command.Dedup(R1, T0, set("a", "x")), // a retry: repeated
                new Command.Dedup(R3, T0 + gen + 1, set("b", "1")), // closes a generation
                new Command.Dedup(R2, T0, cas("a", "2", 1)), // still kept: repeated
                new Command.Dedup(new RequestId(9, 9), T0 + 2 * gen + 2, set("c", "1")), // drops R1 and R2
                new Command.Dedup(R1, T0, set("a", "again")), // forgotten: applies again
                new Command.Dedup(R3, T0, set("b", "2"))); // one generation back: repeated
        for (Command c : before) {
            h.run(c);
        }
        byte[] snap = SnapshotTest.snapshotBytes(h.store);
        assertEquals(3, snap[11], "a snapshot holding requests is format version 3");
        Harness restored = new Harness();
        restored.store.restore(h.index, 1, new ByteArrayInputStream(snap));
        restored.index = h.index;
        assertEquals(h.store.dedupEntries(), restored.store.dedupEntries());
        assertEquals(h.store.requestIndex(R1), restored.store.requestIndex(R1));
        List<Class<?>> expected = List.of(CommandResult.Repeated.class, CommandResult.Bool.class,
                CommandResult.Repeated.class, CommandResult.Bool.class, CommandResult.Bool.class,
                CommandResult.Repeated.class);
        for (int i = 0; i < after.size(); i++) {
            CommandResult r = h.run(after.get(i));
            assertEquals(expected.get(i), r.getClass(), after.get(i).toString());
            assertEquals(r, restored.run(after.get(i)), after.get(i).toString());
        }
        assertEquals("again", restored.value("a"));
        assertEquals("1", restored.value("b"));
        assertArrayEquals(SnapshotTest.snapshotBytes(h.store), SnapshotTest.snapshotBytes(restored.store),
                "the replayed and the restored server diverged");
    }

    @Test
    void aSnapshotWithAStagedRestoreAndRequestsKeepsBoth() throws IOException {
        h.run(new Command.Dedup(R1, T0, set("a", "1")));
        byte[] user = SnapshotTest.snapshotBytes(SnapshotTest.populated().store);
        String id = "55555555-5555-5555-5555-555555555555";
        h.run(new Command.Dedup(R2, T0, new Command.RestoreBegin(id, user.length, StagedRestoreTest.crc(user))));
        h.run(new Command.Dedup(R3, T0, new Command.RestoreChunk(id, 0, java.util.Arrays.copyOf(user, 10))));
        byte[] snap = SnapshotTest.snapshotBytes(h.store);
        assertEquals(3, snap[11]);
        StateStore copy = new StateStore(Runnable::run);
        copy.restore(h.index, 1, new ByteArrayInputStream(snap));
        assertEquals(OptionalLong.of(10), copy.stagedRestoreBytes());
        assertEquals(OptionalLong.of(h.index), copy.requestIndex(R3));
        assertArrayEquals(snap, SnapshotTest.snapshotBytes(copy));
    }

    @Test
    void aUserRestoreThroughTheLogKeepsTheLiveTableAndRecordsItsOwnSteps() throws IOException {
        assertEquals(new CommandResult.Bool(true), once(R1, T0, set("before", "1")));
        long written = h.index;
        byte[] user = SnapshotTest.snapshotBytes(SnapshotTest.populated().store);
        String id = "66666666-6666-6666-6666-666666666666";
        List<Command> steps = StagedRestoreTest.restoreCommands(id, user, 300);
        List<RequestId> ids = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            RequestId rid = new RequestId(0x2222, i);
            ids.add(rid);
            assertFalse(once(rid, T0, steps.get(i)) instanceof CommandResult.Failed, steps.get(i).toString());
        }
        long committed = h.index;
        assertEquals(Optional.empty(), h.store.kvGet("before").value(), "the user's snapshot replaced the data");
        assertEquals(OptionalLong.of(written), h.store.requestIndex(R1), "the live table was replaced");
        // A retry of the commit (its reply lost) is answered, not refused as "not staged".
        RequestId commit = ids.get(ids.size() - 1);
        assertEquals(new CommandResult.Repeated(committed, new CommandResult.Done()),
                once(commit, T0, steps.get(steps.size() - 1)));
        // And a retry of a write from before the restore does not write into the restored data.
        assertInstanceOf(CommandResult.Repeated.class, once(R1, T0, set("before", "1")));
        assertEquals(Optional.empty(), h.store.kvGet("before").value());
    }

    @Test
    void aDedupSectionThatRecordCouldNotHaveWrittenIsRefusedEvenWithAValidChecksum() throws IOException {
        once(R1, T0, set("k", "v"));
        byte[] snap = SnapshotTest.snapshotBytes(h.store);
        // The end: ..., index i64, result length i32, result (Bool: 3 bytes), end tag, CRC32C.
        int indexAt = snap.length - 4 - 1 - 3 - 4 - 8;
        assertEquals(h.index, java.nio.ByteBuffer.wrap(snap, indexAt, 8).getLong(), "layout changed");
        java.nio.ByteBuffer.wrap(snap, indexAt, 8).putLong(h.index + 1); // recorded after the snapshot was taken
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(snap, 0, snap.length - 4);
        java.nio.ByteBuffer.wrap(snap, snap.length - 4, 4).putInt((int) crc.getValue());
        StateStore copy = new StateStore(Runnable::run);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> copy.restore(h.index, 1, new ByteArrayInputStream(snap)));
        assertTrue(e.getMessage().contains("outside 1.." + h.index), e.getMessage());
        assertEquals(0, copy.lastIndex(), "a refused snapshot changed the state");
    }

    @Test
    void storesWithoutRequestsStillWriteVersionOneSnapshots() throws IOException {
        byte[] snap = SnapshotTest.snapshotBytes(SnapshotTest.populated().store);
        assertEquals(1, snap[11]);
    }
    /**
     * Opt-in figures ({@code -Dtribune.bench=true}): apply throughput of a 100-byte KV set without
     * and with a request id envelope (decode, validate, apply, record, encode). Prints; asserts
     * nothing about speed.
     */
    @Test
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "tribune.bench", matches = "true")
    void benchApplyWithAndWithoutRequestIds() {
        int n = Integer.getInteger("tribune.bench.n", 300_000);
        byte[] value = new byte[100];
        for (int round = 0; round < 3; round++) {
            for (boolean withId : new boolean[] {false, true}) {
                StateStore store = new StateStore(Runnable::run);
                byte[][] commands = new byte[n][];
                for (int i = 0; i < n; i++) {
                    Command c = new Command.KvSet("k/" + (i % 10_000), value, 0, OptionalLong.empty());
                    commands[i] = withId ? new Command.Dedup(new RequestId(42, i), T0 + i / 10, c).encode() : c.encode();
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    store.apply(i + 1, 1, commands[i]);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf("bench apply %s request id: %,.0f ops/s (%d entries in the dedup table)%n",
                        withId ? "with   " : "without", n / secs, store.dedupEntries());
            }
        }
    }
}

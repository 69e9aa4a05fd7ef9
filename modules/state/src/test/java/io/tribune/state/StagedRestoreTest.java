package io.tribune.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.state.internal.SnapshotCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Restoring a user's snapshot through the log: {@link Command.RestoreBegin},
 * {@link Command.RestoreChunk}s and {@link Command.RestoreCommit} applied like any command, their
 * order and bounds, the checksum, abandoning, and a consensus snapshot taken in the middle.
 */
class StagedRestoreTest {
    private static final String A = "aaaaaaaa-0000-4000-8000-000000000001";
    private static final String B = "bbbbbbbb-0000-4000-8000-000000000002";

    static long crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b, 0, b.length);
        return c.getValue();
    }

    /** The commands that restore {@code snap}, in pieces of {@code piece} bytes. */
    static List<Command> restoreCommands(String id, byte[] snap, int piece) {
        List<Command> out = new ArrayList<>();
        out.add(new Command.RestoreBegin(id, snap.length, crc(snap)));
        for (int at = 0; at < snap.length; at += piece) {
            out.add(new Command.RestoreChunk(id, at, Arrays.copyOfRange(snap, at, Math.min(snap.length, at + piece))));
        }
        out.add(new Command.RestoreCommit(id));
        return out;
    }

    /** A saved snapshot of the populated store of {@link SnapshotTest}, plus a larger value. */
    static byte[] savedSnapshot() throws IOException {
        Harness src = SnapshotTest.populated();
        byte[] big = new byte[3000];
        Arrays.fill(big, (byte) 'z');
        src.run(new Command.KvSet("big", big, 7, OptionalLong.empty()));
        return SnapshotTest.snapshotBytes(src.store);
    }

    /** A live store whose state differs from the snapshot's. */
    static Harness live() {
        Harness h = new Harness();
        h.put("live/only", "here");
        h.put("a/1", "not-one");
        return h;
    }

    static int version(byte[] snapshot) {
        return ByteBuffer.wrap(snapshot, 8, 4).getInt();
    }

    /** The snapshot bytes without the captured index, which moves with every applied command. */
    static byte[] tables(StateStore s) throws IOException {
        byte[] b = SnapshotTest.snapshotBytes(s);
        Arrays.fill(b, 12, 20, (byte) 0);
        Arrays.fill(b, b.length - 4, b.length, (byte) 0);
        return b;
    }

    @Test
    void restoreThroughTheLogReplacesTheStateAtTheCommitIndex() throws IOException {
        byte[] snap = savedSnapshot();
        StateStore expected = new StateStore(Runnable::run);
        expected.restore(1, 1, new ByteArrayInputStream(snap));
        Harness h = live();
        CommandResult last = null;
        List<Command> cmds = restoreCommands(A, snap, 100);
        assertTrue(cmds.size() > 10, "the snapshot needs many pieces");
        for (Command c : cmds) {
            last = h.run(c);
            if (c instanceof Command.RestoreChunk k) {
                assertEquals(new CommandResult.Count(k.offset() + k.length()), last);
                assertEquals("here", h.value("live/only"), "nothing is visible before the commit");
            }
        }
        assertEquals(new CommandResult.Done(), last);
        assertEquals(h.index, h.store.lastIndex(), "the state is as of the commit entry");
        assertEquals(expected.kvList(""), h.store.kvList(""));
        assertEquals(expected.nodes(Harness.noMeta()), h.store.nodes(Harness.noMeta()));
        assertEquals(expected.sessions(), h.store.sessions());
        assertNull(h.value("live/only"), "replaced, not merged");
        assertEquals(OptionalLong.empty(), h.store.stagedRestoreBytes(), "the staging is freed");
        assertEquals(1, version(SnapshotTest.snapshotBytes(h.store)), "no staging: a version 1 snapshot again");
        // Later entries apply on top of the restored state.
        assertTrue(h.put("after", "restore"));
        assertEquals("restore", h.value("after"));
        assertEquals("one", h.value("a/1"));
    }

    @Test
    void piecesOutOfOrderForAnotherRestoreOrPastTheEndAreRefusedAndChangeNothing() throws IOException {
        byte[] snap = savedSnapshot();
        Harness h = live();
        h.run(new Command.RestoreBegin(A, snap.length, crc(snap)));
        h.run(new Command.RestoreChunk(A, 0, Arrays.copyOfRange(snap, 0, 50)));
        byte[] before = tables(h.store);

        CommandResult gap = h.run(new Command.RestoreChunk(A, 60, Arrays.copyOfRange(snap, 60, 70)));
        assertFailed(gap, CommandResult.Failed.Kind.REJECTED, "out of order");
        CommandResult again = h.run(new Command.RestoreChunk(A, 0, Arrays.copyOfRange(snap, 0, 50)));
        assertFailed(again, CommandResult.Failed.Kind.REJECTED, "out of order");
        CommandResult other = h.run(new Command.RestoreChunk(B, 50, Arrays.copyOfRange(snap, 50, 60)));
        assertFailed(other, CommandResult.Failed.Kind.NOT_FOUND, "not staged");
        assertFailed(h.run(new Command.RestoreCommit(B)), CommandResult.Failed.Kind.NOT_FOUND, "not staged");
        CommandResult tooLong = h.run(new Command.RestoreChunk(A, 50, new byte[snap.length]));
        assertFailed(tooLong, CommandResult.Failed.Kind.REJECTED, "past the announced");

        assertArrayEquals(before, tables(h.store), "refused pieces changed nothing but the applied index");
        assertEquals(OptionalLong.of(50), h.store.stagedRestoreBytes());
        // The restore goes on where it was.
        assertEquals(new CommandResult.Count(snap.length),
                h.run(new Command.RestoreChunk(A, 50, Arrays.copyOfRange(snap, 50, snap.length))));
        assertEquals(new CommandResult.Done(), h.run(new Command.RestoreCommit(A)));
        assertEquals("one", h.value("a/1"));
    }

    @Test
    void commandsBeyondTheirBoundsAreInvalidBeforeAndDuringApply() {
        List<Command> bad = List.of(
                new Command.RestoreBegin(A, 0, 1),
                new Command.RestoreBegin(A, CommandValidator.MAX_RESTORE_BYTES + 1, 1),
                new Command.RestoreBegin(A, 10, 1L << 32),
                new Command.RestoreBegin(A, 10, -1),
                new Command.RestoreBegin("not-a-uuid", 10, 1),
                new Command.RestoreChunk(A, 0, new byte[0]),
                new Command.RestoreChunk(A, 0, new byte[CommandValidator.MAX_RESTORE_CHUNK_BYTES + 1]),
                new Command.RestoreChunk(A, -1, new byte[1]),
                new Command.RestoreChunk(A, CommandValidator.MAX_RESTORE_BYTES, new byte[1]),
                new Command.RestoreCommit(""));
        Harness h = live();
        h.run(new Command.RestoreBegin(A, 100, 5));
        for (Command c : bad) {
            assertTrue(CommandValidator.validate(c).isPresent(), c.toString());
            assertFailed(h.run(c), CommandResult.Failed.Kind.INVALID, "");
        }
        assertEquals(OptionalLong.of(0), h.store.stagedRestoreBytes(), "the staged restore A is untouched");
        assertTrue(CommandValidator.validate(new Command.RestoreBegin(A, CommandValidator.MAX_RESTORE_BYTES,
                0xFFFF_FFFFL)).isEmpty());
        assertTrue(CommandValidator.validate(new Command.RestoreChunk(A, 0,
                new byte[CommandValidator.MAX_RESTORE_CHUNK_BYTES])).isEmpty());
    }

    @Test
    void checksumMismatchAtTheCommitIsRefusedAndAbandonsTheStaging() throws IOException {
        byte[] snap = savedSnapshot();
        Harness h = live();
        byte[] before = tables(h.store);
        List<Command> cmds = restoreCommands(A, snap, 1000);
        cmds.set(0, new Command.RestoreBegin(A, snap.length, crc(snap) ^ 1));
        CommandResult last = null;
        for (Command c : cmds) {
            last = h.run(c);
        }
        assertFailed(last, CommandResult.Failed.Kind.INVALID, "checksum mismatch");
        assertArrayEquals(before, tables(h.store));
        assertEquals("here", h.value("live/only"));
        assertEquals(OptionalLong.empty(), h.store.stagedRestoreBytes(), "a failed commit frees the staging");
        assertFailed(h.run(new Command.RestoreChunk(A, snap.length, new byte[1])), CommandResult.Failed.Kind.NOT_FOUND,
                "no restore is");
    }

    @Test
    void commitBeforeEveryByteArrivedIsRejected() throws IOException {
        byte[] snap = savedSnapshot();
        Harness h = live();
        h.run(new Command.RestoreBegin(A, snap.length, crc(snap)));
        h.run(new Command.RestoreChunk(A, 0, Arrays.copyOfRange(snap, 0, snap.length - 1)));
        assertFailed(h.run(new Command.RestoreCommit(A)), CommandResult.Failed.Kind.REJECTED, "of " + snap.length);
        assertEquals("here", h.value("live/only"));
        assertEquals(OptionalLong.empty(), h.store.stagedRestoreBytes());
    }

    @Test
    void bytesThatMatchTheirChecksumButAreNoSnapshotAreRefused() {
        byte[] garbage = "this is not a snapshot, but its checksum is right".getBytes();
        Harness h = live();
        CommandResult last = null;
        for (Command c : restoreCommands(A, garbage, 16)) {
            last = h.run(c);
        }
        assertFailed(last, CommandResult.Failed.Kind.INVALID, "invalid snapshot");
        assertEquals("here", h.value("live/only"));
    }

    @Test
    void aNewBeginAbandonsTheOlderStagedRestore() throws IOException {
        byte[] snap = savedSnapshot();
        Harness h = live();
        h.run(new Command.RestoreBegin(A, snap.length, crc(snap)));
        h.run(new Command.RestoreChunk(A, 0, Arrays.copyOfRange(snap, 0, 500)));
        assertEquals(OptionalLong.of(500), h.store.stagedRestoreBytes());
        h.run(new Command.RestoreBegin(B, snap.length, crc(snap)));
        assertEquals(OptionalLong.of(0), h.store.stagedRestoreBytes(), "A's 500 bytes are dropped");
        assertFailed(h.run(new Command.RestoreChunk(A, 500, Arrays.copyOfRange(snap, 500, 600))),
                CommandResult.Failed.Kind.NOT_FOUND, "staged instead");
        assertFailed(h.run(new Command.RestoreCommit(A)), CommandResult.Failed.Kind.NOT_FOUND, "not staged");
        CommandResult last = null;
        for (Command c : restoreCommands(B, snap, 700).subList(1, restoreCommands(B, snap, 700).size())) {
            last = h.run(c);
        }
        assertEquals(new CommandResult.Done(), last);
        assertEquals("one", h.value("a/1"));
    }

    @Test
    void consensusSnapshotTakenMidRestoreCarriesTheStagingToARestartedServer() throws IOException {
        byte[] snap = savedSnapshot();
        List<Command> cmds = restoreCommands(A, snap, 128);
        int half = cmds.size() / 2;
        Harness straight = live();
        Harness snapshotted = live();
        for (Command c : cmds.subList(0, half)) {
            straight.run(c);
            snapshotted.run(c);
        }
        // A consensus snapshot now, and a server that restarts from it: the pieces before it are no
        // longer in that server's log, only in the snapshot.
        byte[] mid = SnapshotTest.snapshotBytes(snapshotted.store);
        assertEquals(SnapshotCodec.VERSION_STAGED, version(mid), "a staged restore makes a version 2 snapshot");
        Harness restarted = new Harness();
        restarted.store.restore(snapshotted.index, 1, new ByteArrayInputStream(mid));
        restarted.index = snapshotted.index;
        assertEquals(snapshotted.store.stagedRestoreBytes(), restarted.store.stagedRestoreBytes());
        assertArrayEquals(mid, SnapshotTest.snapshotBytes(restarted.store), "the staging round-trips exactly");
        // The rest of the log, then one more write, on all three.
        for (Harness h : List.of(straight, snapshotted, restarted)) {
            CommandResult last = null;
            for (Command c : cmds.subList(half, cmds.size())) {
                last = h.run(c);
            }
            assertEquals(new CommandResult.Done(), last);
            h.put("after", "x");
        }
        byte[] expected = SnapshotTest.snapshotBytes(straight.store);
        assertArrayEquals(expected, SnapshotTest.snapshotBytes(snapshotted.store));
        assertArrayEquals(expected, SnapshotTest.snapshotBytes(restarted.store));
        assertEquals("one", restarted.value("a/1"));
        assertEquals(1, version(expected));
    }

    @Test
    void corruptingAnyByteOfAStagedSnapshotIsRefused() throws IOException {
        Harness h = live();
        byte[] piece = "0123456789".getBytes();
        h.run(new Command.RestoreBegin(A, 100, 42));
        h.run(new Command.RestoreChunk(A, 0, piece));
        byte[] good = SnapshotTest.snapshotBytes(h.store);
        Harness target = new Harness();
        target.put("keep", "me");
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x5a;
            int at = i;
            assertThrows(IOException.class, () -> target.store.restore(99, 1, new ByteArrayInputStream(bad)), "byte " + at);
        }
        assertEquals("me", target.value("keep"));
        assertEquals(OptionalLong.empty(), target.store.stagedRestoreBytes());
        // Structurally wrong staging with a valid checksum: more bytes received than announced.
        StateStore.verifySnapshot(good);
        IOException e = assertThrows(IOException.class, () -> StateStore.verifySnapshot(withReceived(good, 101)));
        assertTrue(e.getMessage().contains("holds 101 of 100"), e.getMessage());
    }

    /**
     * {@code snapshot} (one staged piece of 10 bytes) claiming {@code received} bytes received,
     * with a checksum recomputed so that only the structure is wrong.
     */
    private static byte[] withReceived(byte[] snapshot, long received) {
        byte[] b = snapshot.clone();
        // From the end: CRC (4), end tag (1), the piece (10), its length (4), piece count (4), received (8).
        ByteBuffer.wrap(b, b.length - 31, 8).putLong(received);
        CRC32C c = new CRC32C();
        c.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b, b.length - 4, 4).putInt((int) c.getValue());
        return b;
    }

    @Test
    void aRestoreStagedInsideTheRestoredSnapshotIsDropped() throws IOException {
        Harness src = live();
        src.run(new Command.RestoreBegin(B, 100, 42));
        src.run(new Command.RestoreChunk(B, 0, new byte[10]));
        byte[] withStaging = SnapshotTest.snapshotBytes(src.store);
        // Restored by the consensus plugin (a server's own snapshot): the staging is part of the state.
        StateStore consensusCopy = new StateStore(Runnable::run);
        consensusCopy.restore(5, 1, new ByteArrayInputStream(withStaging));
        assertEquals(OptionalLong.of(10), consensusCopy.stagedRestoreBytes());
        // Restored by a user through the log: only the tables.
        Harness h = new Harness();
        for (Command c : restoreCommands(A, withStaging, 64)) {
            h.run(c);
        }
        assertEquals("here", h.value("live/only"));
        assertEquals(OptionalLong.empty(), h.store.stagedRestoreBytes());
    }

    @Test
    void theCommitWakesEveryWaiterAndResetsFeedSubscribers() throws IOException {
        byte[] snap = savedSnapshot();
        Harness h = live();
        CompletableFuture<Long> unrelated = h.store.watch(WatchTarget.kvKey("unrelated"), h.store.lastIndex());
        long[] reset = {-1};
        h.store.subscribe(new ChangeListener() {
            @Override
            public void onChanges(long index, List<Change> changes) {
            }

            @Override
            public void onReset(long index) {
                reset[0] = index;
            }
        });
        List<Command> cmds = restoreCommands(A, snap, 4096);
        for (Command c : cmds.subList(0, cmds.size() - 1)) {
            h.run(c);
        }
        h.drain();
        assertFalse(unrelated.isDone(), "staging pieces wake nobody");
        h.run(cmds.get(cmds.size() - 1));
        h.drain();
        assertEquals(h.index, unrelated.join());
        assertEquals(h.index, reset[0]);
    }

    @Test
    void verifySnapshotAcceptsGoodSnapshotsAndNamesTheProblemOfBadOnes() throws IOException {
        byte[] snap = savedSnapshot();
        StateStore.verifySnapshot(snap);
        byte[] flipped = snap.clone();
        flipped[snap.length / 2] ^= 1;
        IOException e = assertThrows(IOException.class, () -> StateStore.verifySnapshot(flipped));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        assertThrows(IOException.class, () -> StateStore.verifySnapshot(Arrays.copyOf(snap, 10)));
    }

    @Test
    void restoreCommandsRoundTripThroughTheCodec() {
        for (Command c : restoreCommands(A, "some snapshot bytes".getBytes(), 5)) {
            assertEquals(c, Command.decode(c.encode()));
        }
        Command.RestoreChunk k = new Command.RestoreChunk(A, 3, new byte[] {1, 2});
        byte[] enc = k.encode();
        assertThrows(IllegalArgumentException.class, () -> Command.decode(Arrays.copyOf(enc, enc.length - 1)));
        assertInstanceOf(Command.RestoreChunk.class, Command.decode(enc));
    }

    private static void assertFailed(CommandResult r, CommandResult.Failed.Kind kind, String text) {
        CommandResult.Failed f = assertInstanceOf(CommandResult.Failed.class, r);
        assertEquals(kind, f.kind(), f.message());
        assertTrue(f.message().contains(text), f.message());
    }
}

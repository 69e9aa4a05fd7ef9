package io.tribune.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Coverage-guided fuzzing (Jazzer) of the two decoders of the state store that read bytes from
 * outside: the command codec (every Raft log entry, written by a leader that may run another
 * version) and the snapshot reader ({@code PUT /v1/snapshot}, snapshots installed by a leader).
 *
 * <p>Contracts checked on every input: the command decoder rejects only with
 * {@link IllegalArgumentException}; {@link StateStore#apply(long, long, byte[])} never throws, never
 * fails with {@code INTERNAL} (an exception inside apply is a bug), and a rejected command changes
 * nothing but the applied index (compared byte for byte, through snapshots, with a twin store that
 * applied a known-malformed entry at the same index); a decoded command encodes back to bytes that
 * decode to the same encoding. A snapshot is refused only with {@link IOException}, {@code verify}
 * and {@code restore} agree, a refused snapshot leaves the live state byte-identical, and an
 * accepted one writes a snapshot that restores to the same bytes. Allocation is bounded by the
 * decoders' own limits; an unbounded one fails the run with an {@link OutOfMemoryError}.
 *
 * <p>The normal build runs both targets over the seed corpus in
 * {@code src/test/resources/io/tribune/state/StateDecodersFuzzTestInputs/}; see
 * {@code docs/fuzzing.md} for fuzzing sessions and for rewriting the seeds
 * ({@code -Dtribune.fuzz.write-seeds=true}).
 */
class StateDecodersFuzzTest {
    private static final Path SEEDS = Path.of("src/test/resources/io/tribune/state/StateDecodersFuzzTestInputs");
    /** An entry the decoder refuses (unsupported format 0): what the twin store applies. */
    private static final byte[] MALFORMED = {0, 0};

    @FuzzTest(maxDuration = "5m")
    void commandCodec(byte[] data) throws IOException {
        Command decoded;
        try {
            decoded = Command.decode(data);
        } catch (IllegalArgumentException refused) {
            decoded = null;
        }
        if (decoded != null) {
            byte[] again = decoded.encode();
            assertArrayEquals(again, Command.decode(again).encode(), "encode(decode(x)) is not stable");
        }
        Harness h = SnapshotTest.populated();
        long index = h.index + 1;
        CommandResult r = CommandResult.decode(h.store.apply(index, 1, data));
        assertFalse(r instanceof CommandResult.Failed f && f.kind() == CommandResult.Failed.Kind.INTERNAL,
                () -> "apply failed inside: " + r);
        boolean rejected = decoded == null
                || (r instanceof CommandResult.Failed && !(decoded instanceof Command.Dedup));
        if (decoded == null) {
            assertTrue(r instanceof CommandResult.Failed f && f.kind() == CommandResult.Failed.Kind.INVALID,
                    () -> "a malformed entry was applied: " + r);
        }
        if (rejected) {
            Harness twin = SnapshotTest.populated();
            twin.store.apply(index, 1, MALFORMED);
            assertArrayEquals(SnapshotTest.snapshotBytes(twin.store), SnapshotTest.snapshotBytes(h.store),
                    "a rejected command changed the state");
        }
        // Whatever happened, the store still writes a snapshot it can read back.
        byte[] after = SnapshotTest.snapshotBytes(h.store);
        StateStore.verifySnapshot(after);
    }

    /**
     * Input: a selector (first byte), then the snapshot bytes. Selector odd: the last four bytes
     * are replaced by the right CRC32C of the rest, so that mutations get past the checksum into
     * the sections instead of all dying there.
     */
    @FuzzTest(maxDuration = "5m")
    void snapshotRestore(byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        boolean fixChecksum = (data[0] & 1) == 1;
        byte[] snapshot = Arrays.copyOfRange(data, 1, data.length);
        if (fixChecksum) {
            snapshot = withChecksum(Arrays.copyOf(snapshot, Math.max(0, snapshot.length - 4)));
        }
        boolean verified;
        try {
            StateStore.verifySnapshot(snapshot);
            verified = true;
        } catch (IOException refused) {
            verified = false;
        }
        Harness h = SnapshotTest.populated();
        byte[] before = SnapshotTest.snapshotBytes(h.store);
        boolean restored;
        try {
            h.store.restore(h.index + 1, 1, new ByteArrayInputStream(snapshot));
            restored = true;
        } catch (IOException refused) {
            restored = false;
        }
        assertEquals(verified, restored, "verifySnapshot and restore disagree");
        byte[] after = SnapshotTest.snapshotBytes(h.store);
        if (!restored) {
            assertArrayEquals(before, after, "a refused snapshot changed the state");
            return;
        }
        StateStore copy = new StateStore(Runnable::run);
        copy.restore(h.index + 1, 1, new ByteArrayInputStream(after));
        assertArrayEquals(after, SnapshotTest.snapshotBytes(copy), "an accepted snapshot does not round-trip");
    }

    /** {@code body} followed by its CRC32C, big-endian, as the snapshot format ends. */
    static byte[] withChecksum(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body);
        long v = crc.getValue();
        byte[] out = Arrays.copyOf(body, body.length + 4);
        out[body.length] = (byte) (v >>> 24);
        out[body.length + 1] = (byte) (v >>> 16);
        out[body.length + 2] = (byte) (v >>> 8);
        out[body.length + 3] = (byte) v;
        return out;
    }

    /** Every kind of command, as the seed corpus of {@link #commandCodec}. */
    static List<Command> seedCommands() {
        List<Command> out = new ArrayList<>();
        out.add(new Command.KvSet("a/1", Harness.bytes("one"), 7, OptionalLong.empty()));
        out.add(new Command.KvSet("a/1", Harness.bytes("cas"), 0, OptionalLong.of(3)));
        out.add(new Command.KvDelete("a/1", OptionalLong.empty()));
        out.add(new Command.KvDeleteTree("a/"));
        out.add(new Command.KvAcquire("a/lock", Harness.bytes("x"), 0, Harness.S1, 5));
        out.add(new Command.KvRelease("a/lock", Harness.bytes("x"), 0, Harness.S1));
        out.add(new Command.KvTxn(List.of(new TxnOp(TxnOp.Verb.SET, "t/1", Harness.bytes("v"), 0, 0, ""),
                new TxnOp(TxnOp.Verb.fromWire("cas"), "t/1", Harness.bytes("w"), 0, 1, "")), 0));
        out.add(new Command.TombstoneReap(3, 0));
        out.add(new Command.Deregister("n1", java.util.Optional.of("web1"), java.util.Optional.empty(), 0));
        out.add(new Command.SessionRenew(Harness.S1, 10));
        out.add(new Command.SessionDestroy(Harness.S1, 10));
        out.add(new Command.EventFire(new EventRecord("44444444-4444-4444-4444-444444444444", "e",
                Harness.bytes("p"), "", "", "", 0)));
        out.add(new Command.Dedup(new RequestId(1, 2), 0, new Command.KvSet("d", Harness.bytes("v"), 0,
                OptionalLong.empty())));
        return out;
    }

    /**
     * Rewrites the seed corpus from the current encoders (after a format change); skipped unless
     * {@code -Dtribune.fuzz.write-seeds=true}. Run from the module directory.
     */
    @Test
    @EnabledIfSystemProperty(named = "tribune.fuzz.write-seeds", matches = "true")
    void writeSeedCorpus() throws IOException {
        Path commands = SEEDS.resolve("commandCodec");
        Files.createDirectories(commands);
        List<Command> seeds = seedCommands();
        for (int i = 0; i < seeds.size(); i++) {
            Files.write(commands.resolve(String.format("seed-%02d-%s", i, seeds.get(i).getClass().getSimpleName())),
                    seeds.get(i).encode());
        }
        Path snapshots = SEEDS.resolve("snapshotRestore");
        Files.createDirectories(snapshots);
        byte[] full = SnapshotTest.snapshotBytes(SnapshotTest.populated().store);
        byte[] empty = SnapshotTest.snapshotBytes(new StateStore(Runnable::run));
        // As the target reads them: a first byte 1 = "fix the checksum", then the snapshot.
        for (var e : List.of(java.util.Map.entry("seed-populated", full), java.util.Map.entry("seed-empty", empty))) {
            byte[] in = new byte[e.getValue().length + 1];
            in[0] = 1;
            System.arraycopy(e.getValue(), 0, in, 1, e.getValue().length);
            Files.write(snapshots.resolve(e.getKey()), in);
        }
        assertNotEquals(0, full.length);
    }
}

package io.tribune.state;

import static io.tribune.state.Harness.S1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Bytes written before request ids existed still read: snapshots of format versions 1 and 2 saved
 * by that code ({@code snapshot-v1.hex}, {@code snapshot-v2.hex}: {@link SnapshotTest#populated()}
 * at index 8, then with 4 of 10 bytes of a restore staged at index 10), and commands and results of
 * format 1. A store that never saw a request id still writes them byte for byte.
 */
class FormatCompatibilityTest {

    private static byte[] golden(String name) throws IOException {
        try (InputStream in = FormatCompatibilityTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("test resource " + name + " is missing");
            }
            return HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        }
    }

    @Test
    void versionOneSnapshotWrittenBeforeRequestIdsStillRestores() throws IOException {
        byte[] v1 = golden("snapshot-v1.hex");
        assertEquals(1, v1[11]);
        StateStore s = new StateStore(Runnable::run);
        s.restore(8, 1, new ByteArrayInputStream(v1));
        assertEquals("one", new String(s.kvGet("a/1").value().orElseThrow().value(), StandardCharsets.UTF_8));
        assertEquals(S1, s.kvGet("a/lock").value().orElseThrow().session());
        assertTrue(s.session(S1).value().isPresent());
        assertEquals(1, s.events("deploy").value().size());
        assertEquals(0, s.dedupEntries());
        assertArrayEquals(v1, SnapshotTest.snapshotBytes(s), "re-written differently");
        // The same state built today writes the same bytes.
        assertArrayEquals(v1, SnapshotTest.snapshotBytes(SnapshotTest.populated().store));
    }

    @Test
    void versionTwoSnapshotWrittenBeforeRequestIdsStillRestores() throws IOException {
        byte[] v2 = golden("snapshot-v2.hex");
        assertEquals(2, v2[11]);
        StateStore s = new StateStore(Runnable::run);
        s.restore(10, 1, new ByteArrayInputStream(v2));
        assertEquals(OptionalLong.of(4), s.stagedRestoreBytes());
        assertEquals(0, s.dedupEntries());
        assertArrayEquals(v2, SnapshotTest.snapshotBytes(s), "re-written differently");
        StateStore.verifySnapshot(v2);
    }

    @Test
    void formatOneCommandsAndResultsStillDecode() {
        // KvSet("k", "v", flags 7, cas 5) and Bool(true) as the code before request ids encoded them.
        assertEquals(new Command.KvSet("k", Harness.bytes("v"), 7, OptionalLong.of(5)),
                Command.decode(HexFormat.of().parseHex("0101000000016b00000001760000000000000007010000000000000005")));
        assertEquals(new CommandResult.Bool(true), CommandResult.decode(HexFormat.of().parseHex("010101")));
        // And a command without an envelope applies as it always did.
        StateStore s = new StateStore(Runnable::run);
        byte[] r = s.apply(1, 1, HexFormat.of().parseHex("0101000000016b00000001760000000000000007000000000000000000"));
        assertEquals(new CommandResult.Bool(true), CommandResult.decode(r));
        assertEquals(0, s.dedupEntries());
    }
}

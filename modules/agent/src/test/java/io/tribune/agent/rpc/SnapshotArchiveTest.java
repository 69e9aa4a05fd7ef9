package io.tribune.agent.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The archive writer and reader: layout, round trip, and every refusal with its reason. */
class SnapshotArchiveTest {
    private static final byte[] STATE = "TRIBSNAP state bytes of some length, not a multiple of 512".repeat(40)
            .getBytes(StandardCharsets.UTF_8);
    private static final SnapshotArchive.Meta META = SnapshotArchive.Meta.of(STATE.length, 42, 3, 1_700_000_000_123L);

    private static byte[] archive() {
        return SnapshotArchive.write(META, STATE, 1_700_000_000_123L);
    }

    @Test
    void roundTripGivesBackTheStateAndTheMeta() throws Exception {
        SnapshotArchive.Contents c = SnapshotArchive.read(archive(), STATE.length);
        assertArrayEquals(STATE, c.state());
        assertEquals(new SnapshotArchive.Meta("3-42-1700000000123", STATE.length, 42, 3, 1), c.meta());
    }

    @Test
    void layoutIsConsulsThreeFilesInOrderWithSha256sumLines() throws Exception {
        Map<String, byte[]> files = untar(gunzip(archive()));
        assertEquals(java.util.List.of("meta.json", "state.bin", "SHA256SUMS"), java.util.List.copyOf(files.keySet()));
        assertArrayEquals(STATE, files.get("state.bin"));
        JsonObject meta = JsonParser.parseString(new String(files.get("meta.json"), StandardCharsets.UTF_8))
                .getAsJsonObject();
        assertEquals("3-42-1700000000123", meta.get("ID").getAsString());
        assertEquals(STATE.length, meta.get("Size").getAsLong());
        assertEquals(42, meta.get("Index").getAsLong());
        assertEquals(3, meta.get("Term").getAsLong());
        assertEquals(1, meta.get("Version").getAsInt());
        assertTrue(meta.getAsJsonObject("Configuration").getAsJsonArray("Servers").isEmpty());
        String sums = new String(files.get("SHA256SUMS"), StandardCharsets.UTF_8);
        assertEquals(SnapshotArchive.sha256(files.get("meta.json")) + "  meta.json\n"
                + SnapshotArchive.sha256(STATE) + "  state.bin\n", sums);
    }

    @Test
    void aStateThatDoesNotMatchItsSumIsRefused() {
        byte[] tar = gunzip(archive());
        int at = indexOf(tar, STATE);
        tar[at + 100] ^= 0x01;
        var e = assertThrows(SnapshotArchive.InvalidArchiveException.class,
                () -> SnapshotArchive.read(gzip(tar), STATE.length));
        assertTrue(e.getMessage().startsWith("SHA-256 of state.bin is "), e.getMessage());
    }

    @Test
    void aChangedSumFileIsRefused() {
        byte[] tar = gunzip(archive());
        int at = indexOf(tar, (SnapshotArchive.sha256(STATE) + "  state.bin").getBytes(StandardCharsets.US_ASCII));
        tar[at] = (byte) (tar[at] == '0' ? '1' : '0');
        var e = assertThrows(SnapshotArchive.InvalidArchiveException.class,
                () -> SnapshotArchive.read(gzip(tar), STATE.length));
        assertTrue(e.getMessage().contains("SHA256SUMS says"), e.getMessage());
    }

    @Test
    void truncatedGzipIsRefusedWhereverItIsCut() {
        byte[] a = archive();
        for (int cut : new int[] {1, 4, a.length / 2, a.length - 9, a.length - 1}) {
            var e = assertThrows(SnapshotArchive.InvalidArchiveException.class,
                    () -> SnapshotArchive.read(Arrays.copyOf(a, cut), STATE.length), "cut at " + cut);
            assertFalse(e.getMessage().isBlank());
        }
    }

    @Test
    void corruptCompressedBytesAreRefused() {
        byte[] a = archive();
        a[a.length / 2] ^= 0x5a;
        assertThrows(SnapshotArchive.InvalidArchiveException.class, () -> SnapshotArchive.read(a, STATE.length));
    }

    /**
     * Any single damaged byte is refused or leaves the contents exactly as written: some bytes of a
     * gzip stream carry nothing the contents depend on (the header's time and OS fields, the code
     * length of a symbol the compressed data never uses), and such an archive restores the very state
     * that was saved. Never a different state or meta.
     */
    @Test
    void aDamagedByteIsRefusedOrChangesNothingThatIsRestored() {
        byte[] original = archive();
        int refused = 0;
        for (int at = 0; at < original.length; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] a = original.clone();
                a[at] ^= (byte) (1 << bit);
                SnapshotArchive.Contents c;
                try {
                    c = SnapshotArchive.read(a, STATE.length);
                } catch (SnapshotArchive.InvalidArchiveException e) {
                    refused++;
                    continue;
                }
                assertArrayEquals(STATE, c.state(), "byte " + at + " bit " + bit + " changed the state");
                assertEquals(META, c.meta(), "byte " + at + " bit " + bit + " changed the meta");
            }
        }
        assertTrue(refused > original.length * 8 * 9 / 10, refused + " of " + original.length * 8 + " refused");
    }

    @Test
    void aStateLargerThanTheLimitIsRefusedBeforeItIsRead() {
        var e = assertThrows(SnapshotArchive.InvalidArchiveException.class,
                () -> SnapshotArchive.read(archive(), STATE.length - 1));
        assertEquals("state.bin of " + STATE.length + " bytes is larger than the " + (STATE.length - 1)
                + " bytes accepted", e.getMessage());
    }

    @Test
    void aSizeThatDisagreesWithTheStateIsRefused() {
        // A consistent archive (sums match) whose meta.json lies about the size.
        byte[] tar = gunzip(SnapshotArchive.write(new SnapshotArchive.Meta("1-1-1", STATE.length, 1, 1, 1), STATE, 0));
        Map<String, byte[]> files = untar(tar);
        String meta = new String(files.get("meta.json"), StandardCharsets.UTF_8)
                .replace("\"Size\":" + STATE.length, "\"Size\":" + (STATE.length + 1));
        byte[] metaBytes = meta.getBytes(StandardCharsets.UTF_8);
        String sums = SnapshotArchive.sha256(metaBytes) + "  meta.json\n" + SnapshotArchive.sha256(STATE) + "  state.bin\n";
        byte[] rebuilt = gzip(tar("meta.json", metaBytes, "state.bin", STATE, "SHA256SUMS",
                sums.getBytes(StandardCharsets.UTF_8)));
        var e = assertThrows(SnapshotArchive.InvalidArchiveException.class,
                () -> SnapshotArchive.read(rebuilt, STATE.length));
        assertEquals("meta.json gives Size " + (STATE.length + 1) + " but state.bin has " + STATE.length + " bytes",
                e.getMessage());
    }

    @Test
    void missingAndUnexpectedFilesAreRefused() {
        Map<String, byte[]> files = untar(gunzip(archive()));
        var missing = assertThrows(SnapshotArchive.InvalidArchiveException.class, () -> SnapshotArchive.read(
                gzip(tar("meta.json", files.get("meta.json"), "state.bin", STATE)), STATE.length));
        assertEquals("missing SHA256SUMS", missing.getMessage());
        var extra = assertThrows(SnapshotArchive.InvalidArchiveException.class, () -> SnapshotArchive.read(
                gzip(tar("meta.json", files.get("meta.json"), "evil.sh", new byte[3])), STATE.length));
        assertTrue(extra.getMessage().startsWith("unexpected file \"evil.sh\""), extra.getMessage());
    }

    @Test
    void notGzipIsRefusedAndTellsTheRawFormatApart() {
        assertFalse(SnapshotArchive.looksLikeArchive(STATE));
        assertTrue(SnapshotArchive.looksLikeArchive(archive()));
        var e = assertThrows(SnapshotArchive.InvalidArchiveException.class, () -> SnapshotArchive.read(STATE, 1000));
        assertTrue(e.getMessage().startsWith("not gzip-compressed"), e.getMessage());
    }

    @Test
    void restoreTakesTheArchivesStateAndRefusesABadArchiveAsBadRequest() {
        assertArrayEquals(STATE, Snapshots.stateOf(archive()));
        assertArrayEquals(STATE, Snapshots.stateOf(STATE)); // a bare state file: verified later by the state store
        byte[] cut = Arrays.copyOf(archive(), 30);
        AgentException e = assertThrows(AgentException.class, () -> Snapshots.stateOf(cut));
        assertEquals(AgentException.Kind.BAD_REQUEST, e.kind());
        assertTrue(e.getMessage().startsWith("invalid snapshot archive: "), e.getMessage());
    }

    @Test
    void writeRefusesAMetaWhoseSizeIsNotTheStates() {
        assertThrows(IllegalArgumentException.class,
                () -> SnapshotArchive.write(SnapshotArchive.Meta.of(1, 1, 1, 1), STATE, 1));
    }

    // ---------------------------------------------------------------- a minimal tar for the tests

    private static int indexOf(byte[] hay, byte[] needle) {
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    private static byte[] gunzip(byte[] b) {
        try (var in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] gzip(byte[] b) {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(b);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    /** Entries of a tar (names and data), in order; headers read by offset only. */
    private static Map<String, byte[]> untar(byte[] tar) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        int at = 0;
        while (at + 512 <= tar.length && tar[at] != 0) {
            String name = new String(tar, at, 100, StandardCharsets.US_ASCII).replaceAll("\0.*", "");
            int size = Integer.parseInt(new String(tar, at + 124, 11, StandardCharsets.US_ASCII).trim(), 8);
            out.put(name, Arrays.copyOfRange(tar, at + 512, at + 512 + size));
            at += 512 + (size + 511) / 512 * 512;
        }
        return out;
    }

    /** A ustar archive of name/data pairs, in order. */
    private static byte[] tar(Object... pairs) {
        var out = new ByteArrayOutputStream();
        for (int i = 0; i < pairs.length; i += 2) {
            String name = (String) pairs[i];
            byte[] data = (byte[]) pairs[i + 1];
            byte[] h = new byte[512];
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(n, 0, h, 0, n.length);
            put(h, 100, "0000644");
            put(h, 124, String.format("%011o", data.length));
            put(h, 136, "00000000000");
            h[156] = '0';
            Arrays.fill(h, 148, 156, (byte) ' ');
            long sum = 0;
            for (byte x : h) {
                sum += x & 0xff;
            }
            put(h, 148, String.format("%06o", sum));
            h[154] = 0;
            out.writeBytes(h);
            out.writeBytes(data);
            out.writeBytes(new byte[(512 - data.length % 512) % 512]);
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }
}

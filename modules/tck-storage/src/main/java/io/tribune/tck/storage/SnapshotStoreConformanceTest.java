package io.tribune.tck.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.storage.SnapshotMeta;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link SnapshotStore} contract: invisible until committed, metadata that matches the data
 * (size, CRC-32C), newest first, retention of the newest {@link #retain()}, readers that survive a
 * concurrent commit, and (for durable plugins) persistence across a restart with nothing left of
 * an uncommitted writer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class SnapshotStoreConformanceTest extends StorageConformanceSupport {

    /** Subclasses bind a plugin. */
    protected SnapshotStoreConformanceTest() {
    }

    /** How many snapshots the store keeps with {@link #config()}; the plugins' default is 2. */
    protected int retain() {
        return 2;
    }

    private SnapshotStore snaps() {
        return storage.snapshots();
    }

    /** Deterministic snapshot content of {@code size} bytes. */
    protected static byte[] data(long seed, int size) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static long crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return c.getValue();
    }

    /** Writes {@code data} in uneven chunks and commits. */
    protected final SnapshotMeta write(long index, long term, byte[] configuration, byte[] data) throws IOException {
        try (SnapshotStore.Writer w = snaps().create(index, term, configuration)) {
            OutputStream out = w.stream();
            int pos = 0;
            int chunk = 1;
            while (pos < data.length) {
                int n = Math.min(chunk, data.length - pos);
                if (n == 1) {
                    out.write(data[pos]);
                } else {
                    out.write(data, pos, n);
                }
                pos += n;
                chunk = chunk * 3 + 1;
            }
            return w.commit();
        }
    }

    /** Reads a snapshot fully, which also verifies its checksum. */
    protected final byte[] read(String id) throws IOException {
        try (SnapshotStore.Reader r = snaps().open(id).orElseThrow(() -> new AssertionError("no snapshot " + id))) {
            try (InputStream in = r.stream()) {
                return in.readAllBytes();
            }
        }
    }

    /** Checks: Empty store lists nothing. */
    @Test
    public void emptyStoreListsNothing() {
        assertTrue(snaps().list().isEmpty());
        assertTrue(snaps().latest().isEmpty());
        assertTrue(snaps().open("no-such-snapshot").isEmpty());
    }

    /** Checks: Commit returns metadata matching the data. */
    @Test
    public void commitReturnsMetadataMatchingTheData() throws IOException {
        byte[] content = data(1, 100_000);
        byte[] configuration = {1, 2, 3, 4};
        SnapshotMeta meta = write(42, 7, configuration, content);
        assertEquals(42, meta.index());
        assertEquals(7, meta.term());
        assertArrayEquals(configuration, meta.configuration());
        assertEquals(content.length, meta.size());
        assertEquals(crc(content), meta.crc32c());
        assertEquals(List.of(meta), snaps().list());
        assertEquals(meta, snaps().latest().orElseThrow());
        try (SnapshotStore.Reader r = snaps().open(meta.id()).orElseThrow()) {
            assertEquals(meta, r.meta());
            assertArrayEquals(content, r.stream().readAllBytes());
        }
    }

    /** Checks: Empty snapshot round trips. */
    @Test
    public void emptySnapshotRoundTrips() throws IOException {
        SnapshotMeta meta = write(1, 1, null, new byte[0]);
        assertEquals(0, meta.size());
        assertArrayEquals(new byte[0], meta.configuration());
        assertArrayEquals(new byte[0], read(meta.id()));
    }

    /** Checks: Large snapshot round trips. */
    @Test
    public void largeSnapshotRoundTrips() throws IOException {
        byte[] content = data(3, 5 << 20);
        SnapshotMeta meta = write(1000, 3, new byte[] {9}, content);
        assertArrayEquals(content, read(meta.id()));
    }

    /** Checks: Uncommitted or aborted writer is invisible. */
    @Test
    public void uncommittedOrAbortedWriterIsInvisible() throws IOException {
        SnapshotStore.Writer w = snaps().create(10, 1, null);
        w.stream().write(data(4, 1000));
        assertTrue(snaps().list().isEmpty(), "a snapshot must not be visible before commit");
        w.abort();
        w.abort();
        assertTrue(snaps().list().isEmpty());
        try (SnapshotStore.Writer closedWithoutCommit = snaps().create(11, 1, null)) {
            closedWithoutCommit.stream().write(1);
        }
        assertTrue(snaps().list().isEmpty());
    }

    /** Checks: Abort after commit keeps the snapshot. */
    @Test
    public void abortAfterCommitKeepsTheSnapshot() throws IOException {
        SnapshotStore.Writer w = snaps().create(10, 1, null);
        w.stream().write(data(5, 10));
        SnapshotMeta meta = w.commit();
        w.abort();
        w.close();
        assertEquals(List.of(meta), snaps().list());
        assertArrayEquals(data(5, 10), read(meta.id()));
    }

    /** Checks: List is newest first and ids are unique. */
    @Test
    public void listIsNewestFirstAndIdsAreUnique() throws IOException {
        int n = Math.min(retain(), 3);
        Set<String> ids = new HashSet<>();
        for (int i = 1; i <= n; i++) {
            ids.add(write(i * 100L, i, null, data(i, 10)).id());
        }
        assertEquals(n, ids.size(), "ids must be unique");
        List<SnapshotMeta> all = snaps().list();
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).index() > all.get(i).index(), "list must be newest first: " + all);
        }
        assertEquals(n * 100L, snaps().latest().orElseThrow().index());
    }

    /** Checks: Retention keeps the newest snapshots only. */
    @Test
    public void retentionKeepsTheNewestSnapshotsOnly() throws IOException {
        int total = retain() + 2;
        for (int i = 1; i <= total; i++) {
            write(i * 10L, 1, null, data(i, 1000 + i));
        }
        List<SnapshotMeta> all = snaps().list();
        assertEquals(retain(), all.size(), "store must keep exactly " + retain());
        for (int k = 0; k < all.size(); k++) {
            long index = (long) (total - k) * 10;
            assertEquals(index, all.get(k).index());
            assertArrayEquals(data(total - k, 1000 + total - k), read(all.get(k).id()));
        }
    }

    /** Checks: Two snapshots of the same index get distinct ids. */
    @Test
    public void twoSnapshotsOfTheSameIndexGetDistinctIds() throws IOException {
        SnapshotMeta a = write(50, 2, null, data(1, 10));
        SnapshotMeta b = write(50, 2, null, data(2, 10));
        assertNotEquals(a.id(), b.id());
        assertArrayEquals(data(2, 10), read(snaps().latest().orElseThrow().id()));
    }

    /** Checks: Open reader keeps reading while a newer snapshot is written and committed. */
    @Test
    public void openReaderKeepsReadingWhileANewerSnapshotIsWrittenAndCommitted() throws IOException {
        byte[] old = data(11, 200_000);
        SnapshotMeta meta = write(5, 1, null, old);
        try (SnapshotStore.Reader r = snaps().open(meta.id()).orElseThrow()) {
            InputStream in = r.stream();
            byte[] head = in.readNBytes(1000);
            for (int i = 1; i <= retain() + 1; i++) {
                write(5 + i, 1, null, data(100 + i, 5000));
            }
            byte[] rest = in.readAllBytes();
            byte[] all = new byte[head.length + rest.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(rest, 0, all, head.length, rest.length);
            assertArrayEquals(old, all);
        }
    }

    /** Checks: Every method fails after close. */
    @Test
    public void everyMethodFailsAfterClose() {
        SnapshotStore closed = snaps();
        storage.close();
        assertThrows(StorageException.class, closed::list);
        assertThrows(StorageException.class, () -> closed.create(1, 1, null));
        assertThrows(StorageException.class, () -> closed.open("x"));
    }

    /** Checks: Committed snapshots survive restart. */
    @Test
    public void committedSnapshotsSurviveRestart() throws IOException {
        byte[] content = data(21, 300_000);
        SnapshotMeta meta = write(77, 4, new byte[] {5, 6}, content);
        restart();
        assertEquals(List.of(meta), snaps().list());
        assertArrayEquals(content, read(meta.id()));
        SnapshotMeta next = write(78, 4, null, data(22, 10));
        assertNotEquals(meta.id(), next.id());
        assertEquals(78, snaps().latest().orElseThrow().index());
    }

    /** Checks: Uncommitted writer leaves nothing after restart. */
    @Test
    public void uncommittedWriterLeavesNothingAfterRestart() throws IOException {
        SnapshotMeta kept = write(1, 1, null, data(31, 100));
        SnapshotStore.Writer w = snaps().create(2, 1, null);
        w.stream().write(data(32, 50_000));
        w.stream().flush();
        restart();
        assertEquals(List.of(kept), snaps().list());
    }
}

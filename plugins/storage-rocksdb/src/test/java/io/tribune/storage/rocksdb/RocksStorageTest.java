package io.tribune.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.Plugin;
import io.tribune.api.PluginConfig;
import io.tribune.api.storage.CorruptionException;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.SnapshotMeta;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageException;
import io.tribune.storage.rocksdb.internal.RocksStorage;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.TestContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;

/** What the conformance kit cannot check generically: corruption reports, disk use, files, config. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RocksStorageTest {
    @TempDir
    Path dir;

    private Storage open(Map<String, String> config) {
        SimScheduler s = new SimScheduler();
        return new RocksStorageFactory().create(PluginConfig.of(config),
                TestContext.builder("n1").clock(s.clock()).scheduler(s).dataDir(dir).build());
    }

    private Storage open() {
        return open(Map.of());
    }

    private static List<LogEntry> entries(long from, long to, int size) {
        List<LogEntry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            byte[] b = new byte[size];
            b[0] = (byte) i;
            out.add(new LogEntry(i, 1, EntryKind.COMMAND, b));
        }
        return out;
    }

    @Test
    void pluginIsFoundByServiceLoaderAndIsDurable() {
        RocksStorageTest.class.getModule().addUses(Plugin.class);
        Plugin found = ServiceLoader.load(Plugin.class, RocksStorageTest.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.descriptor().name().equals("storage-rocksdb"))
                .findFirst().orElseThrow();
        assertTrue(found.descriptor().durable());
        assertTrue(found.storageFactories().get(0).durable());
        assertEquals("storage-rocksdb", found.storageFactories().get(0).name());
    }

    @Test
    void badConfigurationIsRefusedByKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> open(Map.of("storage-rocksdb.snapshots.retain", "0")));
        assertTrue(e.getMessage().contains("storage-rocksdb.snapshots.retain"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> open(Map.of("storage-rocksdb.snapshot.retain", "3")));
        assertTrue(e.getMessage().contains("storage-rocksdb.snapshot.retain"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> open(Map.of("storage-rocksdb.compaction.enabled", "yes")));
        assertTrue(e.getMessage().contains("storage-rocksdb.compaction.enabled"), e.getMessage());
    }

    @Test
    void secondOpenOfTheSameDirectoryFailsClearly() {
        try (Storage first = open()) {
            StorageException e = assertThrows(StorageException.class, this::open);
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            first.log().append(entries(1, 1, 8));
        }
    }

    @Test
    void oversizedEntryIsRefusedAndNothingIsWritten() {
        try (Storage s = open(Map.of("storage-rocksdb.log.max-entry-bytes", "100"))) {
            List<LogEntry> batch = new ArrayList<>(entries(1, 2, 10));
            batch.add(new LogEntry(3, 1, EntryKind.COMMAND, new byte[101]));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.log().append(batch));
            assertTrue(e.getMessage().contains("storage-rocksdb.log.max-entry-bytes"), e.getMessage());
            assertEquals(0, s.log().lastIndex());
        }
    }

    /** Overwrites the stored value of log index {@code index} with {@code value}, behind the store's back. */
    private void tamperWithLog(long index, java.util.function.UnaryOperator<byte[]> change) throws Exception {
        List<ColumnFamilyDescriptor> cfs = List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                new ColumnFamilyDescriptor(RocksStorage.LOG_CF.getBytes(StandardCharsets.UTF_8)),
                new ColumnFamilyDescriptor(RocksStorage.STABLE_CF.getBytes(StandardCharsets.UTF_8)));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (RocksDB db = RocksDB.open(dir.resolve("rocksdb").toString(), cfs, handles)) {
            byte[] key = java.nio.ByteBuffer.allocate(8).putLong(index).array();
            byte[] v = db.get(handles.get(1), key);
            db.put(handles.get(1), key, change.apply(v));
            handles.forEach(ColumnFamilyHandle::close);
        }
    }

    @Test
    void flippedBitInALogRecordIsReportedWithItsIndex() throws Exception {
        try (Storage s = open()) {
            s.log().append(entries(1, 10, 64));
        }
        tamperWithLog(5, v -> {
            byte[] c = v.clone();
            c[c.length - 1] ^= 0x10;
            return c;
        });
        try (Storage s = open()) {
            assertEquals(Byte.valueOf((byte) 4), s.log().get(4).orElseThrow().data()[0]);
            CorruptionException e = assertThrows(CorruptionException.class, () -> s.log().get(5));
            assertTrue(e.getMessage().contains("index 5"), e.getMessage());
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            CorruptionException r = assertThrows(CorruptionException.class, () -> s.log().range(1, 10, Long.MAX_VALUE));
            assertTrue(r.getMessage().contains("index 5"), r.getMessage());
        }
    }

    @Test
    void recordMovedToAnotherIndexFailsItsChecksum() throws Exception {
        try (Storage s = open()) {
            s.log().append(entries(1, 3, 16));
        }
        byte[][] record2 = new byte[1][];
        tamperWithLog(2, v -> {
            record2[0] = v;
            return v;
        });
        tamperWithLog(3, v -> record2[0]);
        try (Storage s = open()) {
            CorruptionException e = assertThrows(CorruptionException.class, () -> s.log().get(3));
            assertTrue(e.getMessage().contains("index 3"), e.getMessage());
        }
    }

    @Test
    void diskUseFollowsTheLiveLogAfterPrefixTruncation() throws Exception {
        Path db = dir.resolve("rocksdb");
        long full;
        try (Storage s = open()) {
            // 24 MiB of incompressible payload, so compression cannot hide the effect.
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
            long next = 1;
            for (int b = 0; b < 96; b++) {
                List<LogEntry> batch = new ArrayList<>();
                for (int k = 0; k < 64; k++) {
                    byte[] data = new byte[4096];
                    rnd.nextBytes(data);
                    batch.add(new LogEntry(next++, 1, EntryKind.COMMAND, data));
                }
                s.log().append(batch);
            }
            full = sizeOf(db);
            assertTrue(full > 20L << 20, "expected over 20 MiB on disk before truncation, found " + full);
            s.log().truncatePrefix(next - 11);
            assertEquals(10, s.log().lastIndex() - s.log().firstIndex() + 1);
            // Compaction runs on the store's own thread; wait for its effect, bounded.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long now = sizeOf(db);
            while (now > full / 4 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                now = sizeOf(db);
            }
            assertTrue(now <= full / 4, "disk use " + now + " bytes did not fall below a quarter of " + full
                    + ": " + listing(db));
            assertEquals(next - 10, s.log().firstIndex());
        }
    }

    private static String listing(Path p) throws IOException {
        StringBuilder sb = new StringBuilder();
        files(p).forEach((name, size) -> sb.append(name).append('=').append(size).append(' '));
        return sb.toString();
    }

    private static long sizeOf(Path p) throws IOException {
        return files(p).values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The regular files under {@code p} with their sizes. RocksDB deletes files on its own threads
     * while this runs: a file gone between the listing and its size is left out (Files.walk threw
     * NoSuchFileException then, and the test failed at random).
     */
    private static java.util.SortedMap<String, Long> files(Path p) throws IOException {
        java.util.SortedMap<String, Long> out = new java.util.TreeMap<>();
        try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
            for (Path f : entries) {
                try {
                    java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(f,
                            java.nio.file.attribute.BasicFileAttributes.class);
                    if (a.isDirectory()) {
                        files(f).forEach((n, size) -> out.put(f.getFileName() + "/" + n, size));
                    } else if (a.isRegularFile()) {
                        out.put(f.getFileName().toString(), a.size());
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // Deleted meanwhile (compaction, an obsolete log): no longer on disk.
                }
            }
        }
        return out;
    }

    private SnapshotMeta writeSnapshot(Storage s, long index, byte[] data) throws IOException {
        try (SnapshotStore.Writer w = s.snapshots().create(index, 2, new byte[] {1})) {
            w.stream().write(data);
            return w.commit();
        }
    }

    private Path snapshotFile(long index) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("snapshots"))) {
            return files.filter(p -> p.getFileName().toString().startsWith(String.format("snapshot-%020d-", index)))
                    .findFirst().orElseThrow();
        }
    }

    @Test
    void flippedByteInSnapshotDataIsReportedWithTheFileOnRead() throws Exception {
        byte[] data = new byte[100_000];
        new java.util.SplittableRandom(3).nextBytes(data);
        try (Storage s = open()) {
            writeSnapshot(s, 10, data);
        }
        Path file = snapshotFile(10);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(5000);
            int b = raf.read();
            raf.seek(5000);
            raf.write(b ^ 0x01);
        }
        try (Storage s = open()) {
            SnapshotMeta meta = s.snapshots().latest().orElseThrow();
            try (SnapshotStore.Reader r = s.snapshots().open(meta.id()).orElseThrow(); InputStream in = r.stream()) {
                CorruptionException e = assertThrows(CorruptionException.class, in::readAllBytes);
                assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            }
        }
    }

    @Test
    void damagedSnapshotHeaderFailsStartUpNamingTheFile() throws Exception {
        try (Storage s = open()) {
            writeSnapshot(s, 10, new byte[100]);
        }
        Path file = snapshotFile(10);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(20);
            raf.write(0x7f);
        }
        CorruptionException e = assertThrows(CorruptionException.class, this::open);
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void truncatedSnapshotFileFailsStartUpNamingTheFile() throws Exception {
        try (Storage s = open()) {
            writeSnapshot(s, 10, new byte[1000]);
        }
        Path file = snapshotFile(10);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() - 10);
        }
        CorruptionException e = assertThrows(CorruptionException.class, this::open);
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void leftoverTemporaryFileIsRemovedAtStartUpAndNeverListed() throws Exception {
        Files.createDirectories(dir.resolve("snapshots"));
        Path tmp = dir.resolve("snapshots").resolve(String.format("snapshot-%020d-%020d.snap.tmp", 5, 7));
        Files.write(tmp, new byte[] {1, 2, 3});
        try (Storage s = open()) {
            assertTrue(s.snapshots().list().isEmpty());
            assertTrue(Files.notExists(tmp));
            SnapshotMeta m = writeSnapshot(s, 6, new byte[] {9});
            assertEquals("6-8", m.id(), "sequence numbers continue after the leftover's");
        }
    }

    @Test
    void snapshotIdsThatAreNotOursAreUnknown() throws Exception {
        try (Storage s = open()) {
            writeSnapshot(s, 1, new byte[] {1});
            assertTrue(s.snapshots().open("../../etc/passwd").isEmpty());
            assertTrue(s.snapshots().open("").isEmpty());
            assertTrue(s.snapshots().open(null).isEmpty());
            assertTrue(s.snapshots().open("1-999").isEmpty());
        }
    }

    @Test
    void retentionDeletesOldFilesFromDisk() throws Exception {
        try (Storage s = open(Map.of("storage-rocksdb.snapshots.retain", "1"))) {
            writeSnapshot(s, 1, new byte[] {1});
            writeSnapshot(s, 2, new byte[] {2});
            SnapshotMeta last = writeSnapshot(s, 3, new byte[] {3});
            assertEquals(List.of(last), s.snapshots().list());
            try (Stream<Path> files = Files.list(dir.resolve("snapshots"))) {
                assertEquals(1, files.count());
            }
        }
    }

    @Test
    void snapshotLargerThanTheLimitFailsAndLeavesNothing() throws Exception {
        try (Storage s = open(Map.of("storage-rocksdb.snapshots.max-bytes", "1000"))) {
            SnapshotStore.Writer w = s.snapshots().create(1, 1, null);
            w.stream().write(new byte[1000]);
            IOException e = assertThrows(IOException.class, () -> w.stream().write(1));
            assertTrue(e.getMessage().contains("storage-rocksdb.snapshots.max-bytes"), e.getMessage());
            w.abort();
            assertTrue(s.snapshots().list().isEmpty());
            try (Stream<Path> files = Files.list(dir.resolve("snapshots"))) {
                assertEquals(0, files.count());
            }
        }
    }

    @Test
    void ioErrorDuringCommitFailsTheCommitClearlyAndPublishesNothing() throws Exception {
        try (Storage s = open()) {
            SnapshotMeta kept = writeSnapshot(s, 1, new byte[] {1});
            SnapshotStore.Writer w = s.snapshots().create(2, 1, null);
            w.stream().write(new byte[200_000]);
            // Pull the temporary file away under the writer: the rename at commit must fail.
            try (Stream<Path> files = Files.list(dir.resolve("snapshots"))) {
                for (Path p : files.filter(f -> f.toString().endsWith(".tmp")).toList()) {
                    Files.delete(p);
                }
            }
            IOException e = assertThrows(IOException.class, w::commit);
            assertTrue(e.getMessage().contains("committing snapshot 2"), e.getMessage());
            assertEquals(List.of(kept), s.snapshots().list());
        }
        try (Storage s = open()) {
            assertEquals(1, s.snapshots().list().size());
        }
    }

    @Test
    void stableValuesAndLogShareOneDatabaseAndSurviveReopen() {
        try (Storage s = open()) {
            s.stable().putLong("term", 3);
            s.log().append(entries(1, 5, 8));
        }
        try (Storage s = open()) {
            assertEquals(3, s.stable().getLong("term", 0));
            assertEquals(5, s.log().lastIndex());
            assertArrayEquals(entries(5, 5, 8).get(0).data(), s.log().get(5).orElseThrow().data());
        }
    }
}

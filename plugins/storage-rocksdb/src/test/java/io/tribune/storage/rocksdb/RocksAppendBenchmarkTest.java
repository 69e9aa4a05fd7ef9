package io.tribune.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tribune.api.PluginConfig;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.Storage;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.TestContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints appends per second with fsync at batch sizes 1, 16 and 256 entries of 256 bytes, next to a
 * raw {@link FileChannel#force} loop on the same file system (one synced 256-byte write per
 * iteration: the physical limit of synced writes), and their ratio. Opt-in:
 * {@code mvn -pl plugins/storage-rocksdb test -Dtest=RocksAppendBenchmarkTest -Dtribune.bench=true}
 * ({@code -Dtribune.bench.seconds=N} per measurement, default 3). Prints figures; asserts only that
 * the log holds what was appended.
 */
@EnabledIfSystemProperty(named = "tribune.bench", matches = "true")
class RocksAppendBenchmarkTest {
    private static final int ENTRY_BYTES = 256;

    @TempDir
    Path dir;

    @Test
    void appendsPerSecondAgainstRawForce() throws IOException {
        long seconds = Long.getLong("tribune.bench.seconds", 3);
        Raw rawData = rawForce(dir.resolve("raw-fdatasync.bin"), false, seconds);
        Raw rawFull = rawForce(dir.resolve("raw-fsync.bin"), true, seconds);
        System.out.printf("raw FileChannel.force(false) loop: %,.0f syncs/s (256 B write + fdatasync)%n", rawData.perSecond);
        System.out.printf("raw FileChannel.force(true)  loop: %,.0f syncs/s (256 B write + fsync)%n", rawFull.perSecond);
        for (int batch : new int[] {1, 16, 256}) {
            Path d = Files.createDirectories(dir.resolve("rocks-" + batch));
            SimScheduler s = new SimScheduler();
            try (Storage st = new RocksStorageFactory().create(PluginConfig.empty(),
                    TestContext.builder("bench").clock(s.clock()).scheduler(s).dataDir(d).build())) {
                byte[] payload = new byte[ENTRY_BYTES];
                long next = 1;
                // Warm-up: JIT, memtable allocation, first WAL file.
                long warmEnd = System.nanoTime() + 1_000_000_000L;
                while (System.nanoTime() < warmEnd) {
                    st.log().append(batch(next, batch, payload));
                    next += batch;
                }
                long batches = 0;
                long start = System.nanoTime();
                long end = start + seconds * 1_000_000_000L;
                long now = start;
                while (now < end) {
                    st.log().append(batch(next, batch, payload));
                    next += batch;
                    batches++;
                    now = System.nanoTime();
                }
                double secs = (now - start) / 1e9;
                double batchesPerSec = batches / secs;
                double entriesPerSec = batches * (double) batch / secs;
                System.out.printf("storage-rocksdb batch %3d x 256 B: %,10.0f entries/s, %,8.0f synced appends/s"
                                + " = %.2f x raw fdatasync rate, %,.1f MiB/s payload%n",
                        batch, entriesPerSec, batchesPerSec, batchesPerSec / rawData.perSecond,
                        entriesPerSec * ENTRY_BYTES / (1 << 20));
                assertEquals(next - 1, st.log().lastIndex());
            }
        }
    }

    private static List<LogEntry> batch(long from, int n, byte[] payload) {
        List<LogEntry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new LogEntry(from + i, 1, EntryKind.COMMAND, payload));
        }
        return out;
    }

    private record Raw(double perSecond) {
    }

    private static Raw rawForce(Path file, boolean metadata, long seconds) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(ENTRY_BYTES);
            long warmEnd = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < warmEnd) {
                b.clear();
                ch.write(b);
                ch.force(metadata);
            }
            long n = 0;
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long now = start;
            while (now < end) {
                b.clear();
                ch.write(b);
                ch.force(metadata);
                n++;
                now = System.nanoTime();
            }
            return new Raw(n / ((now - start) / 1e9));
        }
    }
}

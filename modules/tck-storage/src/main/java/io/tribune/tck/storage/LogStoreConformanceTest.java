package io.tribune.tck.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.LogStore;
import io.tribune.api.storage.StorageException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link LogStore} contract: ordering, refusal of gaps and overlaps without side effects,
 * truncation at both ends, ranges with byte limits, consistent reads during appends, and (for
 * durable plugins) persistence across a restart.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class LogStoreConformanceTest extends StorageConformanceSupport {

    /** Subclasses bind a plugin. */
    protected LogStoreConformanceTest() {
    }

    private LogStore log() {
        return storage.log();
    }

    /** Checks that the log holds exactly the kit's entries {@code first..last}. */
    protected final void assertHolds(long first, long last) {
        assertEquals(first, log().firstIndex(), "firstIndex");
        assertEquals(last, log().lastIndex(), "lastIndex");
        for (long i = first; i <= last; i++) {
            assertEquals(Entries.at(i), log().get(i).orElseThrow(() -> new AssertionError("missing entry")),
                    "entry " + i);
        }
    }

    /** Checks: Empty log reports zero indices and no entries. */
    @Test
    public void emptyLogReportsZeroIndicesAndNoEntries() {
        assertEquals(0, log().firstIndex());
        assertEquals(0, log().lastIndex());
        assertTrue(log().get(1).isEmpty());
        assertTrue(log().range(1, 10, Long.MAX_VALUE).isEmpty());
    }

    /** Checks: Appends are read back in order with their content. */
    @Test
    public void appendsAreReadBackInOrderWithTheirContent() {
        log().append(Entries.range(1, 10));
        log().append(Entries.range(11, 11));
        log().append(Entries.range(12, 40));
        assertHolds(1, 40);
        assertEquals(Entries.range(1, 40), log().range(1, 40, Long.MAX_VALUE));
    }

    /** Checks: First append to empty log may start at any index. */
    @Test
    public void firstAppendToEmptyLogMayStartAtAnyIndex() {
        log().append(Entries.range(1000, 1004));
        assertHolds(1000, 1004);
        assertTrue(log().get(999).isEmpty());
    }

    /** Checks: Every entry kind and empty payload round trip. */
    @Test
    public void everyEntryKindAndEmptyPayloadRoundTrip() {
        List<LogEntry> batch = List.of(new LogEntry(1, 1, EntryKind.NOOP, null),
                new LogEntry(2, 1, EntryKind.CONFIGURATION, new byte[] {1, 2, 3}),
                new LogEntry(3, 2, EntryKind.COMMAND, new byte[0]),
                new LogEntry(4, Long.MAX_VALUE, EntryKind.COMMAND, new byte[] {-1}));
        log().append(batch);
        assertEquals(batch, log().range(1, 4, Long.MAX_VALUE));
    }

    /** Checks: Large payload round trips. */
    @Test
    public void largePayloadRoundTrips() {
        byte[] big = new byte[1 << 20];
        new SplittableRandom(7).nextBytes(big);
        LogEntry e = new LogEntry(1, 3, EntryKind.COMMAND, big);
        log().append(List.of(e));
        assertEquals(e, log().get(1).orElseThrow());
    }

    /** Checks: Append with gap is refused and changes nothing. */
    @Test
    public void appendWithGapIsRefusedAndChangesNothing() {
        log().append(Entries.range(1, 5));
        assertThrows(IllegalArgumentException.class, () -> log().append(Entries.range(7, 9)));
        assertHolds(1, 5);
        log().append(Entries.range(6, 6));
        assertHolds(1, 6);
    }

    /** Checks: Append overlapping the log is refused and changes nothing. */
    @Test
    public void appendOverlappingTheLogIsRefusedAndChangesNothing() {
        log().append(Entries.range(1, 5));
        assertThrows(IllegalArgumentException.class, () -> log().append(Entries.range(5, 8)));
        assertThrows(IllegalArgumentException.class, () -> log().append(Entries.range(1, 1)));
        assertHolds(1, 5);
    }

    /** Checks: Batch with non consecutive indices is refused and writes nothing. */
    @Test
    public void batchWithNonConsecutiveIndicesIsRefusedAndWritesNothing() {
        List<LogEntry> holed = new ArrayList<>(Entries.range(1, 3));
        holed.add(Entries.at(5));
        assertThrows(IllegalArgumentException.class, () -> log().append(holed));
        assertEquals(0, log().lastIndex());
        assertTrue(log().get(1).isEmpty(), "no prefix of a refused batch may be written");

        log().append(Entries.range(1, 2));
        List<LogEntry> backwards = List.of(Entries.at(4), Entries.at(3));
        assertThrows(IllegalArgumentException.class, () -> log().append(backwards));
        assertHolds(1, 2);
    }

    /** Checks: Batch with null entry is refused and writes nothing. */
    @Test
    public void batchWithNullEntryIsRefusedAndWritesNothing() {
        List<LogEntry> withNull = Arrays.asList(Entries.at(1), null);
        assertThrows(IllegalArgumentException.class, () -> log().append(withNull));
        assertEquals(0, log().lastIndex());
    }

    /** Checks: Empty append is a noop. */
    @Test
    public void emptyAppendIsANoop() {
        log().append(List.of());
        assertEquals(0, log().lastIndex());
        log().append(Entries.range(1, 2));
        log().append(List.of());
        assertHolds(1, 2);
    }

    /** Checks: Get outside the log is empty. */
    @Test
    public void getOutsideTheLogIsEmpty() {
        log().append(Entries.range(10, 20));
        assertTrue(log().get(9).isEmpty());
        assertTrue(log().get(21).isEmpty());
        assertTrue(log().get(0).isEmpty());
        assertTrue(log().get(-5).isEmpty());
        assertTrue(log().get(Long.MAX_VALUE).isEmpty());
    }

    /** Checks: Range is clipped to the log. */
    @Test
    public void rangeIsClippedToTheLog() {
        log().append(Entries.range(10, 20));
        assertEquals(Entries.range(10, 20), log().range(1, 100, Long.MAX_VALUE));
        assertEquals(Entries.range(15, 20), log().range(15, Long.MAX_VALUE, Long.MAX_VALUE));
        assertEquals(Entries.range(12, 13), log().range(12, 13, Long.MAX_VALUE));
        assertTrue(log().range(21, 30, Long.MAX_VALUE).isEmpty());
        assertTrue(log().range(1, 9, Long.MAX_VALUE).isEmpty());
        assertTrue(log().range(15, 14, Long.MAX_VALUE).isEmpty());
    }

    /** Checks: Range stops at max bytes but returns at least one entry. */
    @Test
    public void rangeStopsAtMaxBytesButReturnsAtLeastOneEntry() {
        List<LogEntry> batch = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            batch.add(new LogEntry(i, 1, EntryKind.COMMAND, new byte[100]));
        }
        log().append(batch);
        assertEquals(3, log().range(1, 10, 300).size(), "three 100-byte payloads fit in 300 bytes");
        assertEquals(3, log().range(1, 10, 399).size());
        assertEquals(1, log().range(4, 10, 1).size(), "one entry even when it alone exceeds maxBytes");
        assertEquals(4, log().range(4, 10, 1).get(0).index());
        assertEquals(10, log().range(1, 10, Long.MAX_VALUE).size());
    }

    /** Checks: Truncate suffix removes the tail and append continues with a new term. */
    @Test
    public void truncateSuffixRemovesTheTailAndAppendContinuesWithANewTerm() {
        log().append(Entries.range(1, 10));
        log().truncateSuffix(7);
        assertHolds(1, 6);
        assertTrue(log().get(7).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> log().append(Entries.range(8, 8)));
        LogEntry replacement = new LogEntry(7, 99, EntryKind.COMMAND, new byte[] {7});
        log().append(List.of(replacement));
        assertEquals(replacement, log().get(7).orElseThrow());
        assertEquals(7, log().lastIndex());
    }

    /** Checks: Truncate suffix above the last index is a noop. */
    @Test
    public void truncateSuffixAboveTheLastIndexIsANoop() {
        log().append(Entries.range(1, 5));
        log().truncateSuffix(6);
        log().truncateSuffix(Long.MAX_VALUE);
        assertHolds(1, 5);
    }

    /** Checks: Truncate suffix below the first index is refused and changes nothing. */
    @Test
    public void truncateSuffixBelowTheFirstIndexIsRefusedAndChangesNothing() {
        log().append(Entries.range(5, 10));
        assertThrows(IllegalArgumentException.class, () -> log().truncateSuffix(4));
        assertHolds(5, 10);
    }

    /** Checks: Truncate suffix at the first index empties the log. */
    @Test
    public void truncateSuffixAtTheFirstIndexEmptiesTheLog() {
        log().append(Entries.range(5, 10));
        log().truncateSuffix(5);
        assertEquals(0, log().firstIndex());
        assertEquals(0, log().lastIndex());
        log().append(Entries.range(3, 4));
        assertHolds(3, 4);
    }

    /** Checks: Truncate prefix removes the head. */
    @Test
    public void truncatePrefixRemovesTheHead() {
        log().append(Entries.range(1, 10));
        log().truncatePrefix(4);
        assertHolds(5, 10);
        assertTrue(log().get(4).isEmpty());
        assertEquals(Entries.range(5, 7), log().range(1, 7, Long.MAX_VALUE));
        log().append(Entries.range(11, 12));
        assertHolds(5, 12);
    }

    /** Checks: Truncate prefix below the first index is a noop. */
    @Test
    public void truncatePrefixBelowTheFirstIndexIsANoop() {
        log().append(Entries.range(5, 10));
        log().truncatePrefix(3);
        log().truncatePrefix(0);
        assertHolds(5, 10);
    }

    /** Checks: Truncate prefix at or above the last index empties the log and any index may follow. */
    @Test
    public void truncatePrefixAtOrAboveTheLastIndexEmptiesTheLogAndAnyIndexMayFollow() {
        log().append(Entries.range(1, 10));
        log().truncatePrefix(10);
        assertEquals(0, log().firstIndex());
        assertEquals(0, log().lastIndex());
        assertTrue(log().get(10).isEmpty());
        log().append(Entries.range(500, 501));
        assertHolds(500, 501);
        log().truncatePrefix(10_000);
        assertEquals(0, log().lastIndex());
    }

    /** Checks: Reset discards every entry. */
    @Test
    public void resetDiscardsEveryEntry() {
        log().append(Entries.range(1, 10));
        log().reset();
        assertEquals(0, log().firstIndex());
        assertEquals(0, log().lastIndex());
        log().append(Entries.range(77, 78));
        assertHolds(77, 78);
    }

    /** Checks: Concurrent readers during appends never see a torn or wrong entry. */
    @Test
    public void concurrentReadersDuringAppendsNeverSeeATornOrWrongEntry() throws Exception {
        final long total = 3000;
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        CountDownLatch started = new CountDownLatch(3);
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                final long seed = r;
                readers.add(pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    started.countDown();
                    while (!done.get()) {
                        long last = log().lastIndex();
                        if (last == 0) {
                            continue;
                        }
                        long i = 1 + rnd.nextLong(last);
                        LogEntry e = log().get(i).orElseThrow(() -> new AssertionError("entry below lastIndex missing"));
                        assertEquals(Entries.at(i), e);
                        List<LogEntry> got = log().range(i, i + 20, Long.MAX_VALUE);
                        assertFalse(got.isEmpty());
                        for (int k = 0; k < got.size(); k++) {
                            assertEquals(Entries.at(i + k), got.get(k));
                        }
                        reads.incrementAndGet();
                    }
                    return null;
                }));
            }
            assertTrue(started.await(30, TimeUnit.SECONDS));
            long next = 1;
            int batch = 1;
            while (next <= total) {
                long to = Math.min(total, next + batch - 1);
                log().append(Entries.range(next, to));
                next = to + 1;
                batch = batch % 32 + 1;
            }
            done.set(true);
            for (Future<?> f : readers) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            done.set(true);
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
        assertHolds(1, total);
        assertTrue(reads.get() > 0, "readers made no progress");
    }

    /** Checks: Every method fails after close. */
    @Test
    public void everyMethodFailsAfterClose() {
        log().append(Entries.range(1, 3));
        LogStore closed = log();
        storage.close();
        assertThrows(StorageException.class, closed::lastIndex);
        assertThrows(StorageException.class, closed::firstIndex);
        assertThrows(StorageException.class, () -> closed.get(1));
        assertThrows(StorageException.class, () -> closed.range(1, 3, 100));
        assertThrows(StorageException.class, () -> closed.append(Entries.range(4, 4)));
        assertThrows(StorageException.class, () -> closed.truncateSuffix(2));
        assertThrows(StorageException.class, () -> closed.truncatePrefix(2));
        storage.close();
    }

    /** Checks: Appended entries survive restart. */
    @Test
    public void appendedEntriesSurviveRestart() {
        log().append(Entries.range(1, 100));
        log().append(Entries.range(101, 101));
        restart();
        assertHolds(1, 101);
        log().append(Entries.range(102, 110));
        assertHolds(1, 110);
    }

    /** Checks: Truncations at both ends survive restart. */
    @Test
    public void truncationsAtBothEndsSurviveRestart() {
        log().append(Entries.range(1, 100));
        log().truncatePrefix(30);
        log().truncateSuffix(81);
        restart();
        assertHolds(31, 80);
        assertTrue(log().get(30).isEmpty());
        assertTrue(log().get(81).isEmpty());
        log().append(Entries.range(81, 82));
        assertHolds(31, 82);
    }

    /** Checks: Log emptied by prefix truncation stays empty after restart. */
    @Test
    public void logEmptiedByPrefixTruncationStaysEmptyAfterRestart() {
        log().append(Entries.range(1, 50));
        log().truncatePrefix(50);
        restart();
        assertEquals(0, log().firstIndex());
        assertEquals(0, log().lastIndex());
        log().append(Entries.range(51, 52));
        assertHolds(51, 52);
    }

    /** Checks: Durable factory refuses a context without a data directory. */
    @Test
    public void durableFactoryRefusesAContextWithoutADataDirectory() {
        assumeTrue(durable(), factory().name() + " is not durable: it needs no data directory");
        RuntimeException e = assertThrows(RuntimeException.class, () -> factory().create(config(), context(null)));
        assertTrue(e instanceof StorageException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException, "unexpected exception type " + e);
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "the error must say why");
    }
}

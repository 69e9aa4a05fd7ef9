package io.tribune.state.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.state.CommandResult;
import io.tribune.state.RequestId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The dedup table's bounds with small limits: generations close at the entry, byte and log-time
 * bounds, always keeping the previous generation; the same records give the same table.
 */
class DedupTableTest {
    /** 3 entries, ~2 KiB of results, 1 s of log time per generation; results up to 1 KiB kept. */
    private static final DedupTable.Limits SMALL = new DedupTable.Limits(3, 2048 + DedupTable.NOTICE_BYTES, 1000,
            1024);
    /** Only the byte bound matters: 2 KiB of results per generation, results up to 1 KiB kept. */
    private static final DedupTable.Limits BYTES = new DedupTable.Limits(100, 2048, 1_000_000, 1024);
    private static final byte[] TRUE = new CommandResult.Bool(true).encode();

    private static RequestId id(int n) {
        return new RequestId(7, n);
    }

    private static DedupTable recordAll(DedupTable t, int from, int to, long nowMillis) {
        for (int i = from; i <= to; i++) {
            t = t.record(id(i), i, nowMillis, TRUE);
        }
        return t;
    }

    @Test
    void aGenerationClosesAtTheEntryBoundAndThePreviousOneIsKept() {
        DedupTable t = recordAll(DedupTable.empty(SMALL), 1, 3, 0);
        assertEquals(3, t.size());
        t = t.record(id(4), 4, 0, TRUE); // closes {1,2,3}: kept as the previous generation
        assertEquals(4, t.size());
        for (int i = 1; i <= 4; i++) {
            assertEquals(i, t.find(id(i)).index());
        }
        t = recordAll(t, 5, 6, 0);
        assertEquals(6, t.size());
        t = t.record(id(7), 7, 0, TRUE); // closes {4,5,6}: {1,2,3} go
        for (int i = 1; i <= 3; i++) {
            assertNull(t.find(id(i)), "entry " + i + " outlived two generations");
        }
        for (int i = 4; i <= 7; i++) {
            assertNotNull(t.find(id(i)), "entry " + i + " is one of the latest and was dropped");
        }
        assertEquals(List.of(id(4), id(5), id(6)), keys(t.previous()));
        assertEquals(List.of(id(7)), keys(t.current()));
    }

    @Test
    void theLatestGenerationEntriesAreAlwaysFoundAndAtMostTwiceThatAreKept() {
        SplittableRandom random = new SplittableRandom(42);
        DedupTable t = DedupTable.empty(SMALL);
        List<RequestId> recorded = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            RequestId r = new RequestId(random.nextLong(), random.nextLong());
            t = t.record(r, i, 0, TRUE);
            recorded.add(r);
            assertTrue(t.size() <= 2 * SMALL.generationEntries());
            for (int back = 0; back < Math.min(recorded.size(), SMALL.generationEntries()); back++) {
                RequestId recent = recorded.get(recorded.size() - 1 - back);
                assertEquals(recorded.size() - back, t.find(recent).index());
            }
        }
    }

    @Test
    void aGenerationClosesAtTheResultByteBound() {
        byte[] kilo = resultOf(1000);
        DedupTable t = DedupTable.empty(BYTES);
        t = t.record(id(1), 1, 0, kilo);
        t = t.record(id(2), 2, 0, kilo);
        assertEquals(2, t.current().size());
        t = t.record(id(3), 3, 0, kilo); // 3,000 bytes would pass the 2,048-byte bound: closes {1,2}
        assertEquals(List.of(id(1), id(2)), keys(t.previous()));
        assertEquals(List.of(id(3)), keys(t.current()));
        assertEquals(3000, t.resultBytes());
    }

    @Test
    void aGenerationClosesAfterItsLogTimeAndAnIdleLogAgesNothing() {
        DedupTable t = DedupTable.empty(SMALL);
        t = t.record(id(1), 1, 10_000, TRUE);
        t = t.record(id(2), 2, 10_999, TRUE); // same generation: 999 ms of log time
        assertEquals(2, t.current().size());
        t = t.record(id(3), 3, 11_000, TRUE); // 1 s: closes {1,2}
        assertEquals(List.of(id(1), id(2)), keys(t.previous()));
        // A proposer whose clock lags moves the log clock neither back nor forward.
        t = t.record(id(4), 4, 5, TRUE);
        assertEquals(11_000, t.clockMillis());
        assertEquals(List.of(id(3), id(4)), keys(t.current()));
        // However long the log was idle, the next write closes at most one generation.
        t = t.record(id(5), 5, 99_000_000, TRUE);
        assertNotNull(t.find(id(3)));
        assertNull(t.find(id(1)));
    }

    @Test
    void aResultTooLargeIsKeptAsANoticeAndCommonResultsAreShared() {
        DedupTable t = DedupTable.empty(SMALL);
        t = t.record(id(1), 11, 0, resultOf(SMALL.maxResultBytes() + 1));
        CommandResult.Failed notice = assertInstanceOf(CommandResult.Failed.class,
                CommandResult.decode(t.find(id(1)).result()));
        assertEquals(CommandResult.Failed.Kind.REJECTED, notice.kind());
        assertTrue(notice.message().contains("index 11"), notice.message());
        assertTrue(t.find(id(1)).result().length <= DedupTable.NOTICE_BYTES);
        t = t.record(id(2), 12, 0, new CommandResult.Bool(true).encode());
        t = t.record(id(3), 13, 0, new CommandResult.Bool(true).encode());
        assertSame(t.find(id(2)).result(), t.find(id(3)).result(), "the common result is not shared");
        DedupTable finalT = t;
        assertThrows(IllegalArgumentException.class, () -> finalT.record(id(2), 14, 0, TRUE));
    }

    @Test
    void theSameRecordsGiveTheSameTable() {
        SplittableRandom random = new SplittableRandom(7);
        DedupTable a = DedupTable.empty(SMALL);
        DedupTable b = DedupTable.empty(SMALL);
        long now = 0;
        for (int i = 1; i <= 200; i++) {
            now += random.nextInt(400);
            byte[] result = resultOf(random.nextInt(1500));
            RequestId r = new RequestId(random.nextLong(), i);
            a = a.record(r, i, now, result);
            b = b.record(r, i, now, result.clone());
        }
        assertEquals(entries(a.previous()), entries(b.previous()));
        assertEquals(entries(a.current()), entries(b.current()));
        assertEquals(a.clockMillis(), b.clockMillis());
        assertEquals(a.currentSinceMillis(), b.currentSinceMillis());
    }

    @Test
    void restoreRefusesTablesThatRecordCouldNotHaveBuilt() {
        DedupTable t = recordAll(DedupTable.empty(SMALL), 1, 4, 100);
        PersistentMap<RequestId, DedupTable.Entry> prev = t.previous();
        PersistentMap<RequestId, DedupTable.Entry> cur = t.current();
        assertEquals(4, DedupTable.restore(SMALL, 100, 100, prev, cur, 4).size());
        assertThrows(IllegalArgumentException.class, () -> DedupTable.restore(SMALL, 100, 100, prev, cur, 3),
                "an index after the snapshot");
        assertThrows(IllegalArgumentException.class, () -> DedupTable.restore(SMALL, 100, 101, prev, cur, 4),
                "a generation opened after the clock");
        assertThrows(IllegalArgumentException.class,
                () -> DedupTable.restore(SMALL, 100, 100, prev, prev.put(id(4), cur.get(id(4))), 4),
                "an id in both generations");
        assertThrows(IllegalArgumentException.class, () -> DedupTable.restore(SMALL, 100, 100, prev,
                cur.put(id(9), new DedupTable.Entry(4, new CommandResult.Repeated(1, new CommandResult.Done())
                        .encode())), 4), "a repeated result");
        assertThrows(IllegalArgumentException.class, () -> DedupTable.restore(SMALL, 100, 100,
                prev.put(id(8), new DedupTable.Entry(1, TRUE)), cur, 4), "an overfull generation");
        assertThrows(IllegalArgumentException.class, () -> DedupTable.restore(SMALL, 100, 100, prev,
                PersistentMap.empty(), 4), "an old generation without a current one");
    }

    /**
     * Opt-in figures ({@code -Dtribune.bench=true}): heap per entry of a full default generation
     * (2^19 requests answered {@code true}) and the cost of recording one. Prints; asserts nothing
     * about speed.
     */
    @Test
    @EnabledIfSystemProperty(named = "tribune.bench", matches = "true")
    void benchDefaultGenerationMemoryAndRecordCost() {
        int n = DedupTable.DEFAULT.generationEntries();
        Runtime rt = Runtime.getRuntime();
        for (int round = 0; round < 3; round++) {
            System.gc();
            long before = rt.totalMemory() - rt.freeMemory();
            long t0 = System.nanoTime();
            DedupTable t = DedupTable.empty(DedupTable.DEFAULT);
            for (int i = 0; i < n; i++) {
                t = t.record(new RequestId(0x5eed, i), i + 1, 1_000, TRUE);
            }
            long nanos = System.nanoTime() - t0;
            System.gc();
            long after = rt.totalMemory() - rt.freeMemory();
            System.out.printf("bench dedup table: %d entries, %.1f bytes/entry on the heap, %.0f ns/record%n",
                    t.size(), (after - before) / (double) t.size(), nanos / (double) n);
        }
    }

    private static byte[] resultOf(int bytes) {
        return new CommandResult.Failed(CommandResult.Failed.Kind.REJECTED, "x".repeat(Math.max(0, bytes - 7)))
                .encode();
    }

    private static List<RequestId> keys(PersistentMap<RequestId, DedupTable.Entry> m) {
        List<RequestId> out = new ArrayList<>();
        m.forEachEntry((k, v) -> out.add(k));
        return out;
    }

    private static List<Map.Entry<RequestId, DedupTable.Entry>> entries(PersistentMap<RequestId, DedupTable.Entry> m) {
        List<Map.Entry<RequestId, DedupTable.Entry>> out = new ArrayList<>();
        m.forEachEntry((k, v) -> out.add(Map.entry(k, v)));
        return out;
    }
}

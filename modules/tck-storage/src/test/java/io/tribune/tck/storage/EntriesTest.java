package io.tribune.tck.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The kit's deterministic entries are what the suites and the crash child rely on. */
class EntriesTest {

    @Test
    void entryIsAPureFunctionOfItsIndex() {
        assertEquals(Entries.at(12345), Entries.at(12345));
        assertNotEquals(Entries.at(12345), Entries.at(12346));
    }

    @Test
    void rangeIsConsecutiveAndCoversEveryKind() {
        List<LogEntry> r = Entries.range(1, 100);
        assertEquals(100, r.size());
        Set<EntryKind> kinds = EnumSet.noneOf(EntryKind.class);
        for (int i = 0; i < r.size(); i++) {
            assertEquals(i + 1, r.get(i).index());
            kinds.add(r.get(i).kind());
            if (r.get(i).kind() == EntryKind.NOOP) {
                assertEquals(0, r.get(i).size());
            } else {
                assertTrue(r.get(i).size() >= 16 && r.get(i).size() < 272);
            }
        }
        assertEquals(EnumSet.allOf(EntryKind.class), kinds);
    }

    @Test
    void termsNeverDecrease() {
        long prev = 0;
        for (long i = 1; i < 5000; i += 7) {
            assertTrue(Entries.termOf(i) >= prev);
            prev = Entries.termOf(i);
        }
    }

    @Test
    void childRefusesToRunWithoutAKnownFactory() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CrashAppender.findFactory("no-such-storage"));
        assertTrue(e.getMessage().contains("no-such-storage"), e.getMessage());
    }
}

package io.tribune.tck.storage;

import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic log entries for the suites and the crash child: the content of entry {@code i} is a
 * pure function of {@code i}, so a reader can check any entry it finds without having seen the
 * append.
 */
public final class Entries {
    private Entries() {
    }

    /** The term the kit uses for entry {@code index}: grows every 500 entries, as leaders change. */
    public static long termOf(long index) {
        return 1 + index / 500;
    }

    /**
     * The entry the kit writes at {@code index}: kind cycles through COMMAND, CONFIGURATION and NOOP
     * (empty payload); payload length 16..271 bytes, content from a simple generator seeded by the
     * index.
     */
    public static LogEntry at(long index) {
        EntryKind kind = index % 11 == 0 ? EntryKind.NOOP : index % 7 == 0 ? EntryKind.CONFIGURATION : EntryKind.COMMAND;
        if (kind == EntryKind.NOOP) {
            return new LogEntry(index, termOf(index), kind, new byte[0]);
        }
        int len = 16 + (int) Math.floorMod(index * 7919L, 256L);
        byte[] data = new byte[len];
        long x = index * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            data[i] = (byte) x;
        }
        return new LogEntry(index, termOf(index), kind, data);
    }

    /** Entries {@code from..to} inclusive, as built by {@link #at(long)}. */
    public static List<LogEntry> range(long from, long to) {
        List<LogEntry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(at(i));
        }
        return out;
    }
}

package io.tribune.state.internal;

import io.tribune.state.CommandResult;
import io.tribune.state.RequestId;
import io.tribune.state.StateStore;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The replicated table of recent client requests: request id to the index it was applied at and
 * its encoded result, so that a retry of a write whose reply was lost gets the first answer
 * instead of applying again (Raft thesis §6.3, where a session table keeps each client's last
 * serial number and response).
 *
 * <p><b>Bounded by generations, computed from the log only.</b> Entries go into the current
 * generation; the table also keeps the previous one and drops everything older. The current
 * generation closes (it becomes the previous one, and the previous one is dropped) when one more
 * entry would exceed {@link Limits#generationEntries} entries or
 * {@link Limits#generationResultBytes} result bytes, or when the log clock is
 * {@link Limits#generationMillis} past the moment the generation opened. The log clock is the
 * newest proposer time carried by any recorded envelope ({@code Command.Dedup.nowMillis}): a
 * value read from the log, so every server closes generations at the same entries whether it
 * replayed the log or restored a snapshot, and an idle cluster (no writes) evicts nothing.
 *
 * <p>Hence an entry is still found while both hold: fewer than {@code generationEntries} (and
 * {@code generationResultBytes}) later requests were recorded, and the log clock has not moved
 * {@code generationMillis} past the entry's own record. At most {@code 2 × generationEntries}
 * entries and {@code 2 × generationResultBytes} result bytes are kept. At low write rates the
 * time bound keeps the table small; at high rates the entry bound caps it.
 *
 * <p>A result larger than {@link Limits#maxResultBytes} is not kept: its entry holds a
 * {@code Failed(REJECTED)} result that says so, and a retry gets that answer (it still applies
 * nothing).
 *
 * <p>Immutable: {@link #record} returns a new table that shares structure with this one
 * (persistent maps), so every state version keeps its own table and a snapshot captures it by
 * reference. Iteration (snapshots) is in request id order. Confined to no thread; apply is the
 * only writer.
 */
public final class DedupTable {

    /**
     * The bounds of a table. Every server of a cluster must use the same bounds (they decide which
     * entries exist), so production code uses {@link #DEFAULT} only; tests use small ones.
     *
     * @param generationEntries     entries per generation (at least 1)
     * @param generationResultBytes bytes of recorded results per generation (at least
     *                              {@code maxResultBytes} + {@link #NOTICE_BYTES}, so any one entry fits)
     * @param generationMillis      log-clock milliseconds after which a generation closes (positive)
     * @param maxResultBytes        largest result kept as such (at least 64 bytes)
     */
    public record Limits(int generationEntries, long generationResultBytes, long generationMillis,
                         int maxResultBytes) {
        /** Checks the bounds. */
        public Limits {
            if (generationEntries < 1 || generationMillis < 1 || maxResultBytes < 64
                    || generationResultBytes < (long) maxResultBytes + NOTICE_BYTES) {
                throw new IllegalArgumentException("bad dedup table limits: " + generationEntries + " entries, "
                        + generationResultBytes + " result bytes, " + generationMillis + " ms, " + maxResultBytes
                        + " bytes per result");
            }
        }
    }

    /**
     * The bounds every server uses: generations of 2 minutes of log time, 2^19 entries or 16 MiB
     * of results; results up to 64 KiB kept. See {@code docs/state.md} for why they are safe.
     */
    public static final Limits DEFAULT = new Limits(StateStore.DEDUP_GENERATION_ENTRIES,
            StateStore.DEDUP_GENERATION_RESULT_BYTES, StateStore.DEDUP_GENERATION_MILLIS,
            StateStore.DEDUP_MAX_RESULT_BYTES);

    /**
     * One recorded request.
     *
     * @param index  the index the request was applied at
     * @param result its encoded {@link CommandResult}, never a {@link CommandResult.Repeated};
     *               shared, never modified
     */
    public record Entry(long index, byte[] result) {
        /** Checks fields (the array is not copied: entries are built only by this class). */
        public Entry {
            Objects.requireNonNull(result, "result");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && index == e.index && Arrays.equals(result, e.result);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(index) * 31 + Arrays.hashCode(result);
        }

        @Override
        public String toString() {
            return "Entry[index=" + index + ", result=" + result.length + " bytes]";
        }
    }

    /** Upper bound on the size of the notice kept instead of a result too large to keep. */
    public static final int NOTICE_BYTES = 1024;

    // The three results almost every write returns, shared by every entry that holds one.
    private static final byte[] TRUE = Codec.encodeResult(new CommandResult.Bool(true));
    private static final byte[] FALSE = Codec.encodeResult(new CommandResult.Bool(false));
    private static final byte[] DONE = Codec.encodeResult(new CommandResult.Done());

    private final Limits limits;
    private final PersistentMap<RequestId, Entry> previous;
    private final PersistentMap<RequestId, Entry> current;
    private final long previousBytes;
    private final long currentBytes;
    /** The log clock: newest proposer time of any recorded request (0 before the first). */
    private final long clockMillis;
    /** The log clock when the current generation received its first entry. */
    private final long currentSinceMillis;

    private DedupTable(Limits limits, PersistentMap<RequestId, Entry> previous, long previousBytes,
                       PersistentMap<RequestId, Entry> current, long currentBytes, long clockMillis,
                       long currentSinceMillis) {
        this.limits = limits;
        this.previous = previous;
        this.previousBytes = previousBytes;
        this.current = current;
        this.currentBytes = currentBytes;
        this.clockMillis = clockMillis;
        this.currentSinceMillis = currentSinceMillis;
    }

    /** An empty table with {@code limits}. */
    public static DedupTable empty(Limits limits) {
        return new DedupTable(Objects.requireNonNull(limits, "limits"), PersistentMap.empty(), 0,
                PersistentMap.empty(), 0, 0, 0);
    }

    /** The entry recorded for {@code id}, or null when the table holds none. */
    public Entry find(RequestId id) {
        Entry e = current.get(id);
        return e != null ? e : previous.get(id);
    }

    /**
     * This table with {@code id} recorded as applied at {@code index} with {@code result},
     * closing the current generation first when the limits say so.
     *
     * @param nowMillis the proposer time carried by the request (moves the log clock forward only)
     * @throws IllegalArgumentException when {@code id} is already recorded
     */
    public DedupTable record(RequestId id, long index, long nowMillis, byte[] result) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(result, "result");
        if (find(id) != null) {
            throw new IllegalArgumentException("request " + id + " is already recorded");
        }
        byte[] kept = kept(id, index, result);
        long clock = Math.max(clockMillis, nowMillis);
        PersistentMap<RequestId, Entry> prev = previous;
        PersistentMap<RequestId, Entry> cur = current;
        long prevBytes = previousBytes;
        long curBytes = currentBytes;
        long since = currentSinceMillis;
        if (!cur.isEmpty() && (cur.size() >= limits.generationEntries()
                || curBytes + kept.length > limits.generationResultBytes()
                || clock - since >= limits.generationMillis())) {
            prev = cur;
            prevBytes = curBytes;
            cur = PersistentMap.empty();
            curBytes = 0;
        }
        if (cur.isEmpty()) {
            since = clock;
        }
        return new DedupTable(limits, prev, prevBytes, cur.put(id, new Entry(index, kept)), curBytes + kept.length,
                clock, since);
    }

    /** The result bytes to keep for a request: shared for the common results, a notice for large ones. */
    private byte[] kept(RequestId id, long index, byte[] result) {
        byte[] shared = canonical(result);
        if (shared == TRUE || shared == FALSE || shared == DONE) {
            return shared;
        }
        if (result.length > limits.maxResultBytes()) {
            return Codec.encodeResult(new CommandResult.Failed(CommandResult.Failed.Kind.REJECTED, "request " + id
                    + " was already applied at index " + index + ", but its result (" + result.length
                    + " bytes) is larger than the " + limits.maxResultBytes() + " bytes kept to answer a retry; "
                    + "nothing was applied again: read the data to learn the outcome"));
        }
        return result.clone();
    }

    /** Number of recorded requests (both generations). */
    public int size() {
        return previous.size() + current.size();
    }

    /** Whether nothing was ever recorded (a table never empties once it holds an entry). */
    public boolean isEmpty() {
        return current.isEmpty() && previous.isEmpty();
    }

    /** The log clock: the newest proposer time of a recorded request. */
    public long clockMillis() {
        return clockMillis;
    }

    /** The log clock when the current generation opened. */
    public long currentSinceMillis() {
        return currentSinceMillis;
    }

    /** The previous generation, in id order. */
    public PersistentMap<RequestId, Entry> previous() {
        return previous;
    }

    /** The current generation, in id order. */
    public PersistentMap<RequestId, Entry> current() {
        return current;
    }

    /** Result bytes recorded in both generations. */
    public long resultBytes() {
        return previousBytes + currentBytes;
    }

    /** The bounds of this table. */
    public Limits limits() {
        return limits;
    }

    /**
     * Rebuilds a table read from a snapshot, checking that it is one {@link #record} could have
     * built: each generation within the limits, no id in both, every result a decodable
     * non-repeated result, indexes in 1..{@code maxIndex}, the clock not before the opening time.
     *
     * @throws IllegalArgumentException naming the first problem
     */
    static DedupTable restore(Limits limits, long clockMillis, long currentSinceMillis,
                              PersistentMap<RequestId, Entry> previous, PersistentMap<RequestId, Entry> current,
                              long maxIndex) {
        if (currentSinceMillis > clockMillis) {
            throw new IllegalArgumentException("dedup table opened its generation at " + currentSinceMillis
                    + " ms, after its clock " + clockMillis + " ms");
        }
        if (current.isEmpty() && !previous.isEmpty()) {
            throw new IllegalArgumentException("dedup table has an old generation but no current one");
        }
        long prevBytes = check(limits, previous, maxIndex, "previous");
        long curBytes = check(limits, current, maxIndex, "current");
        for (Map.Entry<RequestId, Entry> e : previous) {
            if (current.containsKey(e.getKey())) {
                throw new IllegalArgumentException("request " + e.getKey() + " is in both dedup generations");
            }
        }
        return new DedupTable(limits, previous, prevBytes, current, curBytes, clockMillis, currentSinceMillis);
    }

    private static long check(Limits limits, PersistentMap<RequestId, Entry> gen, long maxIndex, String which) {
        if (gen.size() > limits.generationEntries()) {
            throw new IllegalArgumentException("the " + which + " dedup generation holds " + gen.size()
                    + " entries, more than " + limits.generationEntries());
        }
        long bytes = 0;
        for (Map.Entry<RequestId, Entry> e : gen) {
            Entry en = e.getValue();
            if (en.index() < 1 || en.index() > maxIndex) {
                throw new IllegalArgumentException("request " + e.getKey() + " was recorded at index " + en.index()
                        + ", outside 1.." + maxIndex);
            }
            if (en.result().length > limits.maxResultBytes() + NOTICE_BYTES) {
                throw new IllegalArgumentException("request " + e.getKey() + " records a result of "
                        + en.result().length + " bytes, more than the " + limits.maxResultBytes() + " kept");
            }
            CommandResult r = Codec.decodeResult(en.result());
            if (r instanceof CommandResult.Repeated) {
                throw new IllegalArgumentException("request " + e.getKey() + " records a repeated result");
            }
            bytes += en.result().length;
        }
        if (bytes > limits.generationResultBytes()) {
            throw new IllegalArgumentException("the " + which + " dedup generation holds " + bytes
                    + " result bytes, more than " + limits.generationResultBytes());
        }
        return bytes;
    }

    /** The shared array for a common result, or {@code result} itself (for restores, so memory matches a replay). */
    static byte[] canonical(byte[] result) {
        if (Arrays.equals(result, TRUE)) {
            return TRUE;
        }
        if (Arrays.equals(result, FALSE)) {
            return FALSE;
        }
        if (Arrays.equals(result, DONE)) {
            return DONE;
        }
        return result;
    }
}

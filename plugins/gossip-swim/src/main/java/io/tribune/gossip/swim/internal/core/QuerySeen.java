package io.tribune.gossip.swim.internal.core;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The queries a member has already handled, by {@code (origin, id)}, so that the copies that
 * gossip keeps bringing are neither handled nor re-gossiped again (Serf keeps a similar buffer of
 * recent query ids).
 *
 * <p>Memory is bounded twice: an entry is forgotten once its retention has passed, and at most
 * {@link #MAX_ENTRIES} are kept (the oldest goes first). Retention is the query's timeout, but at
 * least {@link #MIN_RETAIN_MILLIS}: copies of a query circulate only while some member still has
 * transmissions of it left ({@code retransmitMult * ceil(log10(n + 1))} per member, a few gossip
 * rounds: under a second on the LAN preset, a few seconds on the WAN one), so an entry outlives
 * every copy by a wide margin. A copy that arrives after its entry was forgotten is handled again;
 * the origin still keeps one answer per member.
 *
 * <p>Each entry also keeps the answer this member sent, so that it can send it again when the
 * origin retries (its answer may have been lost); at most 1 KiB each, so about 4 MB in all at worst.
 *
 * <p>Deterministic: insertion-ordered, and keys hash by value.
 */
final class QuerySeen {
    /** Most remembered queries (about 0.6 MB at the longest names). */
    static final int MAX_ENTRIES = 4096;
    /** Shortest retention, milliseconds. */
    static final long MIN_RETAIN_MILLIS = 30_000;

    private record Key(String origin, long id) {
    }

    /** A remembered query: when it may be forgotten, and the answer sent, if any yet. */
    private static final class Seen {
        final long forgetAt;
        Msg.QueryAnswer answer;

        Seen(long forgetAt) {
            this.forgetAt = forgetAt;
        }
    }

    /** Insertion order. */
    private final LinkedHashMap<Key, Seen> forgetAt = new LinkedHashMap<>();
    private long evicted;

    /**
     * Records a query.
     *
     * @return true when it was not seen before (handle and re-gossip it), false for a duplicate
     */
    boolean record(String origin, long id, long timeoutMillis, long now) {
        forget(now);
        Key k = new Key(origin, id);
        if (forgetAt.containsKey(k)) {
            return false;
        }
        if (forgetAt.size() >= MAX_ENTRIES) {
            Iterator<Map.Entry<Key, Seen>> it = forgetAt.entrySet().iterator();
            it.next();
            it.remove();
            evicted++;
        }
        forgetAt.put(k, new Seen(now + Math.max(timeoutMillis, MIN_RETAIN_MILLIS)));
        return true;
    }

    /** Keeps the answer this member sent to a recorded query; ignored when the query is forgotten. */
    void answered(String origin, long id, Msg.QueryAnswer answer) {
        Seen s = forgetAt.get(new Key(origin, id));
        if (s != null) {
            s.answer = answer;
        }
    }

    /** The answer this member sent to a query, or null (not answered yet, or forgotten). */
    Msg.QueryAnswer answerTo(String origin, long id) {
        Seen s = forgetAt.get(new Key(origin, id));
        return s == null ? null : s.answer;
    }

    /**
     * Drops entries whose retention has passed, from the oldest on. It stops at the first entry
     * still retained: retentions differ by at most the longest timeout, so a few entries may wait
     * a little longer behind it, within {@link #MAX_ENTRIES}.
     */
    void forget(long now) {
        Iterator<Map.Entry<Key, Seen>> it = forgetAt.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue().forgetAt > now) {
                return;
            }
            it.remove();
        }
    }

    int size() {
        return forgetAt.size();
    }

    /** Entries dropped for room before their retention passed. */
    long evicted() {
        return evicted;
    }
}

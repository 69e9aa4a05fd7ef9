package io.tribune.gossip.swim.internal.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Messages waiting to be piggybacked, each sent a bounded number of times (SWIM §4.1
 * infection-style dissemination). The least-sent messages go first, newest first among equals, so
 * fresh news spreads before old news is repeated. A message queued under a key replaces the one
 * already queued under it (a newer state of the same member makes the older one moot).
 *
 * <p>Deterministic: order depends only on transmit counts and insertion sequence.
 */
final class BroadcastQueue {
    /** Hard cap: beyond it the oldest, most-sent entries are dropped (push-pull repairs what gossip loses). */
    static final int MAX_ENTRIES = 4096;
    /** No message encodes to fewer bytes (an Ack with an empty name: type, seq, length). */
    static final int SMALLEST_MESSAGE = 11;

    private static final class Entry {
        final String key;
        final Msg msg;
        final int size;
        final long id;
        int transmits;

        Entry(String key, Msg msg, long id) {
            this.key = key;
            this.msg = msg;
            this.size = WireCodec.size(msg);
            this.id = id;
        }
    }

    private final TreeSet<Entry> order = new TreeSet<>((a, b) -> {
        int c = Integer.compare(a.transmits, b.transmits);
        return c != 0 ? c : Long.compare(b.id, a.id);
    });
    /** Lookup only, never iterated. */
    private final Map<String, Entry> byKey = new HashMap<>();
    private long nextId;
    private long dropped;

    /** Queues {@code msg} under {@code key}, replacing any message queued under it. */
    void queue(String key, Msg msg) {
        Entry old = byKey.remove(key);
        if (old != null) {
            order.remove(old);
        }
        Entry e = new Entry(key, msg, nextId++);
        byKey.put(key, e);
        order.add(e);
        while (order.size() > MAX_ENTRIES) {
            Entry last = order.pollLast();
            byKey.remove(last.key);
            dropped++;
        }
    }

    /**
     * Takes messages that fit {@code budgetBytes} (each costing its size plus
     * {@code perMessageOverhead}), at most {@code maxCount}, counting one transmission for each and
     * retiring those that reach {@code transmitLimit}.
     */
    List<Msg> take(int budgetBytes, int perMessageOverhead, int maxCount, int transmitLimit) {
        List<Msg> out = new ArrayList<>();
        if (order.isEmpty() || budgetBytes <= 0) {
            return out;
        }
        List<Entry> sent = new ArrayList<>();
        int left = budgetBytes;
        for (Entry e : order) {
            if (out.size() >= maxCount) {
                break;
            }
            if (left < SMALLEST_MESSAGE + perMessageOverhead) {
                break;
            }
            int cost = e.size + perMessageOverhead;
            if (cost > left) {
                continue;
            }
            left -= cost;
            out.add(e.msg);
            sent.add(e);
        }
        for (Entry e : sent) {
            order.remove(e);
            e.transmits++;
            if (e.transmits >= transmitLimit) {
                byKey.remove(e.key);
            } else {
                order.add(e);
            }
        }
        return out;
    }

    /** Whether a message is still queued under {@code key}. */
    boolean contains(String key) {
        return byKey.containsKey(key);
    }

    /** How many times the message under {@code key} was sent, or -1 when none is queued. */
    int transmits(String key) {
        Entry e = byKey.get(key);
        return e == null ? -1 : e.transmits;
    }

    int size() {
        return order.size();
    }

    long dropped() {
        return dropped;
    }

    /**
     * memberlist's retransmit limit: {@code mult * ceil(log10(n + 1))}, so messages reach every
     * member with high probability in O(log n) gossip rounds (SWIM §4.1).
     */
    static int retransmitLimit(int mult, int clusterSize) {
        return mult * (int) Math.ceil(Math.log10(clusterSize + 1.0));
    }
}

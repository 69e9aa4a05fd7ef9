package io.tribune.gossip.swim.internal.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Serf-style user-event bookkeeping: a Lamport clock, and a ring of recent Lamport times with the
 * events seen at each, so that re-gossiped copies are delivered once. Events older than the ring
 * are refused as too old to tell apart from duplicates.
 */
final class EventBuffer {
    /** Distinct Lamport times remembered (Serf's default event buffer is 512). */
    static final int SIZE = 512;
    /** Distinct events remembered per Lamport time; more at one time are refused (bounded memory). */
    static final int MAX_PER_TIME = 64;

    private record Seen(String name, byte[] payload) {
    }

    private final long[] times = new long[SIZE];
    private final List<List<Seen>> seen = new ArrayList<>(SIZE);
    private long clock;

    EventBuffer() {
        Arrays.fill(times, -1);
        for (int i = 0; i < SIZE; i++) {
            seen.add(new ArrayList<>());
        }
    }

    long clock() {
        return clock;
    }

    /** Lamport's receive rule: the clock moves past any time witnessed. */
    void witness(long t) {
        if (t >= clock) {
            clock = t + 1;
        }
    }

    /** Lamport's send rule: the current time is used, then the clock ticks. */
    long next() {
        return clock++;
    }

    /**
     * Records an event.
     *
     * @return true when it is new and should be delivered and re-gossiped; false for a duplicate
     *         or an event older than the buffer
     */
    boolean record(long ltime, String name, byte[] payload) {
        if (clock > SIZE && ltime < clock - SIZE) {
            return false;
        }
        int slot = (int) (ltime % SIZE);
        if (times[slot] != ltime) {
            times[slot] = ltime;
            seen.get(slot).clear();
        }
        for (Seen s : seen.get(slot)) {
            if (s.name().equals(name) && Arrays.equals(s.payload(), payload)) {
                return false;
            }
        }
        if (seen.get(slot).size() >= MAX_PER_TIME) {
            return false;
        }
        seen.get(slot).add(new Seen(name, payload.clone()));
        return true;
    }
}

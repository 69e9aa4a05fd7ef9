package io.tribune.gossip.swim.internal.core;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A per-peer median filter of round-trip samples, as Serf applies before each Vivaldi step (its
 * latency filter of 3 samples): one delayed probe answer (a GC pause, a busy host) then moves the
 * coordinate no more than a typical one, since the median of the last few samples ignores a single
 * outlier. Pure and deterministic: lookups and removals only, never iterated.
 */
final class LatencyFilter {
    /** Samples kept per peer (Serf's default). */
    static final int SIZE = 3;

    private final Map<String, double[]> samples = new HashMap<>();
    private final Map<String, Integer> counts = new HashMap<>();

    /**
     * Records {@code rttMillis} for {@code peer} and returns the median of its last {@link #SIZE}
     * samples (of fewer while it has fewer; for an even count, the upper of the two middle ones).
     */
    double observe(String peer, double rttMillis) {
        double[] ring = samples.computeIfAbsent(peer, p -> new double[SIZE]);
        int n = counts.merge(peer, 1, Integer::sum);
        ring[(n - 1) % SIZE] = rttMillis;
        int have = Math.min(n, SIZE);
        double[] sorted = Arrays.copyOf(ring, have);
        Arrays.sort(sorted);
        return sorted[have / 2];
    }

    /** Forgets {@code peer} (it was reaped). */
    void forget(String peer) {
        samples.remove(peer);
        counts.remove(peer);
    }
}

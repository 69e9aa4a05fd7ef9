package io.tribune.raft.internal.sim;

import java.util.List;

/** Entry points for benchmarks: failover time and stale-read window of simulated seeds with default timing. */
public final class FailoverSimulation {
    private FailoverSimulation() {
    }

    /**
     * Virtual nanoseconds from the leader's crash to the first commit of a newer term, for a
     * fault-free 3-server cluster with a 50 ms tick (the plugin's default), or -1 when none.
     */
    public static long failoverNanos(long seed) {
        SimCluster.Knobs knobs = new SimCluster.Knobs(3, 0, 0, 100, 1_000, 0.01, false, 50_000, 100_000, 100, 64, 5);
        return new SimCluster(seed, knobs).failoverNanos(2_000);
    }

    /**
     * Stale-read window of one seed: for a fault-free 3-server cluster (messages 100 us..1 ms,
     * fsyncs 50 us..1 ms, 50 ms tick) under client load with gaps of 1..2*{@code loadGapMillis} ms
     * for {@code millis} of virtual time, the virtual nanoseconds from the leader's apply of each
     * entry to each follower's apply of it.
     */
    public static List<Long> applyLagNanos(long seed, int loadGapMillis, long millis) {
        SimCluster.Knobs knobs = new SimCluster.Knobs(3, 0, 0, 100, 1_000, 0.01, false, 50_000, 100_000, 100, 64,
                loadGapMillis);
        return new SimCluster(seed, knobs).applyLags(millis);
    }
}

package io.tribune.raft.internal.sim;

/** Entry point for benchmarks: the failover time of one simulated seed with default timing. */
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
}

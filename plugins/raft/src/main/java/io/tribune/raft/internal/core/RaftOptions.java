package io.tribune.raft.internal.core;

/**
 * The core's tunables, all in ticks or counts (the driver decides how long a tick is).
 *
 * @param electionTicks     minimum election timeout; each timeout is drawn from
 *                          {@code [electionTicks, 2 * electionTicks)} (Raft §5.2 randomization)
 * @param heartbeatTicks    heartbeat interval; must be well below {@code electionTicks}
 * @param preVote           run a pre-vote round before a real election (thesis §9.6)
 * @param checkQuorum       a leader steps down when a majority has not answered within an
 *                          election timeout, and followers in contact with a leader ignore votes
 *                          (thesis §6.2, §4.2.3); required for lease reads
 * @param maxInflight       most unacknowledged appends per follower in REPLICATE (flow control)
 * @param maxBatchEntries   most entries in one AppendEntries
 * @param maxBatchBytes     most payload bytes in one AppendEntries (at least one entry is sent)
 * @param leaseTicks        how long after a majority acknowledged a round the leader serves lease
 *                          reads: {@code electionTicks * (1 - maxDrift)} rounded down, minus one tick,
 *                          so followers' clocks may run up to {@code maxDrift} faster (thesis §6.4.1)
 */
public record RaftOptions(int electionTicks, int heartbeatTicks, boolean preVote, boolean checkQuorum,
                          int maxInflight, int maxBatchEntries, long maxBatchBytes, int leaseTicks) {
    public RaftOptions {
        if (electionTicks < 2) {
            throw new IllegalArgumentException("electionTicks must be >= 2, got " + electionTicks);
        }
        if (heartbeatTicks < 1 || heartbeatTicks >= electionTicks) {
            throw new IllegalArgumentException("heartbeatTicks must be in 1.." + (electionTicks - 1) + ", got "
                    + heartbeatTicks);
        }
        if (maxInflight < 1 || maxBatchEntries < 1 || maxBatchBytes < 1) {
            throw new IllegalArgumentException("maxInflight, maxBatchEntries and maxBatchBytes must be positive");
        }
        if (leaseTicks < 0 || leaseTicks >= electionTicks) {
            throw new IllegalArgumentException("leaseTicks must be in 0.." + (electionTicks - 1) + ", got " + leaseTicks);
        }
    }

    /** Lease ticks for a drift bound (0 <= maxDrift < 1). */
    public static int leaseTicksFor(int electionTicks, double maxDrift) {
        if (!(maxDrift >= 0 && maxDrift < 1)) {
            throw new IllegalArgumentException("maxDrift must be in [0, 1), got " + maxDrift);
        }
        return Math.max(0, (int) Math.floor(electionTicks * (1 - maxDrift)) - 1);
    }

    /** Defaults: election 10 ticks, heartbeat 2, pre-vote and check-quorum on, 8 in flight. */
    public static RaftOptions defaults() {
        return new RaftOptions(10, 2, true, true, 8, 256, 1 << 20, leaseTicksFor(10, 0.05));
    }
}

package io.tribune.raft.internal.driver;

import io.tribune.api.PluginConfig;
import io.tribune.raft.internal.core.RaftOptions;
import java.time.Duration;
import java.util.Set;

/**
 * Typed, validated settings of the {@code raft} plugin. Timing is counted in ticks; one tick lasts
 * {@code raft.tick × raft.multiplier}, so the multiplier slows every timeout at once, like Consul's
 * {@code raft_multiplier}.
 *
 * <p>Defaults are fast, for failover under a second on a LAN: a 50 ms tick, an election timeout
 * drawn from 10..20 ticks (0.5–1 s), a heartbeat every 2 ticks (100 ms). Set
 * {@code raft.multiplier=5} for Consul-like production-conservative timing (2.5–5 s elections).
 *
 * @param tick               {@code raft.tick}: base tick; default 50ms, range 1ms..10s
 * @param multiplier         {@code raft.multiplier}: scales the tick; default 1, range 1..10
 * @param electionTicks      {@code raft.election.timeout-ticks}: minimum election timeout; default
 *                           10, range 2..1000 (the actual timeout is random in [n, 2n))
 * @param heartbeatTicks     {@code raft.heartbeat.interval-ticks}: default 2, range 1..electionTicks-1
 * @param preVote            {@code raft.pre-vote}: default true (thesis §9.6)
 * @param checkQuorum        {@code raft.check-quorum}: default true (needed for lease reads)
 * @param maxInflight        {@code raft.replication.max-inflight}: appends in flight per follower;
 *                           default 8, range 1..1024
 * @param maxBatchEntries    {@code raft.replication.max-batch-entries}: default 512, range 1..65536
 * @param maxBatchBytes      {@code raft.replication.max-batch-bytes}: default 1 MiB, range 1 KiB..64 MiB
 * @param maxCommandBytes    {@code raft.max-command-bytes}: largest command; default 1 MiB, at most
 *                           the transport's message limit less 64 KiB for framing
 * @param snapshotThreshold  {@code raft.snapshot.threshold}: entries applied since the last snapshot
 *                           that trigger one; default 16384 (Consul's raft_snapshot_threshold), range 1..2^30
 * @param trailingLogs       {@code raft.snapshot.trailing-logs}: entries kept behind a snapshot so a
 *                           slightly lagging follower needs no snapshot; default 10240 (Consul's), range 0..2^30
 * @param snapshotChunkBytes {@code raft.snapshot.chunk-bytes}: InstallSnapshot chunk; default 256 KiB
 * @param maxDrift           {@code raft.lease.max-drift}: clock-rate difference the lease tolerates;
 *                           default 0.05 (5 %), range 0..0.5
 * @param rpcTimeout         {@code raft.rpc.timeout}: deadline of one message call; default 2s
 * @param transferOnLeave    {@code raft.leave.transfer}: a leader that is closed hands leadership to
 *                           another voter first; default true
 * @param leaveTimeout       {@code raft.leave.timeout}: how long close() waits for that; default 3s
 * @param ownWriteThreads    {@code raft.storage.own-threads}: log and snapshot writes run on two threads
 *                           of the plugin's own (default true: they block on fsync, and the platform
 *                           scheduler's tasks must not); false runs them on the platform scheduler, for
 *                           storage that never blocks and for deterministic simulation on a virtual clock
 * @param followerReads      {@code raft.follower-reads}: followers serve DEFAULT and CONSISTENT read
 *                           barriers with a read index from the leader (thesis §6.4); default true.
 *                           Set false while a cluster still runs servers older than this feature (they
 *                           cannot decode the ReadIndex message, and refusing the batch that carries it
 *                           costs that follower's answers): followers then refuse those barriers with
 *                           NotLeaderException and the host forwards the reads, as before
 */
record RaftSettings(Duration tick, int multiplier, int electionTicks, int heartbeatTicks, boolean preVote,
                    boolean checkQuorum, int maxInflight, int maxBatchEntries, int maxBatchBytes, int maxCommandBytes,
                    int snapshotThreshold, int trailingLogs, int snapshotChunkBytes, double maxDrift,
                    Duration rpcTimeout, boolean transferOnLeave, Duration leaveTimeout, boolean ownWriteThreads,
                    boolean followerReads) {

    private static final Set<String> KEYS = Set.of("raft.tick", "raft.multiplier", "raft.election.timeout-ticks",
            "raft.heartbeat.interval-ticks", "raft.pre-vote", "raft.check-quorum", "raft.replication.max-inflight",
            "raft.replication.max-batch-entries", "raft.replication.max-batch-bytes", "raft.max-command-bytes",
            "raft.snapshot.threshold", "raft.snapshot.trailing-logs", "raft.snapshot.chunk-bytes",
            "raft.lease.max-drift", "raft.rpc.timeout", "raft.leave.transfer", "raft.leave.timeout",
            "raft.storage.own-threads", "raft.follower-reads");

    /** The duration of one tick after the multiplier. */
    Duration tickDuration() {
        return tick.multipliedBy(multiplier);
    }

    RaftOptions options() {
        return new RaftOptions(electionTicks, heartbeatTicks, preVote, checkQuorum, maxInflight, maxBatchEntries,
                maxBatchBytes, RaftOptions.leaseTicksFor(electionTicks, maxDrift));
    }

    static RaftSettings parse(PluginConfig c, int transportMaxMessageBytes) {
        for (String key : c.keys()) {
            if (key.startsWith("raft.") && !KEYS.contains(key)) {
                throw new IllegalArgumentException("config key '" + key + "' is unknown to the raft plugin");
            }
        }
        Duration tick = c.getDuration("raft.tick", Duration.ofMillis(50));
        if (tick.compareTo(Duration.ofMillis(1)) < 0 || tick.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("config key 'raft.tick': " + tick + " is outside 1ms..10s");
        }
        int election = bounded(c, "raft.election.timeout-ticks", 10, 2, 1000);
        int heartbeat = bounded(c, "raft.heartbeat.interval-ticks", 2, 1, election - 1);
        int framing = 64 * 1024;
        int maxCommandLimit = Math.max(1, transportMaxMessageBytes - framing);
        int maxCommand = bounded(c, "raft.max-command-bytes", Math.min(1 << 20, maxCommandLimit), 1, maxCommandLimit);
        int maxBatchBytes = bounded(c, "raft.replication.max-batch-bytes", 1 << 20, 1024, 64 << 20);
        String driftText = c.getString("raft.lease.max-drift", "0.05");
        double drift;
        try {
            drift = Double.parseDouble(driftText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config key 'raft.lease.max-drift': '" + driftText + "' is not a number");
        }
        if (!(drift >= 0 && drift <= 0.5)) {
            throw new IllegalArgumentException("config key 'raft.lease.max-drift': " + drift + " is outside 0..0.5");
        }
        Duration rpc = c.getDuration("raft.rpc.timeout", Duration.ofSeconds(2));
        Duration leave = c.getDuration("raft.leave.timeout", Duration.ofSeconds(3));
        if (rpc.isNegative() || rpc.isZero() || leave.isNegative()) {
            throw new IllegalArgumentException("config keys 'raft.rpc.timeout' must be positive and 'raft.leave.timeout' not negative");
        }
        return new RaftSettings(tick, bounded(c, "raft.multiplier", 1, 1, 10), election, heartbeat,
                c.getBoolean("raft.pre-vote", true), c.getBoolean("raft.check-quorum", true),
                bounded(c, "raft.replication.max-inflight", 8, 1, 1024),
                bounded(c, "raft.replication.max-batch-entries", 512, 1, 65536), maxBatchBytes, maxCommand,
                bounded(c, "raft.snapshot.threshold", 16384, 1, 1 << 30),
                bounded(c, "raft.snapshot.trailing-logs", 10240, 0, 1 << 30),
                bounded(c, "raft.snapshot.chunk-bytes", 256 * 1024, 1024, Math.max(1024, transportMaxMessageBytes - framing)),
                drift, rpc, c.getBoolean("raft.leave.transfer", true), leave,
                c.getBoolean("raft.storage.own-threads", true), c.getBoolean("raft.follower-reads", true));
    }

    private static int bounded(PluginConfig c, String key, int def, int min, int max) {
        int v = c.getInt(key, def);
        if (v < min || v > max) {
            throw new IllegalArgumentException("config key '" + key + "': " + v + " is outside " + min + ".." + max);
        }
        return v;
    }
}

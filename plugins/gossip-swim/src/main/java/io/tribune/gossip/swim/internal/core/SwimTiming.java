package io.tribune.gossip.swim.internal.core;

import java.time.Duration;

/**
 * Timing and fan-out of the SWIM protocol, with named presets in the manner of memberlist's LAN,
 * WAN and local defaults. Every field carries its unit in its type or name; {@link #validate()}
 * runs at startup.
 *
 * @param name                    preset name, for logs and stats
 * @param probeInterval           time between two failure-detection probes (SWIM §4.1 protocol period)
 * @param probeTimeout            how long to wait for a direct ack before asking others (SWIM §3.1);
 *                                should be about the 99th percentile round trip
 * @param indirectChecks          members asked to probe on our behalf when the direct probe times out
 *                                (SWIM's k, §3.1)
 * @param suspicionMult           suspicion timeout = suspicionMult * max(1, log10 n) * probeInterval
 *                                (Lifeguard §IV-B minimum)
 * @param suspicionMaxTimeoutMult maximum suspicion timeout as a multiple of the minimum; with no
 *                                confirmations the timeout starts here and shrinks (Lifeguard §IV-B)
 * @param retransmitMult          a broadcast is piggybacked retransmitMult * ceil(log10(n + 1)) times
 *                                (SWIM §4.1 infection-style dissemination in O(log n) rounds)
 * @param gossipInterval          time between two gossip rounds that send queued broadcasts
 * @param gossipNodes             members a gossip round sends to
 * @param gossipToTheDead         how long after a member failed or left we still gossip to it, so
 *                                that it can learn it was declared dead and refute
 * @param pushPullInterval        time between two full-state syncs over TCP; scaled up for clusters
 *                                above 32 members so the per-node load stays flat
 * @param awarenessMax            Lifeguard local health multiplier cap (§IV-A); timeouts are scaled by
 *                                (score + 1) with score in [0, awarenessMax - 1]
 * @param reapTimeout             how long FAILED and LEFT members stay listed before they are reaped
 * @param tick                    granularity of the driver's clock ticks into the core
 */
public record SwimTiming(String name, Duration probeInterval, Duration probeTimeout, int indirectChecks,
                         int suspicionMult, int suspicionMaxTimeoutMult, int retransmitMult,
                         Duration gossipInterval, int gossipNodes, Duration gossipToTheDead,
                         Duration pushPullInterval, int awarenessMax, Duration reapTimeout, Duration tick) {

    /**
     * LAN: one datacenter, sub-millisecond to few-millisecond round trips. Target: a crashed member
     * of a small pool is known FAILED within 3 s, with no false positive under 10% loss or
     * multi-second stalls (bench/cluster.sh, {@code SmallClusterDetectionBench}, {@code SwimSimulationTest}).
     *
     * <ul>
     * <li>probe interval 400 ms (memberlist/Consul: 1 s). The suspicion floor is
     *     {@code suspicionMult * max(1, log10 n) * probeInterval} (Lifeguard §IV-B), so at 1 s it is
     *     4 s in any pool of up to 10 members and detection took 5.5 s (p50, 4 members); the floor,
     *     not the probing, was the bound. Shortening the period shortens the floor and the time to
     *     the first failed probe alike: 1.6 s floor at n &lt;= 10, 2.7 s at 50, 4.8 s at 1,000
     *     (was 12 s), and 2.5 probes/s per member, still tiny on a LAN (a few KB/s).</li>
     * <li>probe timeout 200 ms: half the period as in memberlist, so the indirect round (SWIM §3.1)
     *     and the TCP fallback get the other half; LAN round trips are 100x shorter, and Lifeguard's
     *     awareness (§IV-A) stretches it up to 8x on a member that is itself slow.</li>
     * <li>suspicion multiplier 4, max 6x (memberlist's): kept, so k = 2 independent confirmations
     *     are needed to reach the floor and an unconfirmed suspicion waits 6x the floor; this is
     *     what keeps a stalled-but-alive member from being declared dead (it refutes first).</li>
     * <li>3 indirect checks, retransmit multiplier 4, gossip every 200 ms to 3 nodes, push-pull every
     *     30 s: memberlist's LAN values; reap after 72 h (Consul's reconnect timeout).</li>
     * </ul>
     */
    public static SwimTiming lan() {
        return new SwimTiming("lan", Duration.ofMillis(400), Duration.ofMillis(200), 3, 4, 6, 4,
                Duration.ofMillis(200), 3, Duration.ofSeconds(30), Duration.ofSeconds(30), 8,
                Duration.ofHours(72), Duration.ofMillis(20));
    }

    /**
     * WAN: the servers of every datacenter, with tens to hundreds of ms of round trip, more loss and
     * links that stall; memberlist's WAN defaults (which Consul's WAN pool uses), derived from
     * {@link #lan()}, overriding only what differs:
     *
     * <ul>
     * <li>probe interval 5 s: a handful of servers per datacenter, each probed often enough to notice
     *     a lost datacenter in tens of seconds while keeping cross-datacenter traffic tiny.</li>
     * <li>probe timeout 3 s: well above an intercontinental round trip (~300 ms) with retransmissions,
     *     so a slow path is not taken for a dead server; leaves 2 s of the period for the indirect
     *     round.</li>
     * <li>suspicion multiplier 6 (LAN 4): a floor of 6 * max(1, log10 n) * 5 s = 30 s for up to 10
     *     servers (Lifeguard §IV-B); declaring a whole datacenter's server failed by mistake costs
     *     more than noticing a real failure late, since requests already go to another server of it
     *     when one does not answer.</li>
     * <li>gossip every 500 ms to 4 nodes (LAN 200 ms to 3): fewer rounds, one more target each, so a
     *     change still reaches every server in a few rounds; gossip to the dead for 60 s and push-pull
     *     every 60 s, as memberlist; tick 50 ms, finer than any WAN timeout needs.</li>
     * <li>the TCP exchange bound is 30 s on this preset (see {@code gossip-swim.stream-timeout}).</li>
     * </ul>
     */
    public static SwimTiming wan() {
        SwimTiming l = lan();
        return new SwimTiming("wan", Duration.ofSeconds(5), Duration.ofSeconds(3), l.indirectChecks, 6,
                l.suspicionMaxTimeoutMult, l.retransmitMult, Duration.ofMillis(500), 4, Duration.ofSeconds(60),
                Duration.ofSeconds(60), l.awarenessMax, l.reapTimeout, Duration.ofMillis(50));
    }

    /**
     * Local: loopback tests on shared, busy machines. Probes every 500 ms with a 200 ms ack timeout
     * and suspicion multiplier 4 (at least 2 s of suspicion, so a test JVM's GC pause or a starved
     * thread is refuted rather than declared dead), gossip every 100 ms, push-pull every 5 s,
     * reaping after 30 s: a failure is detected in about 3 s.
     */
    public static SwimTiming local() {
        SwimTiming l = lan();
        return new SwimTiming("local", Duration.ofMillis(500), Duration.ofMillis(200), l.indirectChecks, 4,
                l.suspicionMaxTimeoutMult, l.retransmitMult, Duration.ofMillis(100), 3, Duration.ofSeconds(5),
                Duration.ofSeconds(5), l.awarenessMax, Duration.ofSeconds(30), Duration.ofMillis(10));
    }

    /** The preset of that name ({@code lan}, {@code wan}, {@code local}). */
    public static SwimTiming preset(String name) {
        return switch (name) {
            case "lan" -> lan();
            case "wan" -> wan();
            case "local" -> local();
            default -> throw new IllegalArgumentException("unknown timing profile '" + name
                    + "' (use lan, wan or local)");
        };
    }

    /** A copy with another reap timeout. */
    public SwimTiming withReapTimeout(Duration d) {
        return new SwimTiming(name, probeInterval, probeTimeout, indirectChecks, suspicionMult,
                suspicionMaxTimeoutMult, retransmitMult, gossipInterval, gossipNodes, gossipToTheDead,
                pushPullInterval, awarenessMax, d, tick);
    }

    /** A copy with another push-pull interval. */
    public SwimTiming withPushPullInterval(Duration d) {
        return new SwimTiming(name, probeInterval, probeTimeout, indirectChecks, suspicionMult,
                suspicionMaxTimeoutMult, retransmitMult, gossipInterval, gossipNodes, gossipToTheDead,
                d, awarenessMax, reapTimeout, tick);
    }

    /**
     * Checks the relations the protocol relies on.
     *
     * @return this
     * @throws IllegalArgumentException naming the first violated rule
     */
    public SwimTiming validate() {
        positive("probe interval", probeInterval);
        positive("probe timeout", probeTimeout);
        positive("gossip interval", gossipInterval);
        positive("push-pull interval", pushPullInterval);
        positive("reap timeout", reapTimeout);
        positive("tick", tick);
        if (gossipToTheDead.isNegative()) {
            throw new IllegalArgumentException("gossip-to-the-dead time must not be negative");
        }
        // The indirect round needs time after the direct timeout within one protocol period.
        if (probeTimeout.compareTo(probeInterval) >= 0) {
            throw new IllegalArgumentException("probe timeout " + probeTimeout + " must be shorter than the probe interval "
                    + probeInterval);
        }
        if (tick.compareTo(probeTimeout) > 0) {
            throw new IllegalArgumentException("tick " + tick + " must not exceed the probe timeout " + probeTimeout);
        }
        range("indirect checks", indirectChecks, 0, 16);
        range("suspicion multiplier", suspicionMult, 1, 64);
        range("suspicion max timeout multiplier", suspicionMaxTimeoutMult, 1, 64);
        range("retransmit multiplier", retransmitMult, 1, 64);
        range("gossip nodes", gossipNodes, 1, 64);
        range("awareness max", awarenessMax, 1, 64);
        return this;
    }

    private static void positive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
    }

    private static void range(String what, int v, int lo, int hi) {
        if (v < lo || v > hi) {
            throw new IllegalArgumentException(what + " " + v + " is outside " + lo + ".." + hi);
        }
    }
}

package io.tribune.gossip.swim.internal.sim;

import io.tribune.gossip.swim.internal.core.SwimTiming;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The SWIM figures at scale, on the deterministic simulator. Opt-in, prints numbers, asserts only
 * that each scenario completed:
 *
 * <pre>
 * mvn -q -pl plugins/gossip-swim test -Dtest=SwimSimulationBench -Dtribune.bench=true
 * </pre>
 *
 * Optional: {@code -Dtribune.bench.members=1000} (cluster size), {@code -Dtribune.bench.seed=1}.
 */
@EnabledIfSystemProperty(named = "tribune.bench", matches = "true")
class SwimSimulationBench {

    private static void out(String fmt, Object... args) {
        System.out.println(String.format(Locale.ROOT, fmt, args));
    }

    @Test
    void figures() {
        int n = Integer.getInteger("tribune.bench.members", 1000);
        long seed = Long.getLong("tribune.bench.seed", 1L);
        SwimTiming lan = SwimTiming.lan();
        out("== gossip-swim simulation, %d members, LAN preset, seed %d, latency 1-5 ms ==", n, seed);

        long wall = System.nanoTime();
        Scenarios.Observed obs = new Scenarios.Observed();
        SimCluster c = Scenarios.bootstrap(seed, n, lan, obs, Duration.ofMinutes(10), 10);
        out("bootstrap: %d members converged at t=%.1f s virtual (%.1f s wall)", n, c.nowMillis() / 1000.0,
                (System.nanoTime() - wall) / 1e9);

        // Steady-state load: bytes per member per second over one quiet minute, after the
        // bootstrap's broadcasts have drained.
        c.runFor(Duration.ofSeconds(120));
        long b0 = c.totalBytes();
        long p0 = c.totalPackets();
        c.runFor(Duration.ofSeconds(60));
        out("load: %.0f bytes/s and %.1f packets/s sent per member (steady state, 60 s)",
                (c.totalBytes() - b0) / 60.0 / n, (c.totalPackets() - p0) / 60.0 / n);

        // Failure detection.
        List<List<Long>> det = Scenarios.detect(c, obs, 5, Duration.ofMinutes(3));
        List<Long> all = new ArrayList<>();
        List<Long> byAll = new ArrayList<>();
        List<Long> first = new ArrayList<>();
        for (List<Long> t : det) {
            all.addAll(t);
            byAll.add(t.get(t.size() - 1));
            first.add(t.get(0));
        }
        Collections.sort(all);
        out("detection (5 crashes): first member to mark FAILED after %s ms; per-member p50 %d ms, p99 %d ms; known by all: %s ms",
                first, Scenarios.percentile(all, 50), Scenarios.percentile(all, 99), byAll);
        out("false positives during bootstrap+detection: %d", obs.falseFailures);

        // Join spread.
        long join = Scenarios.joinSpread(c, obs, "newcomer", Duration.ofMinutes(2));
        out("join: known by all %d members after %d ms", c.liveCount(), join);

        // User event dissemination vs log N.
        long ev = Scenarios.userEventSpread(c, obs, "bench-event", Duration.ofMinutes(1));
        double rounds = ev / (double) lan.gossipInterval().toMillis();
        out("dissemination: user event reached all %d in %d ms = %.1f gossip rounds (log2 N = %.1f, ln N = %.1f)",
                c.liveCount(), ev, rounds, Math.log(n) / Math.log(2), Math.log(n));

        // False positives under 10% loss.
        int fp0 = obs.falseFailures;
        c.loss(0.10);
        long s0 = suspicions(c);
        c.runFor(Duration.ofSeconds(120));
        out("10%% packet loss, 120 s: %d false FAILED, %d member-suspect transitions (summed over all viewers)",
                obs.falseFailures - fp0, suspicions(c) - s0);
        c.loss(0);

        // Stalled members: 10 members freeze for 3 s, three times.
        int fp1 = obs.falseFailures;
        long s1 = suspicions(c);
        for (int r = 0; r < 3; r++) {
            for (int i = 0; i < 10; i++) {
                c.stall(c.node(1 + (i * 97 + r * 13) % (n - 10)), Duration.ofSeconds(3));
            }
            c.runFor(Duration.ofSeconds(20));
        }
        out("stalls (10 members x 3 s, 3 times): %d false FAILED, %d member-suspect transitions (summed over all viewers)",
                obs.falseFailures - fp1, suspicions(c) - s1);

        // Dissemination rounds against cluster size.
        for (int size : new int[] {50, 100, 200, 500}) {
            if (size >= n) {
                break;
            }
            Scenarios.Observed o = new Scenarios.Observed();
            SimCluster small = Scenarios.bootstrap(seed + size, size, lan, o, Duration.ofMinutes(5), 10);
            long t = Scenarios.userEventSpread(small, o, "e", Duration.ofMinutes(1));
            out("dissemination N=%d: %d ms = %.1f rounds (log2 N = %.1f)", size, t,
                    t / (double) lan.gossipInterval().toMillis(), Math.log(size) / Math.log(2));
        }
        // Lifeguard on and off, at a smaller size: 10% loss plus members that stall for 3 s.
        int m = Math.min(n, 200);
        SwimTiming noLifeguard = new SwimTiming("lan-no-lifeguard", lan.probeInterval(), lan.probeTimeout(),
                lan.indirectChecks(), lan.suspicionMult(), 1, lan.retransmitMult(), lan.gossipInterval(),
                lan.gossipNodes(), lan.gossipToTheDead(), lan.pushPullInterval(), 1, lan.reapTimeout(), lan.tick());
        for (SwimTiming t : new SwimTiming[] {lan, noLifeguard}) {
            Scenarios.Observed o = new Scenarios.Observed();
            SimCluster x = Scenarios.bootstrap(seed + 7, m, t, o, Duration.ofMinutes(5), 10);
            x.loss(0.10);
            long f0 = failedProbes(x);
            for (int r = 0; r < 6; r++) {
                for (int i = 0; i < 5; i++) {
                    x.stall(x.node(1 + (i * 31 + r * 7) % (m - 1)), Duration.ofSeconds(3));
                }
                x.runFor(Duration.ofSeconds(20));
            }
            out("%s, N=%d, 10%% loss + 5 members stalling 3 s every 20 s for 120 s: %d false FAILED, %d failed probes",
                    t.name(), m, o.falseFailures, failedProbes(x) - f0);
        }
        out("wall time: %.1f s", (System.nanoTime() - wall) / 1e9);
    }

    private static long failedProbes(SimCluster c) {
        return c.nodes().stream().mapToLong(x -> x.core.counters().getOrDefault("probe.failed", 0L)).sum();
    }

    private static long suspicions(SimCluster c) {
        return c.nodes().stream().mapToLong(x -> x.core.counters().getOrDefault("suspect.raised", 0L)).sum();
    }
}

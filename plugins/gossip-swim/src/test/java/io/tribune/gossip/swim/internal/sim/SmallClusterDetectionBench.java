package io.tribune.gossip.swim.internal.sim;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tribune.gossip.swim.internal.core.SwimTiming;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Failure detection in a small LAN pool, the shape of bench/cluster.sh (3 servers + 1 client): over
 * many seeds, how long after a crash the first member and the last member see it FAILED, and how
 * many live members were falsely declared failed while up to {@code tribune.bench.stall} ms stalls
 * hit them. Opt-in, prints figures:
 *
 * <pre>mvn -q -pl plugins/gossip-swim test -Dtest=SmallClusterDetectionBench -Dtribune.bench=true</pre>
 *
 * {@code -Dtribune.bench.members=4}, {@code -Dtribune.bench.seeds=40}, and
 * {@code -Dtribune.bench.candidates=400/200/4,500/250/5} to compare LAN variants given as probe
 * interval ms / probe timeout ms / suspicion multiplier (everything else from the LAN preset).
 */
class SmallClusterDetectionBench {

    @Test
    void detectionInASmallPool() {
        assumeTrue(Boolean.getBoolean("tribune.bench"), "opt-in: -Dtribune.bench=true");
        int n = Integer.getInteger("tribune.bench.members", 4);
        int seeds = Integer.getInteger("tribune.bench.seeds", 40);
        long stallMillis = Long.getLong("tribune.bench.stall", 1500);
        List<SwimTiming> timings = new ArrayList<>(List.of(SwimTiming.lan(), SwimTiming.local()));
        for (String cand : System.getProperty("tribune.bench.candidates", "").split(",")) {
            if (!cand.isBlank()) {
                String[] f = cand.trim().split("/");
                SwimTiming l = SwimTiming.lan();
                timings.add(new SwimTiming("lan-" + cand.trim(), Duration.ofMillis(Long.parseLong(f[0])),
                        Duration.ofMillis(Long.parseLong(f[1])), l.indirectChecks(), Integer.parseInt(f[2]),
                        l.suspicionMaxTimeoutMult(), l.retransmitMult(), l.gossipInterval(), l.gossipNodes(),
                        l.gossipToTheDead(), l.pushPullInterval(), l.awarenessMax(), l.reapTimeout(), l.tick())
                        .validate());
            }
        }
        for (SwimTiming t : timings) {
            List<Long> first = new ArrayList<>();
            List<Long> all = new ArrayList<>();
            int falseFailed = 0;
            for (int s = 1; s <= seeds; s++) {
                Scenarios.Observed obs = new Scenarios.Observed();
                SimCluster c = Scenarios.bootstrap(1000L + s, n, t, obs, Duration.ofSeconds(60), 20);
                // Stalls first (GC-pause-like), to count false positives, then one crash.
                for (int r = 0; r < 3; r++) {
                    c.stall(c.node(1 + r % (n - 1)), Duration.ofMillis(stallMillis));
                    c.runFor(Duration.ofSeconds(15));
                }
                List<List<Long>> det = Scenarios.detect(c, obs, 1, Duration.ofSeconds(60));
                first.add(det.get(0).get(0));
                all.add(det.get(0).get(det.get(0).size() - 1));
                falseFailed += obs.falseFailures;
            }
            System.out.printf("%s preset, %d members, %d seeds: first FAILED p50 %d ms, p90 %d, max %d;"
                            + " known by all p50 %d ms, p90 %d, max %d; false FAILED with %d ms stalls: %d%n",
                    t.name(), n, seeds, pct(first, 50), pct(first, 90), pct(first, 100),
                    pct(all, 50), pct(all, 90), pct(all, 100), stallMillis, falseFailed);
        }
    }

    private static long pct(List<Long> xs, int p) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.size()) - 1;
        return s.get(Math.max(0, Math.min(s.size() - 1, i)));
    }
}

package io.tribune.gossip.swim.internal.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.gossip.swim.internal.core.SwimTiming;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Network coordinates carried on probes learn a simulated geometry. */
class SimVivaldiTest {

    @Test
    void coordinatesPredictRoundTripsOfAPlanarNetwork() {
        SimCluster c = new SimCluster(31, SwimTiming.lan()).latency(1, 0).geometry(40);
        SimCluster.Node first = c.add("node-0");
        for (int i = 1; i < 30; i++) {
            c.join(c.add("node-" + i), first);
        }
        c.runFor(Duration.ofSeconds(240));
        List<Double> errors = new ArrayList<>();
        for (SimCluster.Node a : c.nodes()) {
            for (SimCluster.Node b : c.nodes()) {
                if (a != b) {
                    double predicted = a.core.coordinate().rttTo(b.core.coordinate());
                    double truth = c.trueRttMillis(a, b);
                    errors.add(Math.abs(predicted - truth) / truth);
                }
            }
        }
        Collections.sort(errors);
        double median = errors.get(errors.size() / 2);
        System.out.printf(java.util.Locale.ROOT, "vivaldi: median relative RTT error %.3f, p90 %.3f over %d pairs%n",
                median, errors.get(errors.size() * 9 / 10), errors.size());
        assertTrue(median < 0.25, "median relative RTT error " + median + " (seed " + c.seed() + ")");
        assertTrue(c.node(0).core.counters().getOrDefault("coordinate.updates", 0L) > 100);
    }

    @Test
    void roundTripsBelowOneTickStillGiveCoordinates() {
        // Zero latency: every probe is answered in the tick it was sent, as on loopback. Each such
        // sample counts as half a tick, so the nodes learn coordinates about 0.5 ms apart.
        SimCluster c = new SimCluster(32, SwimTiming.lan()).latency(0, 0);
        SimCluster.Node first = c.add("node-0");
        for (int i = 1; i < 4; i++) {
            c.join(c.add("node-" + i), first);
        }
        c.runFor(Duration.ofSeconds(60));
        for (SimCluster.Node a : c.nodes()) {
            assertTrue(a.core.counters().getOrDefault("coordinate.updates", 0L) > 10, "samples taken (seed "
                    + c.seed() + ")");
            for (SimCluster.Node b : c.nodes()) {
                if (a != b) {
                    double predicted = a.core.coordinate().rttTo(b.core.coordinate());
                    assertTrue(predicted > 0.1 && predicted < 2.0, "predicted " + predicted + " ms (seed " + c.seed() + ")");
                }
            }
        }
    }
}

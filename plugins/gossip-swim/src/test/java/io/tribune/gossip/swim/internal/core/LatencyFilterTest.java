package io.tribune.gossip.swim.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Serf's latency filter: the median of each peer's last three round trips. */
class LatencyFilterTest {

    @Test
    void medianOfTheLastThreeSamplesPerPeer() {
        LatencyFilter f = new LatencyFilter();
        // Samples and the expected median after each: 10 -> 10; 10, 30 -> 30 (upper middle);
        // 10, 30, 20 -> 20; 30, 20, 500 -> 30 (one outlier is ignored); 20, 500, 25 -> 25.
        double[][] table = {{10, 10}, {30, 30}, {20, 20}, {500, 30}, {25, 25}};
        for (double[] row : table) {
            assertEquals(row[1], f.observe("a", row[0]), 1e-12, "after sample " + row[0]);
        }
        assertEquals(7, f.observe("b", 7), 1e-12, "peers are filtered separately");
        f.forget("a");
        assertEquals(40, f.observe("a", 40), 1e-12, "a forgotten peer starts afresh");
    }
}

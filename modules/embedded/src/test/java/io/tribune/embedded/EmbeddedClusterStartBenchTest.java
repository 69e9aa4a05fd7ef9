package io.tribune.embedded;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The time to a usable 3-server embedded cluster inside a warm JVM: from {@code builder().start()}
 * to its return (every server follows one leader). Warms the JVM with one cluster first, then prints
 * {@code embedded-cluster-start ms=N} for each measured run and the min and median over them. Prints
 * figures only; it asserts just that every run had a leader. Run with
 * {@code mvn -pl modules/embedded test -Dtest=EmbeddedClusterStartBenchTest -Dtribune.bench=true}.
 */
@EnabledIfSystemProperty(named = "tribune.bench", matches = "true")
class EmbeddedClusterStartBenchTest {
    private static final int WARMUP = 1;
    private static final int RUNS = 5;

    @Test
    void timeToAClusterWithALeader() {
        for (int i = 0; i < WARMUP; i++) {
            try (EmbeddedCluster c = EmbeddedCluster.builder().bindAddress("127.0.45.3").start()) {
                assertNotNull(c.awaitLeader());
            }
        }
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            try (EmbeddedCluster c = EmbeddedCluster.builder().bindAddress("127.0.45.3").start()) {
                double took = (System.nanoTime() - t0) / 1e6;
                ms.add(took);
                assertNotNull(c.awaitLeader());
                System.out.printf("embedded-cluster-start ms=%.0f%n", took);
            }
        }
        Collections.sort(ms);
        System.out.printf("embedded-cluster-start min=%.0f median=%.0f ms (servers=3, runs=%d after %d warm-up)%n",
                ms.get(0), ms.get(ms.size() / 2), RUNS, WARMUP);
    }
}

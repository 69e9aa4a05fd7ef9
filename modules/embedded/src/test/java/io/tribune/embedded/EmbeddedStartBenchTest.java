package io.tribune.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The time to a usable embedded agent inside a warm JVM: from {@code builder().start()} to the
 * first HTTP 200 of {@code /v1/status/leader} that names a leader. Warms the JVM with a few
 * start/stop cycles first, then prints {@code embedded-start ms=N} for each measured run and
 * {@code embedded-start min=N median=N ms} over them, and, to see what dominates, the median of
 * each phase: finding the plugins, {@code start()} itself, and the first HTTP answer after it.
 * Prints figures only; it asserts just that every run answered. Run with
 * {@code mvn -pl modules/embedded test -Dtest=EmbeddedStartBenchTest -Dtribune.bench=true}.
 */
@EnabledIfSystemProperty(named = "tribune.bench", matches = "true")
class EmbeddedStartBenchTest {
    private static final int WARMUP = 5;
    private static final int RUNS = 15;

    @Test
    void timeToUsableAgent() throws Exception {
        for (int i = 0; i < WARMUP; i++) {
            try (EmbeddedAgent a = EmbeddedAgent.builder().start()) {
                awaitLeaderOverHttp(a);
            }
        }
        List<Double> total = new ArrayList<>();
        List<Double> start = new ArrayList<>();
        List<Double> http = new ArrayList<>();
        List<Double> plugins = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            long p0 = System.nanoTime();
            PluginRegistry.of(new ServiceLoaderPluginSource(EmbeddedAgent.class.getClassLoader()).load());
            plugins.add((System.nanoTime() - p0) / 1e6);

            long t0 = System.nanoTime();
            try (EmbeddedAgent a = EmbeddedAgent.builder().start()) {
                long t1 = System.nanoTime();
                awaitLeaderOverHttp(a);
                long t2 = System.nanoTime();
                total.add((t2 - t0) / 1e6);
                start.add((t1 - t0) / 1e6);
                http.add((t2 - t1) / 1e6);
                System.out.printf("embedded-start ms=%.1f%n", (t2 - t0) / 1e6);
            }
        }
        System.out.printf("embedded-start min=%.1f median=%.1f ms (runs=%d after %d warm-up cycles)%n",
                Collections.min(total), median(total), RUNS, WARMUP);
        System.out.printf("embedded-start phases median: plugin discovery %.1f ms, start() %.1f ms (includes "
                + "discovery), first HTTP answer %.1f ms%n", median(plugins), median(start), median(http));
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    /** Asks until the leader is named; start() already waited for it, so the first answer should do. */
    private static void awaitLeaderOverHttp(EmbeddedAgent a) throws IOException {
        for (int i = 0; i < 1000; i++) {
            EmbeddedAgentTest.Response r = EmbeddedAgentTest.get(a.httpUrl() + "/v1/status/leader", null);
            if (r.code() == 200 && !r.body().equals("\"\"")) {
                return;
            }
        }
        assertEquals("a leader", "none after 1000 requests");
    }
}

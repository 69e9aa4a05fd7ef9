package io.tribune.gossip.swim.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tribune.api.PluginConfig;
import io.tribune.api.membership.MemberAnswer;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipSetup;
import io.tribune.api.membership.Pool;
import io.tribune.api.membership.QueryResult;
import io.tribune.gossip.swim.internal.SwimMembershipFactory;
import io.tribune.testkit.RealScheduler;
import io.tribune.testkit.TestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How long a query takes to collect every answer in a 5-member pool on 127.0.0.1 with real UDP
 * sockets and the plugin's LAN preset (gossip every 200 ms to 3 members), plain and encrypted.
 * Each query is timed from {@code query()} to the completion of its future, one query at a time,
 * after a warm-up. Opt-in, prints figures and asserts none of them:
 *
 * <pre>mvn -q -pl plugins/gossip-swim test -Dtest=QueryLatencyBench -Dtribune.bench=true</pre>
 *
 * {@code -Dtribune.bench.members=5}, {@code -Dtribune.bench.queries=100}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class QueryLatencyBench {
    private final List<Membership> started = new ArrayList<>();
    private final List<RealScheduler> schedulers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        started.forEach(Membership::close);
        schedulers.forEach(RealScheduler::close);
    }

    @Test
    void queryLatencyInASmallLanPool() {
        assumeTrue(Boolean.getBoolean("tribune.bench"), "opt-in: -Dtribune.bench=true");
        int n = Integer.getInteger("tribune.bench.members", 5);
        int queries = Integer.getInteger("tribune.bench.queries", 100);
        byte[] key = new byte[32];
        new java.util.SplittableRandom(3).nextBytes(key);
        run("plain", n, queries, Map.of());
        run("encrypted", n, queries, Map.of("gossip-swim.encrypt", Base64.getEncoder().encodeToString(key)));
    }

    private void run(String label, int n, int queries, Map<String, String> extra) {
        List<Membership> c = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = label + "-" + i;
            Map<String, String> cfg = new HashMap<>(extra);
            cfg.put("gossip-swim.profile", "lan");
            RealScheduler rs = new RealScheduler(name);
            schedulers.add(rs);
            Membership m = new SwimMembershipFactory().create(
                    new MembershipSetup(name, Pool.LAN, "127.0.0.1", 0, "127.0.0.1", Map.of()),
                    PluginConfig.of(cfg), TestContext.builder(name).clock(rs).scheduler(rs).seed(i + 1).build());
            m.start();
            started.add(m);
            m.queries().orElseThrow().handle("bench", q -> CompletableFuture.completedFuture(
                    name.getBytes(StandardCharsets.UTF_8)));
            c.add(m);
        }
        String seed = "127.0.0.1:" + c.get(0).localMember().port();
        for (int i = 1; i < n; i++) {
            c.get(i).join(List.of(seed)).join();
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.stream().allMatch(m -> m.members().stream().filter(x -> x.status() == MemberStatus.ALIVE).count() == n)) {
            assertTrue(System.nanoTime() < until, "pool converged");
            LockSupport.parkNanos(20_000_000L);
        }
        List<Double> millis = new ArrayList<>();
        int incomplete = 0;
        int warmUp = 10;
        for (int i = 0; i < warmUp + queries; i++) {
            // Queries rotate over the members, so that every one is the origin in turn.
            Membership from = c.get(i % n);
            long t0 = System.nanoTime();
            long[] t1 = new long[1];
            QueryResult r = from.queries().orElseThrow().query("bench", new byte[] {(byte) i}, Duration.ofSeconds(5))
                    .whenComplete((v, e) -> t1[0] = System.nanoTime()).join();
            assertEquals(n, r.asked());
            if (i >= warmUp) {
                millis.add((t1[0] - t0) / 1e6);
                if (r.count(MemberAnswer.Outcome.ANSWERED) != n) {
                    incomplete++;
                }
            }
            // Apart, so that a query's gossip copies do not ride on the next one's packets.
            LockSupport.parkNanos(50_000_000L);
        }
        Collections.sort(millis);
        double mean = millis.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        long retried = c.stream().mapToLong(m -> Long.parseLong(m.stats().getOrDefault("core.query.retried", "0"))).sum();
        long over = millis.stream().filter(x -> x >= 800).count();
        System.out.printf("query collecting all %d answers, %s, LAN preset (gossip %d ms to %d), %d queries: "
                        + "p50 %.1f ms, p90 %.1f, p99 %.1f, min %.1f, max %.1f, mean %.1f; incomplete: %d; "
                        + "direct retries sent: %d (incl. warm-up); queries that took >= 800 ms (the first retry): %d%n",
                n, label, 200, 3, queries, pct(millis, 50), pct(millis, 90), pct(millis, 99), millis.get(0),
                millis.get(millis.size() - 1), mean, incomplete, retried, over);
        for (Membership m : c) {
            m.close();
        }
    }

    private static double pct(List<Double> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}

package io.tribune.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.grpc.v1.Consistency;
import io.tribune.api.grpc.v1.KvGetRequest;
import io.tribune.api.grpc.v1.KvWatchRequest;
import io.tribune.api.grpc.v1.ReadOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Figures for the gRPC API against an in-process dev agent (consensus-single, storage-memory):
 * KV round trips per second, pipelined puts, and the cost of watch fan-out. Prints numbers and
 * asserts nothing about them. Run with {@code -Dtribune.bench=true}.
 */
@EnabledIfSystemProperty(named = "tribune.bench", matches = "true")
class GrpcApiBenchmarkTest {
    static final int WARMUP = 1_000;
    static final int OPS = 5_000;
    static final int WATCHERS = 200;
    static final int FANOUT_WRITES = 200;

    @Test
    void kvRoundTripsAndWatchFanOut() throws Exception {
        try (DevAgentFixture dev = new DevAgentFixture("bench", 18471); TribuneClient client = dev.client()) {
            byte[] v = "0123456789abcdef".getBytes(UTF_8);
            for (int i = 0; i < WARMUP; i++) {
                client.kv().put("bench/w" + (i % 100), v);
                client.kv().get("bench/w" + (i % 100));
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < OPS; i++) {
                client.kv().put("bench/k" + (i % 1000), v);
            }
            report("put, sequential round trips", OPS, System.nanoTime() - t0);

            for (Consistency c : List.of(Consistency.CONSISTENCY_DEFAULT, Consistency.CONSISTENCY_STALE)) {
                t0 = System.nanoTime();
                for (int i = 0; i < OPS; i++) {
                    client.kv().getAsync(KvGetRequest.newBuilder().setKey("bench/k" + (i % 1000))
                            .setRead(ReadOptions.newBuilder().setConsistency(c)).build()).get();
                }
                report("get " + c.name().substring("CONSISTENCY_".length()).toLowerCase() + ", sequential", OPS,
                        System.nanoTime() - t0);
            }

            Semaphore inflight = new Semaphore(64);
            List<CompletableFuture<Long>> all = new ArrayList<>();
            t0 = System.nanoTime();
            for (int i = 0; i < OPS; i++) {
                inflight.acquire();
                CompletableFuture<Long> f = client.kv().putAsync("bench/p" + (i % 1000), v);
                f.whenComplete((x, e) -> inflight.release());
                all.add(f);
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            report("put, 64 in flight", OPS, System.nanoTime() - t0);

            // Fan-out: WATCHERS streams on one key; each write must reach every one of them.
            AtomicLong latest = new AtomicLong();
            List<CountDownLatch> seen = new ArrayList<>();
            for (int i = 0; i < FANOUT_WRITES + 1; i++) {
                seen.add(new CountDownLatch(WATCHERS));
            }
            List<WatchHandle> handles = new ArrayList<>();
            CountDownLatch initial = new CountDownLatch(WATCHERS);
            for (int w = 0; w < WATCHERS; w++) {
                boolean[] first = {true};
                handles.add(client.kv().watch(KvWatchRequest.newBuilder().setKey("bench/fan").build(), ev -> {
                    if (first[0]) {
                        first[0] = false;
                        initial.countDown();
                        return;
                    }
                    int n = ev.getEntriesCount() == 0 ? 0 : Integer.parseInt(ev.getEntries(0).getValue().toStringUtf8());
                    seen.get(n).countDown();
                }));
            }
            assertTrue(initial.await(60, TimeUnit.SECONDS));
            long totalNanos = 0;
            for (int i = 1; i <= FANOUT_WRITES; i++) {
                long s = System.nanoTime();
                latest.set(client.kv().put("bench/fan", Integer.toString(i).getBytes(UTF_8)));
                assertTrue(seen.get(i).await(60, TimeUnit.SECONDS), "write " + i + " reached every watcher");
                totalNanos += System.nanoTime() - s;
            }
            System.out.printf("BENCH watch fan-out: %d watchers, %d writes: %.2f ms from put to all delivered "
                    + "(mean), %.0f deliveries/s%n", WATCHERS, FANOUT_WRITES, totalNanos / 1e6 / FANOUT_WRITES,
                    (double) WATCHERS * FANOUT_WRITES / (totalNanos / 1e9));

            // Cost of idle watches for writes to other keys: the per-target feed skips them.
            t0 = System.nanoTime();
            for (int i = 0; i < OPS; i++) {
                client.kv().put("bench/k" + (i % 1000), v);
            }
            report("put, sequential, with " + WATCHERS + " watches on another key", OPS, System.nanoTime() - t0);
            handles.forEach(WatchHandle::close);
        }
    }

    private static void report(String what, int ops, long nanos) {
        System.out.printf("BENCH %s: %d ops in %.0f ms = %.0f ops/s (%.1f us/op)%n", what, ops, nanos / 1e6,
                ops / (nanos / 1e9), nanos / 1e3 / ops);
    }
}

package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Throughput and latency of the HTTP API on an in-process dev agent over loopback, printed, never
 * asserted. Opt-in: {@code mvn -pl modules/agent test -Dtribune.bench=true -Dtest=HttpApiBenchmarkTest}.
 */
@EnabledIfSystemProperty(named = "tribune.bench", matches = "true")
@Timeout(600)
class HttpApiBenchmarkTest {
    static final int N = Integer.getInteger("tribune.bench.n", 2000);
    static DevAgent a;

    @BeforeAll
    static void start() throws Exception {
        a = DevAgent.start("benchtest", 18409);
        // The TTL check the "agent check pass" figure updates.
        a.put("/v1/agent/check/register", "{\"ID\": \"bttl\", \"Name\": \"bench\", \"TTL\": \"60s\"}");
    }

    @AfterAll
    static void stop() {
        a.close();
    }

    static void report(String what, long[] nanos, long wallNanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("%-40s n=%d  %.0f ops/s  p50=%.3f ms  p99=%.3f ms%n", what, s.length,
                s.length / (wallNanos / 1e9), s[s.length / 2] / 1e6, s[(int) (s.length * 0.99)] / 1e6);
    }

    static void sequential(String what, String method, String pathPrefix, boolean distinct, String body)
            throws Exception {
        long[] lat = new long[N];
        long t0 = System.nanoTime();
        for (int i = 0; i < N; i++) {
            long s = System.nanoTime();
            HttpResponse<String> r = a.send(method, pathPrefix + (distinct ? Integer.toString(i % 100) : ""), body);
            lat[i] = System.nanoTime() - s;
            assertEquals(200, r.statusCode(), r.body());
        }
        report(what, lat, System.nanoTime() - t0);
    }

    @Test
    void printFigures() throws Exception {
        // Warm-up: JIT and connection set-up.
        for (int i = 0; i < 500; i++) {
            a.send("PUT", "/v1/kv/bench/" + (i % 100), "warm");
            a.send("GET", "/v1/kv/bench/" + (i % 100), null);
        }
        sequential("kv PUT (sequential)", "PUT", "/v1/kv/bench/", true, "value-123");
        sequential("kv GET default (sequential)", "GET", "/v1/kv/bench/", true, null);
        sequential("kv GET ?stale (sequential)", "GET", "/v1/kv/bench/1?stale", false, null);
        a.put("/v1/catalog/register", "{\"Node\": \"bn\", \"Address\": \"10.0.0.1\", \"Service\": {\"Service\": "
                + "\"bsvc\", \"Port\": 1}, \"Check\": {\"CheckID\": \"bc\", \"Status\": \"passing\", \"ServiceID\": "
                + "\"bsvc\"}}");
        sequential("health/service ?passing (sequential)", "GET", "/v1/health/service/bsvc?passing", false, null);
        sequential("agent check pass, same status (seq.)", "PUT", "/v1/agent/check/pass/bttl", false, "");

        int concurrency = 16;
        long[] lat = new long[N];
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            int worker = w;
            inFlight.add(CompletableFuture.runAsync(() -> {
                for (int i = worker; i < N; i += concurrency) {
                    long s = System.nanoTime();
                    try {
                        a.send("PUT", "/v1/kv/bench/c" + i % 100, "v");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    lat[i] = System.nanoTime() - s;
                }
            }));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
        report("kv PUT (" + concurrency + " concurrent clients)", lat, System.nanoTime() - t0);

        int rounds = Math.min(N, 300);
        long[] wake = new long[rounds];
        t0 = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            long idx = DevAgent.index(a.send("GET", "/v1/kv/bench/watch", null));
            CompletableFuture<HttpResponse<String>> w = a.http.sendAsync(HttpRequest.newBuilder(
                    URI.create(a.base + "/v1/kv/bench/watch?index=" + idx + "&wait=30s")).build(),
                    HttpResponse.BodyHandlers.ofString());
            long s = System.nanoTime();
            a.send("PUT", "/v1/kv/bench/watch", Integer.toString(i));
            w.get(30, TimeUnit.SECONDS);
            wake[i] = System.nanoTime() - s;
        }
        report("blocking query: PUT to wake-up", wake, System.nanoTime() - t0);
    }
}

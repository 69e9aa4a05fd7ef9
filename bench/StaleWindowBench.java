import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Measures the stale-read window: how long after the leader acknowledged a write a follower has
 * applied it. For each sample a blocking stale read waits on the follower (woken when the
 * follower applies a change of the key), then one write goes to the leader; the window is the time
 * from the leader's answer to the follower's wake-up (0 when the follower woke first).
 *
 * Usage: java bench/StaleWindowBench.java LEADER_HOST:PORT FOLLOWER_HOST:PORT [SAMPLES]
 * Prints: stale-window samples=N p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
 */
public class StaleWindowBench {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java bench/StaleWindowBench.java LEADER_HOST:PORT FOLLOWER_HOST:PORT [SAMPLES]");
            System.exit(2);
        }
        String leader = "http://" + args[0] + "/v1/kv/bench/stale-window";
        String follower = "http://" + args[1] + "/v1/kv/bench/stale-window?stale";
        int samples = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        put(http, leader, "warm");
        List<Double> windows = new ArrayList<>();
        for (int i = 0; i < samples + 20; i++) {
            long index = currentIndex(http, follower);
            CompletableFuture<Long> woke = http.sendAsync(
                            HttpRequest.newBuilder(URI.create(follower + "&index=" + index + "&wait=10s")).build(),
                            HttpResponse.BodyHandlers.discarding())
                    .thenApply(r -> System.nanoTime());
            Thread.sleep(15); // let the blocking read park on the follower before the write
            put(http, leader, "v" + i);
            long acked = System.nanoTime();
            long seen = woke.get(15, TimeUnit.SECONDS);
            if (i >= 20) { // the first ones warm both JVMs' paths up
                windows.add(Math.max(0, seen - acked) / 1e6);
            }
        }
        Collections.sort(windows);
        System.out.printf("stale-window samples=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f%n",
                windows.size(), pct(windows, 50), pct(windows, 90), pct(windows, 99), windows.get(windows.size() - 1));
    }

    private static void put(HttpClient http, String url, String value) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .PUT(HttpRequest.BodyPublishers.ofString(value)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 || !r.body().trim().equals("true")) {
            throw new IllegalStateException("write failed: " + r.statusCode() + " " + r.body());
        }
    }

    private static long currentIndex(HttpClient http, String url) throws Exception {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.discarding());
        return Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow(
                () -> new IllegalStateException("no X-Consul-Index from " + url + " (status " + r.statusCode() + ")")));
    }

    private static double pct(List<Double> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

/**
 * Figures for multiple datacenters, against agents started by bench/multi-dc.sh:
 *
 * <ol>
 *   <li>the latency of a KV read through dc1's client agent, local ({@code /v1/kv/k}) and for dc2
 *       ({@code ?dc=dc2}: client, dc1 server, dc2 server), sequential on one connection, after a warm-up;
 *       p50/p99 of each and the extra of the cross-datacenter read;</li>
 *   <li>then it SIGKILLs dc2's server (the process the script started, by its PID) and times each of a
 *       series of dc2 reads until it fails, from the first one right after the kill until the WAN pool
 *       no longer lists the server as alive; and the latency of local reads meanwhile.</li>
 * </ol>
 *
 * Usage: java bench/MultiDcBench.java CLIENT_HTTP (host:port) DC2_SERVER_PID [SAMPLES]
 */
public class MultiDcBench {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static HttpResponse<String> get(String base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + base + path)).timeout(Duration.ofSeconds(60))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Nanoseconds of each of n sequential GETs of path, each checked to answer with status expect. */
    static long[] sample(String base, String path, int n, int expect) throws Exception {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            HttpResponse<String> r = get(base, path);
            out[i] = System.nanoTime() - t;
            if (r.statusCode() != expect) {
                throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
            }
        }
        return out;
    }

    static double pct(long[] v, double p) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)] / 1e6;
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        long dc2Server = Long.parseLong(args[1]);
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 5000;
        // Warm-up: JIT of the agents and of this client, pooled connections on every hop.
        sample(base, "/v1/kv/bench/k", n, 200);
        sample(base, "/v1/kv/bench/k?dc=dc2", n, 200);
        long[] local = sample(base, "/v1/kv/bench/k", n, 200);
        long[] remote = sample(base, "/v1/kv/bench/k?dc=dc2", n, 200);
        System.out.printf("read local  n=%d p50=%.3f ms p99=%.3f ms%n", n, pct(local, 50), pct(local, 99));
        System.out.printf("read ?dc=dc2 n=%d p50=%.3f ms p99=%.3f ms%n", n, pct(remote, 50), pct(remote, 99));
        System.out.printf("extra of ?dc=dc2 over local: p50=+%.3f ms p99=+%.3f ms%n",
                pct(remote, 50) - pct(local, 50), pct(remote, 99) - pct(local, 99));
        ProcessHandle victim = ProcessHandle.of(dc2Server).orElseThrow(() -> new IllegalStateException(
                "no process " + dc2Server));
        victim.destroyForcibly();
        victim.onExit().get();
        long killedAt = System.nanoTime();
        int failures = 0;
        long[] failNanos = new long[400];
        long[] localDuring = new long[400];
        long untilNoPathAtOnce = -1;
        for (int i = 0; i < failNanos.length; i++) {
            long t = System.nanoTime();
            HttpResponse<String> r = get(base, "/v1/kv/bench/k?dc=dc2");
            failNanos[i] = System.nanoTime() - t;
            if (r.statusCode() != 500 || !r.body().startsWith("No path to datacenter")) {
                throw new IllegalStateException("a dc2 read after the kill answered " + r.statusCode() + ": " + r.body());
            }
            failures++;
            if (untilNoPathAtOnce < 0 && r.body().equals("No path to datacenter")) {
                // The WAN pool no longer lists the server as alive: nothing is even tried.
                untilNoPathAtOnce = System.nanoTime() - killedAt;
            }
            localDuring[i] = sample(base, "/v1/kv/bench/k", 1, 200)[0];
            if (untilNoPathAtOnce >= 0 && i >= 50) {
                break;
            }
            Thread.sleep(100);
        }
        long[] fails = Arrays.copyOf(failNanos, failures);
        long[] locals = Arrays.copyOf(localDuring, failures);
        System.out.printf("unreachable dc2: first read failed in %.3f ms; over %d reads p50=%.3f ms max=%.3f ms%n",
                fails[0] / 1e6, failures, pct(fails, 50), pct(fails, 100));
        System.out.printf("local reads meanwhile: p50=%.3f ms p99=%.3f ms%n", pct(locals, 50), pct(locals, 99));
        System.out.printf("dc2's server out of the WAN pool's alive list after %s%n", untilNoPathAtOnce < 0
                ? "more than the sampled time" : String.format("%.1f s", untilNoPathAtOnce / 1e9));
    }
}

package io.tribune.transport.grpc;

import io.tribune.testkit.TestPki;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.PluginConfig;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportFactory;
import io.tribune.api.transport.TransportSetup;
import io.tribune.testkit.RealScheduler;
import io.tribune.testkit.TestContext;
import io.tribune.transport.inproc.InProcTransportFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Round trips per second, p50/p99 latency and heap bytes allocated per call (by every thread of
 * the JVM, both ends together) of a 64-byte unary call between two transports on 127.0.0.1:
 * in-process, gRPC plaintext and gRPC with mutual TLS, with 1 and 16 concurrent callers (each a
 * closed loop: call, wait, repeat). Prints a table; asserts nothing about speed.
 *
 * <p>Opt-in: {@code mvn -pl plugins/transport-grpc test -Dtest=TransportBenchmarkTest
 * -Dtribune.bench=true [-Dtribune.bench.seconds=5]}.
 */
@EnabledIfSystemProperty(named = "tribune.bench", matches = "true")
class TransportBenchmarkTest {
    private static final byte[] PAYLOAD = new byte[64];
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void printRoundTripsAndLatency() throws Exception {
        long seconds = Long.getLong("tribune.bench.seconds", 3);
        TestPki pki = new TestPki(dir, "bench");
        TestPki.Leaf leaf = pki.issue("server.dc1.consul", "server.dc1.consul");
        Optional<TransportSetup.Tls> tls = Optional.of(new TransportSetup.Tls(pki.caFile, leaf.certFile(),
                leaf.keyFile(), true, true, true, "server.dc1.consul"));
        System.out.printf("%-16s %7s %12s %10s %10s %12s%n", "transport", "callers", "calls/s", "p50 us", "p99 us",
                "bytes/call");
        for (int callers : new int[] {1, 16}) {
            run("inproc", new InProcTransportFactory(), Optional.empty(),
                    Map.of(InProcTransportFactory.HUB_KEY, "bench"), callers, seconds);
            run("grpc-plaintext", new GrpcTransportFactory(), Optional.empty(), Map.of(), callers, seconds);
            run("grpc-mtls", new GrpcTransportFactory(), tls, Map.of(), callers, seconds);
        }
    }

    private void run(String name, TransportFactory factory, Optional<TransportSetup.Tls> tls,
                     Map<String, String> config, int callers, long seconds) throws Exception {
        Endpoint bind = new Endpoint("127.0.0.1", 0);
        TransportSetup setup = new TransportSetup(bind, bind, TransportSetup.DEFAULT_MAX_MESSAGE_BYTES, tls);
        try (RealScheduler scheduler = new RealScheduler("bench");
             Transport server = factory.create(setup, PluginConfig.of(config), ctx("server", scheduler));
             Transport client = factory.create(setup, PluginConfig.of(config), ctx("client", scheduler))) {
            server.register("echo", (c, req) -> CompletableFuture.completedFuture(req));
            server.start();
            client.start();
            Endpoint target = server.localEndpoint();
            loop(client, target, callers, TimeUnit.SECONDS.toNanos(1), new long[1]); // warm-up: JIT, connection
            long[] allocated = new long[1];
            long start = System.nanoTime();
            List<long[]> samples = loop(client, target, callers, TimeUnit.SECONDS.toNanos(seconds), allocated);
            long elapsed = System.nanoTime() - start;
            int n = samples.stream().mapToInt(s -> (int) s[0]).sum();
            long[] all = new long[n];
            int k = 0;
            for (long[] s : samples) {
                System.arraycopy(s, 1, all, k, (int) s[0]);
                k += (int) s[0];
            }
            Arrays.sort(all);
            assertTrue(n > 0, "no call completed");
            System.out.printf("%-16s %7d %12.0f %10.1f %10.1f %12s%n", name, callers, n * 1e9 / elapsed,
                    all[n / 2] / 1e3, all[(int) Math.min(n - 1, (long) (n * 0.99))] / 1e3,
                    allocated[0] < 0 ? "n/a" : String.valueOf(allocated[0] / n));
        }
    }

    /**
     * Heap bytes allocated so far by all threads of the JVM, ended ones included (HotSpot's
     * {@code TotalThreadAllocatedBytes}), or -1 where the JVM does not report it. Read by
     * reflection: the tests run inside the plugin's module, which does not read
     * {@code java.management}, and a benchmark is no reason to make it.
     */
    private static long allocatedBytes() {
        try {
            Object server = Class.forName("java.lang.management.ManagementFactory")
                    .getMethod("getPlatformMBeanServer").invoke(null);
            Class<?> objectName = Class.forName("javax.management.ObjectName");
            Object threading = objectName.getConstructor(String.class).newInstance("java.lang:type=Threading");
            Object v = Class.forName("javax.management.MBeanServerConnection")
                    .getMethod("getAttribute", objectName, String.class)
                    .invoke(server, threading, "TotalThreadAllocatedBytes");
            return v instanceof Long l ? l : -1;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return -1;
        }
    }

    private static TestContext ctx(String node, RealScheduler s) {
        return TestContext.builder(node).clock(s).scheduler(s).build();
    }

    /**
     * Runs {@code callers} closed loops for {@code nanos}; each returns [count, latencies...].
     * Stores the heap bytes allocated while they ran (not counting the sample arrays) in
     * {@code allocated[0]}, or -1 when the JVM does not report it.
     */
    private static List<long[]> loop(Transport client, Endpoint target, int callers, long nanos, long[] allocated)
            throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<long[]> results = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            results.add(new long[1 << 22]);
        }
        long before = allocatedBytes();
        long end = System.nanoTime() + nanos;
        for (int i = 0; i < callers; i++) {
            long[] lat = results.get(i);
            Thread t = new Thread(() -> {
                int count = 0;
                while (System.nanoTime() < end && count < lat.length - 1) {
                    long t0 = System.nanoTime();
                    client.call(target, "echo", PAYLOAD, TIMEOUT).join();
                    lat[++count] = System.nanoTime() - t0;
                }
                lat[0] = count;
            }, "bench-caller-" + i);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        long after = allocatedBytes();
        allocated[0] = before < 0 || after < 0 ? -1 : after - before;
        return results;
    }
}

package io.tribune.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.agent.platform.AgentMetrics;
import io.tribune.api.Metrics;
import io.tribune.api.PluginConfig;
import io.tribune.testkit.SimScheduler;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Prometheus text of an agent's registry with every kind of metric (counters, counters read from
 * a total, gauges, timers, samples, the JVM's runtime figures) is accepted by a real parser:
 * {@code promtool check metrics} from Debian's {@code prometheus} package. Skipped, with a message,
 * where promtool is not installed. Also the runtime figures' names, in both outputs.
 */
@Timeout(60)
class PrometheusOutputTest {

    /** An agent's metrics with one of everything, runtime figures included, after an interval. */
    static AgentMetrics everything(SimScheduler s) {
        AgentMetrics m = new AgentMetrics(s.clock(), PluginConfig.of(Map.of("telemetry.prometheus-retention-time",
                "60s")), "dc1-server-1");
        m.start(s);
        Metrics raft = m.scoped("raft");
        raft.counter("apply").increment();
        raft.histogram("commit-time-us").record(1500);
        raft.histogram("leader.last-contact-us").record(30_000);
        raft.counter("state.leader").increment();
        m.scoped("gossip-swim").gauge("health.score", () -> 0);
        m.scoped("gossip-swim").counter("probe.sent", () -> 12);
        m.scoped("transport-grpc").histogram("rpc.call-latency-us").record(800);
        m.scoped("transport-grpc").histogram("sizes").record(100);
        m.counter("rpc.request").increment();
        m.timer("kvs.apply").record(TimeUnit.MILLISECONDS.toNanos(3));
        m.httpTimer("GET", "/v1/kv/").record(1_000_000);
        m.httpTimer("PUT", "/v1/txn").record(1_000_000);
        s.runFor(Duration.ofSeconds(11));
        return m;
    }

    @Test
    void aCounterRegisteredAgainByAReplacedPluginGoesOnFromTheOldTotal() {
        SimScheduler s = new SimScheduler();
        AgentMetrics m = new AgentMetrics(s.clock(), PluginConfig.of(Map.of("telemetry.prometheus-retention-time",
                "60s")), "n1");
        m.start(s);
        java.util.concurrent.atomic.AtomicLong oldCount = new java.util.concurrent.atomic.AtomicLong(40);
        m.scoped("transport-grpc").counter("rpc.calls", oldCount::get);
        assertTrue(m.report(true).body().contains("consul_transport_grpc_rpc_calls_total 40.0"),
                m.report(true).body());
        // A live update: the new instance registers the same counter and counts from zero.
        java.util.concurrent.atomic.AtomicLong newCount = new java.util.concurrent.atomic.AtomicLong(0);
        m.scoped("transport-grpc").counter("rpc.calls", newCount::get);
        oldCount.set(1000);   // the old instance is gone: what it counts now is never seen
        newCount.set(2);
        String text = m.report(true).body();
        assertTrue(text.contains("consul_transport_grpc_rpc_calls_total 42.0"), "old total carried, new counts added: "
                + text);
    }

    @Test
    void runtimeFiguresAreConsulsGaugesWithTheNodeName() {
        SimScheduler s = new SimScheduler();
        AgentMetrics m = everything(s);
        for (String g : List.of("alloc_bytes", "sys_bytes", "num_goroutines", "total_gc_pause_ns", "total_gc_runs")) {
            assertTrue(m.names().contains("consul.dc1-server-1.runtime." + g), g + " in " + m.names());
        }
        assertTrue(m.names().contains("consul.runtime.gc_pause_ns"), "a sample, without the node name");
        JsonObject j = JsonParser.parseString(m.report(false).body()).getAsJsonObject();
        JsonObject alloc = AgentMetricsTest.named(j.getAsJsonArray("Gauges"), "consul.dc1-server-1.runtime.alloc_bytes");
        assertTrue(alloc.get("Value").getAsDouble() > 0, "heap in use: " + alloc);
        assertTrue(AgentMetricsTest.named(j.getAsJsonArray("Gauges"), "consul.dc1-server-1.runtime.num_goroutines")
                .get("Value").getAsDouble() >= 1);
        String text = m.report(true).body();
        assertTrue(text.contains("consul_dc1_server_1_runtime_alloc_bytes "), text);
    }

    @Test
    void promtoolAcceptsTheOutput() throws Exception {
        Path promtool = findPromtool();
        Assumptions.assumeTrue(promtool != null, "promtool is not installed (Debian: apt-get install prometheus); "
                + "the Prometheus output was not checked by a real parser");
        String text = everything(new SimScheduler()).report(true).body();
        List<String> problems = promtool(promtool, text);
        assertEquals(List.of(), problems, text);
    }

    /**
     * Runs {@code promtool check metrics} on {@code text}: fails on a parse error (exit 1), returns the
     * lint problems other than the two naming lints Consul's own names draw: camelCase
     * ({@code consul_raft_commitTime}) and abbreviated units ({@code consul_runtime_gc_pause_ns}).
     */
    static List<String> promtool(Path promtool, String text) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
        assertNotEquals(1, p.exitValue(), "promtool could not parse the output: " + out);
        assertTrue(!out.contains("parsing error"), out);
        List<String> problems = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank() && !line.contains("should be written in 'snake_case' not 'camelCase'")
                    && !line.contains("should not contain abbreviated units")) {
                problems.add(line);
            }
        }
        return problems;
    }

    /** promtool on the PATH or in /usr/bin; null when absent. */
    static Path findPromtool() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/bin");
        for (String d : dirs) {
            Path p = Path.of(d.isEmpty() ? "." : d, "promtool");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}

package io.tribune.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.agent.platform.AgentMetrics;
import io.tribune.agent.rpc.MetricsOps;
import io.tribune.api.Metrics;
import io.tribune.api.PluginConfig;
import io.tribune.testkit.VirtualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * One registry per agent: what the SPI and the host register, under which names, in Consul's JSON
 * shape over the 10 s intervals and in the Prometheus text with its retention. Time is virtual.
 */
class AgentMetricsTest {
    final VirtualClock clock = new VirtualClock();

    AgentMetrics metrics(Map<String, String> telemetry) {
        return new AgentMetrics(clock, PluginConfig.of(telemetry), "node-1");
    }

    static JsonObject json(AgentMetrics m) {
        MetricsOps.Report r = m.report(false);
        assertTrue(r.available());
        assertEquals("application/json", r.contentType());
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    static JsonObject named(JsonArray section, String name) {
        for (JsonElement e : section) {
            if (e.getAsJsonObject().get("Name").getAsString().equals(name)) {
                return e.getAsJsonObject();
            }
        }
        return null;
    }

    static String prometheus(AgentMetrics m) {
        MetricsOps.Report r = m.report(true);
        assertTrue(r.available(), r.body());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.contentType());
        return r.body();
    }

    @Test
    void jsonHasConsulsShapeWithIntervalFiguresOfCountersAndSamples() {
        AgentMetrics m = metrics(Map.of());
        Metrics raft = m.scoped("raft");
        Metrics.Counter apply = raft.counter("apply");
        Metrics.Histogram commit = raft.histogram("commit-time-us");
        apply.add(2);
        apply.add(4);
        commit.record(1000);
        commit.record(3000);
        m.scoped("gossip-swim").gauge("health.score", () -> 3);
        m.roll();
        JsonObject j = json(m);
        assertEquals(List.of("Timestamp", "Gauges", "Points", "Counters", "Samples"), List.copyOf(j.keySet()));
        // Go's time.Time format of the interval's start, truncated to 10 s.
        assertTrue(j.get("Timestamp").getAsString().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d0 \\+0000 UTC"),
                j.get("Timestamp").getAsString());
        assertEquals(0, j.getAsJsonArray("Points").size());

        JsonObject c = named(j.getAsJsonArray("Counters"), "consul.raft.apply");
        assertEquals(2, c.get("Count").getAsLong());
        assertEquals(6.0, c.get("Sum").getAsDouble());
        assertEquals(0.6, c.get("Rate").getAsDouble(), 1e-9, "sum per second over 10 s");
        assertEquals(2.0, c.get("Min").getAsDouble());
        assertEquals(4.0, c.get("Max").getAsDouble());
        assertEquals(3.0, c.get("Mean").getAsDouble());
        assertEquals(Math.sqrt(2), c.get("Stddev").getAsDouble(), 1e-9, "sample standard deviation of 2 and 4");
        assertEquals(new JsonObject(), c.getAsJsonObject("Labels"));

        JsonObject s = named(j.getAsJsonArray("Samples"), "consul.raft.commitTime");
        assertEquals(2, s.get("Count").getAsLong());
        assertEquals(4.0, s.get("Sum").getAsDouble(), 1e-9, "microseconds reported in milliseconds");
        assertEquals(1.0, s.get("Min").getAsDouble(), 1e-9);
        assertEquals(3.0, s.get("Max").getAsDouble(), 1e-9);

        JsonObject g = named(j.getAsJsonArray("Gauges"), "consul.node-1.memberlist.health.score");
        assertEquals(3.0, g.get("Value").getAsDouble(), "gauges carry the node name unless disable_hostname");
    }

    @Test
    void jsonShowsTheLastFinishedIntervalOnlyWhatWasUpdatedInIt() {
        AgentMetrics m = metrics(Map.of());
        Metrics.Counter c = m.counter("rpc.request");
        c.increment();
        // Before the first interval ends, the current one is shown.
        assertEquals(1, named(json(m).getAsJsonArray("Counters"), "consul.rpc.request").get("Count").getAsLong());
        clock.advance(Duration.ofSeconds(10));
        m.roll();
        c.increment();
        c.increment();
        assertEquals(1, named(json(m).getAsJsonArray("Counters"), "consul.rpc.request").get("Count").getAsLong(),
                "the finished interval, not the current one");
        clock.advance(Duration.ofSeconds(10));
        m.roll();
        assertEquals(2, named(json(m).getAsJsonArray("Counters"), "consul.rpc.request").get("Count").getAsLong());
        clock.advance(Duration.ofSeconds(10));
        m.roll();
        assertEquals(null, named(json(m).getAsJsonArray("Counters"), "consul.rpc.request"),
                "a counter not updated in the interval is not listed, as in Consul");
    }

    @Test
    void counterReadFromATotalReportsEachIntervalsIncrease() {
        AgentMetrics m = metrics(Map.of());
        AtomicLong total = new AtomicLong();
        m.scoped("gossip-swim").counter("probe.sent", total::get);
        total.addAndGet(7);
        m.roll();
        JsonObject c = named(json(m).getAsJsonArray("Counters"), "consul.memberlist.probe.sent");
        assertEquals(7.0, c.get("Sum").getAsDouble(), "the increase in the interval");
        assertEquals(7, c.get("Count").getAsLong());
        total.addAndGet(3);
        m.roll();
        assertEquals(3.0, named(json(m).getAsJsonArray("Counters"), "consul.memberlist.probe.sent").get("Sum")
                .getAsDouble());
    }

    @Test
    void telemetrySettingsChangePrefixAndHostname() {
        AgentMetrics m = metrics(Map.of("telemetry.disable-hostname", "true", "telemetry.metrics-prefix", "tribune"));
        m.gauge("runtime.x", () -> 1);
        m.counter("rpc.request").increment();
        JsonObject j = json(m);
        assertTrue(named(j.getAsJsonArray("Gauges"), "tribune.runtime.x") != null, j.toString());
        assertTrue(named(j.getAsJsonArray("Counters"), "tribune.rpc.request") != null, j.toString());
    }

    @Test
    void prometheusIsOffWithZeroRetentionAndAnswersAsConsul() {
        MetricsOps.Report r = metrics(Map.of()).report(true);
        assertFalse(r.available());
        assertEquals(MetricsOps.PROMETHEUS_DISABLED, r.body());
    }

    @Test
    void prometheusHasConsulNamesTimersAsSummariesInMilliseconds() {
        AgentMetrics m = metrics(Map.of("telemetry.prometheus-retention-time", "60s"));
        m.scoped("raft").histogram("commit-time-us").record(5000);
        m.scoped("raft").counter("apply").increment();
        m.httpTimer("GET", "/v1/kv/").record(2_000_000);
        m.scoped("transport-grpc").counter("rpc.calls").increment();
        String text = prometheus(m);
        Set<String> lines = new TreeSet<>(List.of(text.split("\n")));
        assertTrue(lines.contains("# TYPE consul_raft_commitTime summary"), text);
        assertTrue(lines.contains("consul_raft_commitTime_count 1"), text);
        assertTrue(lines.contains("consul_raft_commitTime_sum 5.0"), text);
        assertTrue(text.contains("consul_raft_commitTime{quantile=\"0.99\"}"), text);
        assertTrue(lines.contains("consul_raft_apply_total 1.0"), text);
        assertTrue(lines.contains("consul_http_GET_v1_kv___sum 2.0"), text);
        assertTrue(lines.contains("consul_transport_grpc_rpc_calls_total 1.0"), text);
        assertTrue(lines.contains("# HELP consul_raft_apply_total consul.raft.apply"), "help text is the name: " + text);
    }

    @Test
    void prometheusDropsWhatWasNotUpdatedWithinRetentionKeepsGauges() {
        AgentMetrics m = metrics(Map.of("telemetry.prometheus-retention-time", "60s"));
        Metrics.Counter c = m.counter("kvs.x");
        m.gauge("runtime.alloc_bytes", () -> 10);
        c.increment();
        assertTrue(prometheus(m).contains("consul_kvs_x_total 1.0"));
        clock.advance(Duration.ofSeconds(59));
        assertTrue(prometheus(m).contains("consul_kvs_x_total 1.0"), "still within the retention");
        clock.advance(Duration.ofSeconds(2));
        String gone = prometheus(m);
        assertFalse(gone.contains("consul_kvs_x"), gone);
        assertTrue(gone.contains("consul_node_1_runtime_alloc_bytes 10.0"), "gauges are read at every scrape: " + gone);
        c.increment();
        assertTrue(prometheus(m).contains("consul_kvs_x_total 2.0"), "an update brings it back");
    }

    @Test
    void sameNameSameSeriesOtherKindRefusedWithoutHarm() {
        AgentMetrics m = metrics(Map.of("telemetry.prometheus-retention-time", "60s"));
        m.counter("a").increment();
        m.counter("a").add(2);
        m.histogram("a").record(7);
        m.counter("a").add(-5);
        assertTrue(prometheus(m).contains("consul_a_total 3.0"), prometheus(m));
        assertFalse(prometheus(m).contains("consul_a_sum"));
    }

    @Test
    void theNumberOfNamesIsBounded() {
        AgentMetrics m = metrics(Map.of());
        for (int i = 0; i < TelemetryRegistry.MAX_METRICS + 10; i++) {
            m.counter("c" + i).increment();
        }
        assertEquals(TelemetryRegistry.MAX_METRICS, m.names().size());
    }

    @Test
    void failingGaugeIsLeftOutOfJsonOthersStay() {
        AgentMetrics m = metrics(Map.of());
        m.gauge("bad", () -> {
            throw new IllegalStateException("boom");
        });
        m.gauge("good", () -> 4);
        JsonArray g = json(m).getAsJsonArray("Gauges");
        assertEquals(null, named(g, "consul.node-1.bad"));
        assertEquals(4.0, named(g, "consul.node-1.good").get("Value").getAsDouble());
    }
}

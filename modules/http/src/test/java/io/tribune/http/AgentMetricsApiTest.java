package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /v1/agent/metrics} on a dev agent: Consul's JSON shape, the Prometheus text with
 * Consul's names for what the HTTP API, the KV endpoint and the request layer did, 405 for other
 * methods, and 415 for Prometheus when it is off (another agent, default telemetry).
 */
@Timeout(120)
class AgentMetricsApiTest {
    static DevAgent a;

    @BeforeAll
    static void start() throws Exception {
        a = DevAgent.start("metricstest", 18431, "\"telemetry\": {\"prometheus_retention_time\": \"1h\"}");
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
    }

    @Test
    void jsonHasConsulsSectionsAndRuntimeGauges() throws Exception {
        JsonObject j = a.get("/v1/agent/metrics").getAsJsonObject();
        assertEquals(List.of("Timestamp", "Gauges", "Points", "Counters", "Samples"), List.copyOf(j.keySet()));
        JsonArray gauges = j.getAsJsonArray("Gauges");
        boolean alloc = false;
        for (JsonElement g : gauges) {
            JsonObject o = g.getAsJsonObject();
            assertEquals(List.of("Name", "Value", "Labels"), List.copyOf(o.keySet()));
            alloc |= o.get("Name").getAsString().equals("consul.metricstest.runtime.alloc_bytes");
        }
        assertTrue(alloc, gauges.toString());
    }

    @Test
    void prometheusShowsHttpKvAndRequestLayerFiguresUnderConsulsNames() throws Exception {
        a.put("/v1/kv/metrics/a", "1");
        a.get("/v1/kv/metrics/a");
        a.get("/v1/catalog/nodes");
        HttpResponse<String> r = a.send("GET", "/v1/agent/metrics?format=prometheus", null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        String text = r.body();
        for (String name : List.of("consul_http_PUT_v1_kv___count", "consul_http_GET_v1_kv___count",
                "consul_http_GET_v1_catalog___count", "consul_kvs_apply_count", "consul_rpc_query_total",
                "consul_metricstest_runtime_num_goroutines")) {
            assertTrue(text.contains("\n" + name + " ") || text.startsWith(name + " "), name + " in\n" + text);
        }
    }

    @Test
    void onlyGetIsServed() throws Exception {
        assertEquals(405, a.send("PUT", "/v1/agent/metrics", "").statusCode());
        assertEquals(404, a.send("GET", "/v1/agent/metricsx", null).statusCode());
    }

    @Test
    void prometheusOffAnswers415WithConsulsMessage() throws Exception {
        try (DevAgent off = DevAgent.start("metricsoff", 18432)) {
            HttpResponse<String> r = off.send("GET", "/v1/agent/metrics?format=prometheus", null);
            assertEquals(415, r.statusCode());
            assertEquals("Prometheus is not enabled since its retention time is not positive", r.body());
            assertEquals(200, off.send("GET", "/v1/agent/metrics", null).statusCode(), "JSON stays served");
        }
    }
}

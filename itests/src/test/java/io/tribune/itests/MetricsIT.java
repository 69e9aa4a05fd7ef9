package io.tribune.itests;

import static io.tribune.itests.AgentGroup.aliveMembers;
import static io.tribune.itests.AgentGroup.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /v1/agent/metrics} of a running cluster: three servers as separate processes on
 * 127.0.27.2-4 (one of them in the JPMS runtime, the others in Felix, so that both load Micrometer),
 * with {@code telemetry.prometheus_retention_time} set. After writes, reads and other HTTP calls on
 * every server, each server's Prometheus output is accepted by {@code promtool check metrics} (when
 * Debian's {@code prometheus} package is installed; otherwise that check is skipped with a message)
 * and holds Raft, KV, RPC, HTTP, gossip and JVM metrics under Consul's names, and
 * {@code consul_transport_grpc_rpc_calls_total}, which the transport-grpc plugin registers through
 * the Metrics SPI. The JSON form has Consul's sections.
 */
@Timeout(600)
class MetricsIT {
    static final List<String> SERVERS = List.of("127.0.27.2", "127.0.27.3", "127.0.27.4");
    static final Duration LONG = Duration.ofSeconds(90);

    @AutoClose
    final AgentGroup agents = new AgentGroup("{\"telemetry\": {\"prometheus_retention_time\": \"10m\"}}");

    static boolean ok(AgentProcess a, String method, String path, String body) {
        try {
            HttpResponse<String> r = a.send(method, path, body);
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void everyServerServesConsulMetricsThatPromtoolAccepts() throws Exception {
        for (String ip : SERVERS) {
            List<String> extra = new ArrayList<>(List.of("-bootstrap-expect", "3", "-retry-join", SERVERS.get(0)));
            if (ip.equals(SERVERS.get(2))) {
                extra.addAll(List.of("-runtime", "jpms"));
            }
            agents.start(ip, null, true, extra);
        }
        List<AgentProcess> servers = List.copyOf(agents.byName().values());
        AgentGroup.awaitLeaders(LONG, servers.toArray(new AgentProcess[0]));
        for (AgentProcess a : servers) {
            await(a, LONG, () -> aliveMembers(a, false) == 3, () -> "members not converged:\n" + a.output());
        }
        // Writes and reads through every server (a follower forwards its writes to the leader over
        // RPC), a transaction, catalog reads and a blocking-free health read.
        for (AgentProcess a : servers) {
            for (int i = 0; i < 5; i++) {
                String key = "/v1/kv/m/" + a.pid() + "/" + i;
                assertTrue(a.waitFor(LONG, () -> ok(a, "PUT", key, "v")), a.output());
                assertTrue(ok(a, "GET", key, null));
            }
            assertTrue(ok(a, "PUT", "/v1/txn", "[{\"KV\": {\"Verb\": \"set\", \"Key\": \"m/txn\", \"Value\": \"dg==\"}}]"));
            assertTrue(ok(a, "GET", "/v1/catalog/nodes", null));
            assertTrue(ok(a, "GET", "/v1/health/service/consul", null));
        }
        String leader = JsonParser.parseString(servers.get(0).get("/v1/status/leader").body()).getAsString();
        for (AgentProcess a : servers) {
            String text = scrape(a);
            String host = hostPart(a);
            boolean isLeader = leader.startsWith(a.host + ":");
            // As in Consul, the leader proposes and times writes and receives the followers' forwarded
            // requests; a follower samples its last contact with the leader.
            List<String> roleNames = isLeader ? List.of("consul_raft_apply_total", "consul_raft_commitTime_count",
                    "consul_kvs_apply_count", "consul_txn_apply_count", "consul_rpc_request_total")
                    : List.of("consul_raft_leader_lastContact_count");
            for (String name : roleNames) {
                assertTrue(hasSeries(text, name), "pid " + a.pid() + " (leader " + isLeader + "): no " + name + " in\n"
                        + text);
            }
            for (String name : List.of(
                    // RPC (the request layer): reads served here
                    "consul_rpc_query_total",
                    // HTTP (Consul 1.4's shape)
                    "consul_http_PUT_v1_kv___count", "consul_http_GET_v1_kv___count", "consul_http_PUT_v1_txn_count",
                    // gossip: Serf's member events (host) and memberlist's figures (gossip-swim via the SPI)
                    "consul_serf_member_join_total", "consul_memberlist_probe_sent_total",
                    "consul_" + host + "_memberlist_health_score",
                    // JVM, as Consul's runtime gauges
                    "consul_" + host + "_runtime_alloc_bytes", "consul_" + host + "_runtime_num_goroutines",
                    "consul_" + host + "_runtime_total_gc_runs",
                    // a plugin's own metric registered through the Metrics SPI, under its plugin's name
                    "consul_transport_grpc_rpc_calls_total")) {
                assertTrue(hasSeries(text, name), "pid " + a.pid() + ": no " + name + " in\n" + text);
            }
            promtool(text);
            JsonObject json = JsonParser.parseString(a.get("/v1/agent/metrics").body()).getAsJsonObject();
            assertEquals(List.of("Timestamp", "Gauges", "Points", "Counters", "Samples"), List.copyOf(json.keySet()));
        }
    }

    /** The agent's node name as it appears in gauge names ({@code server-2} gives {@code server_2}). */
    static String hostPart(AgentProcess a) throws Exception {
        JsonObject self = JsonParser.parseString(a.get("/v1/agent/self").body()).getAsJsonObject();
        return self.getAsJsonObject("Config").get("NodeName").getAsString().replaceAll("[^A-Za-z0-9_]", "_");
    }

    static String scrape(AgentProcess a) throws Exception {
        HttpResponse<String> r = a.get("/v1/agent/metrics?format=prometheus");
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** Whether {@code text} has a sample line of {@code name} (with or without labels). */
    static boolean hasSeries(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code promtool check metrics}: no parse error (exit 1), and no lint problem but the two naming
     * lints Consul's own names draw (camelCase, abbreviated units such as {@code _ns}). Skipped with a
     * message when promtool is missing.
     */
    static void promtool(String text) throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        if (!Files.isExecutable(promtool)) {
            System.err.println("MetricsIT: /usr/bin/promtool is missing (apt-get install prometheus): the Prometheus "
                    + "output was not checked by promtool");
            return;
        }
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
        assertNotEquals(1, p.exitValue(), "promtool could not parse:\n" + out);
        List<String> problems = out.lines().filter(l -> !l.isBlank())
                .filter(l -> !l.contains("should be written in 'snake_case' not 'camelCase'"))
                .filter(l -> !l.contains("should not contain abbreviated units")).toList();
        assertEquals(List.of(), problems, text);
    }
}

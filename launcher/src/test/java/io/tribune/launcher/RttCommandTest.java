package io.tribune.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.testkit.Poll;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tribune rtt} against in-process agents: on the LAN with coordinates placed by hand (so the
 * printed figure is known), and on the WAN with two servers of two datacenters whose gossip-swim
 * pools (local timing) compute real coordinates, which also shows them reaching
 * {@code /v1/coordinate/datacenters}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RttCommandTest {
    private final List<Agent> agents = new ArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        agents.forEach(a -> a.shutdown(false));
    }

    private Agent agent(String json, String node) {
        var cfg = new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), node).build();
        Agent a = Agent.start(cfg, PluginRegistry.of(new ServiceLoaderPluginSource(getClass().getClassLoader()).load()),
                "embedded");
        agents.add(a);
        return a;
    }

    private Agent server(String node, String dc) {
        return agent("{\"node_name\": \"" + node + "\", \"datacenter\": \"" + dc + "\", \"server\": true,"
                + " \"bootstrap\": true, \"data_dir\": \"" + dir.resolve(node).toString().replace("\\", "/") + "\","
                + " \"bind_addr\": \"127.0.0.1\", \"advertise_addr\": \"127.0.0.1\","
                + " \"coordinate_update_period\": \"100ms\","
                + " \"ports\": {\"http\": 0, \"server\": 0, \"serf_lan\": 0, \"serf_wan\": 0, \"dns\": -1, \"grpc\": -1},"
                + " \"plugins\": {\"storage\": \"storage-memory\", \"consensus\": \"consensus-single\","
                + " \"transport\": \"transport-inproc\", \"membership\": \"gossip-swim\"},"
                + " \"plugin_config\": {\"transport-inproc.hub\": \"rtt-cli-test\", \"gossip-swim.profile\": \"local\"}}",
                node);
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run cli(Agent via, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "-http-addr");
        all.add(2, "127.0.0.1:" + via.httpAddress().orElseThrow().getPort());
        int exit = Main.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    /** One call through the CLI's own client; the body is UTF-8. */
    private static Answer http(Agent a, String method, String path, String body) throws Exception {
        ApiResponse r = new ApiClient("127.0.0.1:" + a.httpAddress().orElseThrow().getPort())
                .send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        return new Answer(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    }

    private record Answer(int statusCode, String body) {
    }

    /** The body of a GET, or "[]" when it fails (for polling). */
    private static String body(Agent a, String path) {
        try {
            return http(a, "GET", path, null).body();
        } catch (Exception e) {
            return "[]";
        }
    }

    @Test
    void lanEstimateOfCoordinatesPlacedByHandIsPrintedInConsulsFormat() throws Exception {
        Agent a = agent("{\"dev\": true, \"node_name\": \"rtt-a\", \"coordinate_update_period\": \"100ms\","
                + " \"ports\": {\"http\": 0, \"dns\": -1, \"grpc\": -1, \"server\": 18431}}", "rtt-a");
        assertTrue(Poll.until(Duration.ofSeconds(30), () -> a.consensus().orElseThrow().isLeader()));
        assertEquals(200, http(a, "PUT", "/v1/catalog/register", "{\"Node\": \"rtt-b\", \"Address\": \"127.0.0.1\"}")
                .statusCode());
        // rtt-a at the origin, rtt-b 3 ms away on the first axis, heights 0.1 ms: 3 + 0.1 + 0.1 = 3.2 ms.
        for (String[] n : new String[][] {{"rtt-a", "0"}, {"rtt-b", "0.003"}}) {
            Answer r = http(a, "PUT", "/v1/coordinate/update", "{\"Node\": \"" + n[0] + "\", \"Coord\": "
                    + "{\"Vec\": [" + n[1] + ", 0, 0, 0, 0, 0, 0, 0], \"Error\": 0.2, \"Adjustment\": 0, "
                    + "\"Height\": 0.0001}}");
            assertEquals(200, r.statusCode(), r.body());
        }
        assertTrue(Poll.until(Duration.ofSeconds(30), () -> JsonParser.parseString(
                body(a, "/v1/coordinate/nodes")).getAsJsonArray().size() == 2));
        Run run = cli(a, "rtt", "rtt-b");
        assertEquals(0, run.exit(), run.err());
        assertEquals("Estimated rtt-b <-> rtt-a rtt: 3.200 ms (using LAN coordinates)", run.out().trim());
        Run both = cli(a, "rtt", "rtt-a", "rtt-b");
        assertEquals("Estimated rtt-a <-> rtt-b rtt: 3.200 ms (using LAN coordinates)", both.out().trim());
        Run missing = cli(a, "rtt", "nobody");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("Could not find a coordinate for node \"nobody\""), missing.err());
        Run noWan = cli(a, "rtt", "-wan", "rtt-a.dc1");
        assertEquals(1, noWan.exit(), "a dev agent has no WAN pool, so no WAN coordinate: " + noWan.out());
        Run usage = cli(a, "rtt");
        assertEquals(2, usage.exit(), "a node is required");
    }

    @Test
    void wanEstimateBetweenServersOfTwoDatacentersFromRealGossip() throws Exception {
        Agent one = server("rc-1", "dc1");
        Agent two = server("rc-2", "dc2");
        Run join = cli(two, "join", "-wan", "127.0.0.1:" + one.wanMembership().orElseThrow().localMember().port());
        assertEquals(0, join.exit(), join.err());
        assertTrue(Poll.until(Duration.ofSeconds(60), () -> {
            JsonArray dcs = JsonParser.parseString(body(one, "/v1/coordinate/datacenters")).getAsJsonArray();
            return dcs.size() == 2 && dcs.get(0).getAsJsonObject().getAsJsonArray("Coordinates").size() == 1
                    && dcs.get(1).getAsJsonObject().getAsJsonArray("Coordinates").size() == 1;
        }), http(one, "GET", "/v1/coordinate/datacenters", null).body());
        Run run = cli(one, "rtt", "-wan", "rc-2.dc2");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().matches("Estimated rc-2\\.dc2 <-> rc-1\\.dc1 rtt: \\d+\\.\\d{3} ms \\(using WAN "
                + "coordinates\\)\\s*"), run.out());
    }
}

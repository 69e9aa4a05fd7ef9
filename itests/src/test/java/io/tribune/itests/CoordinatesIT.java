package io.tribune.itests;

import static io.tribune.itests.AgentGroup.awaitLeaders;
import static io.tribune.itests.AgentGroup.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Network coordinates across real processes on loopback, each agent on an address of its own under
 * 127.0.24.0/24 with {@code coordinate_update_period} shortened to 500 ms: dc1 has a server and two
 * client agents, dc2 one server that joins the WAN pool. It checks that every node of dc1 gets a
 * coordinate in the catalog from its own gossip probes, that {@code ?near=} orders catalog and health
 * answers (with two external nodes whose coordinates are placed 1 s apart, around a real agent's
 * coordinate), that {@code tribune rtt} answers on the LAN and the WAN, and that
 * {@code /v1/coordinate/datacenters} lists both datacenters with their servers' WAN coordinates.
 */
@Timeout(300)
class CoordinatesIT {
    static final String NET = "127.0.24.";
    static final String DC1_SERVER = NET + "1";
    static final String DC1_CLIENT_A = NET + "2";
    static final String DC1_CLIENT_B = NET + "3";
    static final String DC2_SERVER = NET + "11";
    static final Duration LONG = Duration.ofSeconds(120);
    static final Pattern RTT = Pattern.compile("Estimated (\\S+) <-> (\\S+) rtt: (\\d+\\.\\d{3}) ms \\(using (LAN|WAN) "
            + "coordinates\\)");

    // A short update period, and LAN timing for the WAN pool too (probes every second instead of
    // every 5 s), so that coordinates arrive within seconds.
    @AutoClose
    final AgentGroup agents = new AgentGroup("{\"coordinate_update_period\": \"500ms\", "
            + "\"plugin_config\": {\"gossip-swim.wan.profile\": \"lan\"}}");

    static JsonArray array(AgentProcess a, String path) {
        String b = body(a, path);
        return b.isEmpty() ? new JsonArray() : JsonParser.parseString(b).getAsJsonArray();
    }

    /** The nodes of a catalog or health answer, in order. */
    static List<String> nodes(AgentProcess a, String path) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : array(a, path)) {
            JsonObject o = e.getAsJsonObject();
            out.add(o.get("Node").isJsonObject() ? o.getAsJsonObject("Node").get("Node").getAsString()
                    : o.get("Node").getAsString());
        }
        return out;
    }

    static List<String> coordinateNodes(AgentProcess a) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : array(a, "/v1/coordinate/nodes")) {
            JsonObject o = e.getAsJsonObject();
            if (o.getAsJsonObject("Coord").getAsJsonArray("Vec").size() == 8) {
                out.add(o.get("Node").getAsString());
            }
        }
        return out;
    }

    static AgentProcess.Result cli(String ip, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.add(1, "-http-addr");
        a.add(2, ip + ":8500");
        return AgentProcess.run(a);
    }

    static double rttMillis(AgentProcess.Result r, String kind) {
        Matcher m = RTT.matcher(r.output());
        assertTrue(m.find(), r.output());
        assertEquals(kind, m.group(4), r.output());
        return Double.parseDouble(m.group(3));
    }

    @Test
    void coordinatesFlowFromGossipToTheCatalogAndOrderAnswers() throws Exception {
        AgentProcess s1 = agents.start(DC1_SERVER, "dc1", true, List.of("-bootstrap-expect", "1"));
        AgentProcess ca = agents.start(DC1_CLIENT_A, "dc1", false, List.of("-retry-join", DC1_SERVER));
        AgentProcess cb = agents.start(DC1_CLIENT_B, "dc1", false, List.of("-retry-join", DC1_SERVER));
        AgentProcess s2 = agents.start(DC2_SERVER, "dc2", true, List.of("-bootstrap-expect", "1", "-retry-join-wan",
                DC1_SERVER, "-retry-interval-wan", "1s"));
        awaitLeaders(LONG, s1, s2, ca, cb);

        // Every node of dc1 has a coordinate, learned from its own probes and sent by its agent.
        List<String> dc1 = List.of("dc1-server-1", "dc1-client-2", "dc1-client-3");
        assertTrue(ca.waitFor(LONG, () -> coordinateNodes(ca).containsAll(dc1)),
                body(ca, "/v1/coordinate/nodes") + "\n" + ca.output());
        assertEquals(200, ca.get("/v1/coordinate/node/dc1-client-3").statusCode());

        // Two external nodes with a service, placed around client 2's real coordinate: ext-a on it,
        // ext-b 1 s away on the first axis (far more than the real coordinates move while the test runs).
        // Nobody's agent overwrites external nodes' coordinates.
        JsonObject real = array(ca, "/v1/coordinate/node/dc1-client-2").get(0).getAsJsonObject().getAsJsonObject("Coord");
        for (String n : List.of("ext-b", "ext-a")) {
            assertEquals(200, ca.send("PUT", "/v1/catalog/register", "{\"Node\": \"" + n + "\", \"Address\": "
                    + "\"127.0.24.99\", \"Service\": {\"Service\": \"db\", \"Port\": 5432}}").statusCode());
            JsonObject c = real.deepCopy();
            if (n.equals("ext-b")) {
                JsonArray vec = c.getAsJsonArray("Vec");
                vec.set(0, new com.google.gson.JsonPrimitive(vec.get(0).getAsDouble() + 1.0));
            }
            HttpResponse<String> r = ca.send("PUT", "/v1/coordinate/update", "{\"Node\": \"" + n + "\", \"Coord\": "
                    + c + "}");
            assertEquals(200, r.statusCode(), r.body());
        }
        assertTrue(ca.waitFor(LONG, () -> coordinateNodes(ca).containsAll(List.of("ext-a", "ext-b"))),
                body(ca, "/v1/coordinate/nodes"));
        assertEquals(List.of("ext-a", "ext-b"), nodes(ca, "/v1/catalog/service/db"), "name order without near");
        assertEquals(List.of("ext-b", "ext-a"), nodes(ca, "/v1/catalog/service/db?near=ext-b"));
        assertEquals(List.of("ext-a", "ext-b"), nodes(ca, "/v1/catalog/service/db?near=dc1-client-2"));
        assertEquals(List.of("ext-b", "ext-a"), nodes(cb, "/v1/health/service/db?near=ext-b"));
        assertEquals(List.of("ext-a", "ext-b"), nodes(ca, "/v1/health/service/db?near=_agent"));
        assertEquals("ext-b", nodes(ca, "/v1/catalog/nodes?near=ext-b").get(0));

        // rtt on the LAN: between two agents, and the 1 s placed by hand.
        AgentProcess.Result lan = cli(DC1_CLIENT_A, "rtt", "dc1-client-3");
        assertEquals(0, lan.exitCode(), lan.output());
        assertTrue(lan.output().contains("Estimated dc1-client-3 <-> dc1-client-2 rtt: "), lan.output());
        // Real estimates depend on the machine's load (probe round trips are measured): only bounds.
        double loopback = rttMillis(lan, "LAN");
        assertTrue(loopback > 0 && loopback < 5_000, "loopback estimate " + loopback + " ms");
        // ext-a and ext-b: 1 s apart plus both (equal) heights and adjustments of the copied coordinate.
        double h = real.get("Height").getAsDouble();
        double adj = real.get("Adjustment").getAsDouble();
        double expected = (1.0 + 2 * h + 2 * adj > 0 ? 1.0 + 2 * h + 2 * adj : 1.0 + 2 * h) * 1000;
        double placed = rttMillis(cli(DC1_CLIENT_A, "rtt", "ext-a", "ext-b"), "LAN");
        assertEquals(expected, placed, 0.002, "placed 1 s apart (+ heights and adjustments)");
        AgentProcess.Result missing = cli(DC1_CLIENT_A, "rtt", "nobody");
        assertEquals(1, missing.exitCode(), missing.output());
        assertTrue(missing.output().contains("Could not find a coordinate for node \"nobody\""), missing.output());

        // The WAN: both datacenters with their servers' coordinates, and rtt -wan between the servers.
        assertTrue(ca.waitFor(LONG, () -> {
            JsonArray dcs = array(ca, "/v1/coordinate/datacenters");
            return dcs.size() == 2 && dcs.get(0).getAsJsonObject().getAsJsonArray("Coordinates").size() == 1
                    && dcs.get(1).getAsJsonObject().getAsJsonArray("Coordinates").size() == 1;
        }), body(ca, "/v1/coordinate/datacenters") + "\n" + s1.output());
        JsonArray dcs = array(ca, "/v1/coordinate/datacenters");
        assertEquals("dc1", dcs.get(0).getAsJsonObject().get("Datacenter").getAsString());
        assertEquals("dc2", dcs.get(1).getAsJsonObject().get("Datacenter").getAsString());
        assertEquals("dc2-server-11.dc2", dcs.get(1).getAsJsonObject().getAsJsonArray("Coordinates").get(0)
                .getAsJsonObject().get("Node").getAsString());
        assertEquals("[\"dc1\",\"dc2\"]", body(ca, "/v1/catalog/datacenters").trim());
        AgentProcess.Result wan = cli(DC1_SERVER, "rtt", "-wan", "dc2-server-11.dc2");
        assertEquals(0, wan.exitCode(), wan.output());
        assertTrue(wan.output().contains("dc2-server-11.dc2 <-> dc1-server-1.dc1"), wan.output());
        assertTrue(rttMillis(wan, "WAN") > 0, wan.output());
    }
}

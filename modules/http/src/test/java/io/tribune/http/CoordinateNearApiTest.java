package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ?near=} on {@code /v1/catalog/nodes}, {@code /v1/catalog/service/<s>} and
 * {@code /v1/health/service/<s>} of an in-process dev agent, with coordinates set by hand through
 * {@code /v1/coordinate/update}: three nodes on a line, near1 (x = 1 ms), near2 (x = 5 ms), near3
 * (x = 20 ms), and the agent itself at the origin.
 */
@Timeout(120)
class CoordinateNearApiTest {
    static DevAgent a;

    @BeforeAll
    static void start() throws Exception {
        a = DevAgent.start("nearagent", 18405);
        // Registered in the order 3, 1, 2 so that the catalog's own (name) order differs from distance.
        for (String n : List.of("near3", "near1", "near2")) {
            a.put("/v1/catalog/register", "{\"Node\": \"" + n + "\", \"Address\": \"127.0.0.1\", "
                    + "\"Service\": {\"Service\": \"web\", \"Port\": 80}}");
        }
        coordinate("nearagent", 0);
        coordinate("near1", 0.001);
        coordinate("near2", 0.005);
        coordinate("near3", 0.020);
        assertTrue(a.waitFor(Duration.ofSeconds(30), () -> {
            try {
                return a.get("/v1/coordinate/nodes").getAsJsonArray().size() == 4;
            } catch (Exception e) {
                return false;
            }
        }), "the four coordinates were written");
    }

    static void coordinate(String node, double x) throws Exception {
        a.put("/v1/coordinate/update", "{\"Node\": \"" + node + "\", \"Coord\": {\"Vec\": [" + x
                + ", 0, 0, 0, 0, 0, 0, 0], \"Error\": 0.2, \"Adjustment\": 0, \"Height\": 0.00001}}");
    }

    static List<String> nodes(String path) throws Exception {
        List<String> out = new ArrayList<>();
        JsonArray arr = a.get(path).getAsJsonArray();
        for (JsonElement e : arr) {
            var o = e.getAsJsonObject();
            out.add(o.has("Node") && o.get("Node").isJsonObject() ? o.getAsJsonObject("Node").get("Node").getAsString()
                    : o.get("Node").getAsString());
        }
        return out;
    }

    @Test
    void catalogServiceIsSortedByDistanceFromTheNamedNode() throws Exception {
        assertEquals(List.of("near1", "near2", "near3"), nodes("/v1/catalog/service/web"), "name order without near");
        assertEquals(List.of("near3", "near2", "near1"), nodes("/v1/catalog/service/web?near=near3"));
        assertEquals(List.of("near2", "near1", "near3"), nodes("/v1/catalog/service/web?near=near2"));
    }

    @Test
    void healthServiceAndCatalogNodesSortFromThisAgentWithAgentAlias() throws Exception {
        assertEquals(List.of("near3", "near2", "near1"), nodes("/v1/health/service/web?near=near3"));
        assertEquals(List.of("near1", "near2", "near3"), nodes("/v1/health/service/web?near=_agent"));
        assertEquals(List.of("nearagent", "near1", "near2", "near3"), nodes("/v1/catalog/nodes?near=_agent"));
        assertEquals(List.of("near3", "near2", "near1", "nearagent"), nodes("/v1/catalog/nodes?near=near3"));
    }

    @Test
    void aNearNodeWithoutCoordinateLeavesTheOrderUnchanged() throws Exception {
        assertEquals(nodes("/v1/catalog/service/web"), nodes("/v1/catalog/service/web?near=nobody"));
    }

    @Test
    void coordinateDatacentersListsTheLocalDatacenterWithoutWanPool() throws Exception {
        JsonArray dcs = a.get("/v1/coordinate/datacenters").getAsJsonArray();
        assertEquals(1, dcs.size());
        assertEquals("dc1", dcs.get(0).getAsJsonObject().get("Datacenter").getAsString());
        assertEquals("WAN", dcs.get(0).getAsJsonObject().get("AreaID").getAsString());
        assertEquals(0, dcs.get(0).getAsJsonObject().getAsJsonArray("Coordinates").size(), "a dev agent has no WAN pool");
    }
}

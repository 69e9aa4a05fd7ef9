package io.tribune.itests;

import static io.tribune.itests.AgentGroup.awaitLeaders;
import static io.tribune.itests.AgentGroup.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.query.model.QueryExecution;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Prepared queries on real processes of two datacenters on loopback, each agent with Consul's default
 * ports on an address of its own under 127.0.25.0/24: dc1 has a server and a client agent, dc2 a
 * server that joins the WAN pool through dc1's ({@code -retry-join-wan}). Through dc1's client agent:
 * a query is created, read, listed, updated, explained and deleted over HTTP; executed over HTTP and
 * with the Consul Java client; looked up over DNS as {@code <query>.query.consul}; and when dc1's
 * only instance of the service fails its check, the same query is answered by dc2 (Datacenter dc2,
 * Failovers 1), over HTTP and DNS.
 */
@Timeout(120)
class PreparedQueryIT {
    static final String NET = "127.0.25.";
    static final String DC1_SERVER = NET + "1";
    static final String DC1_CLIENT = NET + "2";
    static final String DC2_SERVER = NET + "11";
    static final Duration LONG = Duration.ofSeconds(60);

    @AutoClose
    final AgentGroup agents = new AgentGroup();

    static Message dig(String server, String name, int type) throws IOException {
        return MultiDatacenterIT.dig(server, name, type);
    }

    static JsonObject execute(AgentProcess a, String query) throws Exception {
        HttpResponse<String> r = a.get("/v1/query/" + query + "/execute");
        assertEquals(200, r.statusCode(), r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    static List<String> nodes(JsonObject result) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : result.getAsJsonArray("Nodes")) {
            out.add(e.getAsJsonObject().getAsJsonObject("Node").get("Node").getAsString());
        }
        return out;
    }

    static String register(AgentProcess a) throws Exception {
        HttpResponse<String> r = a.send("PUT", "/v1/agent/service/register", "{\"Name\": \"web\", \"Port\": 80,"
                + " \"Check\": {\"TTL\": \"10m\", \"Status\": \"passing\"}}");
        return r.statusCode() + " " + r.body();
    }

    @Test
    void queriesAreManagedExecutedOverHttpDnsAndTheJavaClientAndFailOverToTheOtherDatacenter() throws Exception {
        long t0 = System.nanoTime();
        AgentProcess s1 = agents.start(DC1_SERVER, "dc1", true, List.of("-bootstrap-expect", "1"));
        AgentProcess c1 = agents.start(DC1_CLIENT, "dc1", false, List.of("-retry-join", DC1_SERVER));
        AgentProcess s2 = agents.start(DC2_SERVER, "dc2", true, List.of("-bootstrap-expect", "1", "-retry-join-wan",
                DC1_SERVER, "-retry-interval-wan", "1s"));
        awaitLeaders(LONG, s1, s2, c1);
        assertTrue(c1.waitFor(LONG, () -> body(c1, "/v1/catalog/datacenters").replace(" ", "")
                .equals("[\"dc1\",\"dc2\"]")), body(c1, "/v1/catalog/datacenters") + "\n" + s2.output());
        assertEquals("200 ", register(c1));
        assertEquals("200 ", register(s2));
        assertTrue(c1.waitFor(LONG, () -> body(c1, "/v1/health/service/web?passing").contains("dc1-client-2")
                && body(c1, "/v1/health/service/web?passing&dc=dc2").contains("dc2-server-11")));
        long federated = System.nanoTime();

        // Create, read, list, update, delete.
        HttpResponse<String> created = c1.send("POST", "/v1/query", "{\"Name\": \"web\", \"Service\": {\"Service\":"
                + " \"web\", \"Failover\": {\"NearestN\": 1}}, \"DNS\": {\"TTL\": \"9s\"}}");
        assertEquals(200, created.statusCode(), created.body());
        String id = JsonParser.parseString(created.body()).getAsJsonObject().get("ID").getAsString();
        JsonArray read = JsonParser.parseString(body(c1, "/v1/query/" + id)).getAsJsonArray();
        assertEquals("web", read.get(0).getAsJsonObject().get("Name").getAsString());
        HttpResponse<String> other = c1.send("POST", "/v1/query", "{\"Name\": \"gone\", \"Service\": {\"Service\":"
                + " \"db\"}}");
        assertEquals(200, other.statusCode(), other.body());
        String otherId = JsonParser.parseString(other.body()).getAsJsonObject().get("ID").getAsString();
        assertEquals(2, JsonParser.parseString(body(s1, "/v1/query")).getAsJsonArray().size());
        assertEquals(200, c1.send("DELETE", "/v1/query/" + otherId, null).statusCode());
        assertEquals(404, c1.get("/v1/query/" + otherId).statusCode());
        HttpResponse<String> updated = c1.send("PUT", "/v1/query/" + id, "{\"Name\": \"web\", \"Service\":"
                + " {\"Service\": \"web\", \"Failover\": {\"NearestN\": 1, \"Datacenters\": [\"dc2\"]}},"
                + " \"DNS\": {\"TTL\": \"9s\"}}");
        assertEquals(200, updated.statusCode(), updated.body());
        HttpResponse<String> bad = c1.send("POST", "/v1/query", "{\"Name\": \"x\", \"Service\": {}}");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("Must provide a Service name"), bad.body());
        JsonObject explained = JsonParser.parseString(body(c1, "/v1/query/web/explain")).getAsJsonObject()
                .getAsJsonObject("Query");
        assertEquals(List.of("dc2"), explained.getAsJsonObject("Service").getAsJsonObject("Failover")
                .getAsJsonArray("Datacenters").asList().stream().map(JsonElement::getAsString).toList());

        // Execute in dc1: its own instance.
        JsonObject local = execute(c1, "web");
        assertEquals("dc1", local.get("Datacenter").getAsString());
        assertEquals(0, local.get("Failovers").getAsInt());
        assertEquals(List.of("dc1-client-2"), nodes(local));
        QueryExecution viaClient = new ConsulClient(DC1_CLIENT, 8500).executePreparedQuery(id, QueryParams.DEFAULT)
                .getValue();
        assertEquals("dc1", viaClient.getDatacenter());
        assertEquals("web", viaClient.getService());
        assertEquals(1, viaClient.getNodes().size());
        Message a = dig(DC1_CLIENT, "web.query.consul.", Type.A);
        assertEquals(Rcode.NOERROR, a.getRcode(), a.toString());
        ARecord rec = (ARecord) a.getSection(Section.ANSWER).get(0);
        assertEquals(DC1_CLIENT, rec.getAddress().getHostAddress());
        assertEquals(9, rec.getTTL(), "the query's DNS.TTL");

        // dc1's only instance fails: dc2 answers, and says so.
        assertEquals(200, c1.send("PUT", "/v1/agent/check/fail/service:web", "").statusCode());
        assertTrue(c1.waitFor(LONG, () -> !body(c1, "/v1/health/service/web?passing").contains("dc1-client-2")));
        JsonObject failedOver = execute(c1, "web");
        assertEquals("dc2", failedOver.get("Datacenter").getAsString(), failedOver.toString());
        assertTrue(failedOver.get("Failovers").getAsInt() >= 1, failedOver.toString());
        assertEquals(List.of("dc2-server-11"), nodes(failedOver));
        QueryExecution javaFailover = new ConsulClient(DC1_CLIENT, 8500).executePreparedQuery("web",
                QueryParams.DEFAULT).getValue();
        assertEquals("dc2", javaFailover.getDatacenter());
        assertEquals(1, javaFailover.getFailovers());
        Message fromDc2 = dig(DC1_CLIENT, "web.query.consul.", Type.A);
        assertEquals(DC2_SERVER, ((ARecord) fromDc2.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress(),
                fromDc2.toString());
        Message srv = dig(DC1_CLIENT, "web.query.consul.", Type.SRV);
        assertEquals("dc2-server-11.node.dc2.consul.", ((SRVRecord) srv.getSection(Section.ANSWER).get(0)).getTarget()
                .toString(), srv.toString());
        assertEquals(Rcode.NXDOMAIN, dig(DC1_CLIENT, "nothing.query.consul.", Type.A).getRcode());
        long end = System.nanoTime();
        System.out.println("PreparedQueryIT: " + Duration.ofNanos(end - t0).toMillis() + " ms in all, "
                + Duration.ofNanos(federated - t0).toMillis() + " ms of them to start and federate the agents");
    }
}

package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ecwid.consul.v1.ConsistencyMode;
import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.agent.model.Check;
import com.ecwid.consul.v1.agent.model.Member;
import com.ecwid.consul.v1.agent.model.NewCheck;
import com.ecwid.consul.v1.agent.model.NewService;
import com.ecwid.consul.v1.agent.model.Self;
import com.ecwid.consul.v1.agent.model.Service;
import com.ecwid.consul.v1.catalog.model.CatalogDeregistration;
import com.ecwid.consul.v1.catalog.model.CatalogNode;
import com.ecwid.consul.v1.catalog.model.CatalogRegistration;
import com.ecwid.consul.v1.catalog.model.CatalogService;
import com.ecwid.consul.v1.catalog.model.Node;
import com.ecwid.consul.v1.event.model.Event;
import com.ecwid.consul.v1.event.model.EventParams;
import com.ecwid.consul.v1.health.model.HealthService;
import com.ecwid.consul.v1.kv.model.GetValue;
import com.ecwid.consul.v1.kv.model.PutParams;
import com.ecwid.consul.v1.session.model.NewSession;
import com.ecwid.consul.v1.session.model.Session;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Drop-in compatibility: a real Consul client library from Maven Central
 * ({@code com.ecwid.consul:consul-api}, the client under Spring Cloud Consul) talks to
 * {@code bin/tribune agent -dev} and every endpoint group behaves as the library expects: KV
 * (CAS, keys, recurse, blocking, acquire/release), sessions, catalog, health, agent services and
 * checks, status, events and coordinates; {@code /v1/txn}, which the library lacks, over plain
 * HTTP. With {@code -Dtribune.it.http=host:port} the suite runs against an agent already running
 * there instead of starting one.
 */
@Timeout(300)
class ConsulClientIT {
    static ConsulAgent agent;
    static ConsulClient consul;

    @BeforeAll
    static void start() throws Exception {
        agent = ConsulAgent.startDev("consul-it");
        consul = new ConsulClient("127.0.0.1", agent.httpPort());
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
    }

    static String text(GetValue v) {
        return v.getDecodedValue(StandardCharsets.UTF_8);
    }

    // ---- KV ----

    @Test
    void kvPutGetCasKeysRecurseAndDelete() {
        assertTrue(consul.setKVValue("it/app/name", "tribune").getValue());
        Response<GetValue> got = consul.getKVValue("it/app/name");
        assertEquals("tribune", text(got.getValue()));
        assertTrue(got.getConsulIndex() > 0);
        assertTrue(got.isConsulKnownLeader());
        assertNotNull(got.getConsulLastContact());
        long modify = got.getValue().getModifyIndex();

        PutParams stale = new PutParams();
        stale.setCas(modify + 1000);
        assertFalse(consul.setKVValue("it/app/name", "lost", stale).getValue());
        PutParams cas = new PutParams();
        cas.setCas(modify);
        cas.setFlags(42);
        assertTrue(consul.setKVValue("it/app/name", "won", cas).getValue());
        assertEquals("won", text(consul.getKVValue("it/app/name").getValue()));
        assertEquals(42, consul.getKVValue("it/app/name").getValue().getFlags());

        consul.setKVValue("it/app/db/url", "jdbc:x");
        assertEquals(List.of("it/app/db/", "it/app/name"), consul.getKVKeysOnly("it/app/", "/", null).getValue());
        assertEquals(2, consul.getKVValues("it/app/").getValue().size());
        assertEquals("won", text(consul.getKVValue("it/app/name", new QueryParams(ConsistencyMode.CONSISTENT))
                .getValue()));
        assertEquals("won", text(consul.getKVValue("it/app/name", new QueryParams(ConsistencyMode.STALE))
                .getValue()));

        consul.deleteKVValue("it/app/name");
        assertNull(consul.getKVValue("it/app/name").getValue());
        consul.deleteKVValues("it/app/");
        assertNull(consul.getKVValues("it/app/").getValue());
    }

    @Test
    void kvBlockingQueryReturnsWhenTheKeyChanges() throws Exception {
        consul.setKVValue("it/watch", "one");
        long index = consul.getKVValue("it/watch").getConsulIndex();
        CompletableFuture<Response<GetValue>> watching = CompletableFuture.supplyAsync(
                () -> consul.getKVValue("it/watch", new QueryParams(60, index)));
        consul.setKVValue("it/watch", "two");
        Response<GetValue> woke = watching.get(60, TimeUnit.SECONDS);
        assertTrue(woke.getConsulIndex() > index);
        assertEquals("two", text(woke.getValue()));
    }

    // ---- sessions and locks ----

    @Test
    void sessionsLockKeysAndReleaseThemWhenDestroyed() {
        NewSession ns = new NewSession();
        ns.setName("it-lock");
        ns.setTtl("30s");
        ns.setBehavior(Session.Behavior.RELEASE);
        String id = consul.sessionCreate(ns, QueryParams.DEFAULT).getValue();
        NewSession other = new NewSession();
        String otherId = consul.sessionCreate(other, QueryParams.DEFAULT).getValue();

        Session info = consul.getSessionInfo(id, QueryParams.DEFAULT).getValue();
        assertEquals("it-lock", info.getName());
        assertEquals("30s", info.getTtl());
        assertEquals(agent.nodeName(), info.getNode());
        assertEquals(Session.Behavior.RELEASE, info.getBehavior());
        assertEquals(id, consul.renewSession(id, QueryParams.DEFAULT).getValue().getId());
        assertTrue(consul.getSessionList(QueryParams.DEFAULT).getValue().stream().anyMatch(s -> s.getId().equals(id)));
        assertTrue(consul.getSessionNode(agent.nodeName(), QueryParams.DEFAULT).getValue().size() >= 2);

        PutParams acquire = new PutParams();
        acquire.setAcquireSession(id);
        assertTrue(consul.setKVValue("it/leader", "me", acquire).getValue());
        PutParams steal = new PutParams();
        steal.setAcquireSession(otherId);
        assertFalse(consul.setKVValue("it/leader", "you", steal).getValue());
        assertEquals(id, consul.getKVValue("it/leader").getValue().getSession());

        PutParams release = new PutParams();
        release.setReleaseSession(id);
        assertTrue(consul.setKVValue("it/leader", "me", release).getValue());
        assertNull(consul.getKVValue("it/leader").getValue().getSession());
        assertTrue(consul.setKVValue("it/leader", "me again", acquire).getValue());

        consul.sessionDestroy(id, QueryParams.DEFAULT);
        assertNull(consul.getSessionInfo(id, QueryParams.DEFAULT).getValue());
        assertNull(consul.getKVValue("it/leader").getValue().getSession(), "destroying the session released the lock");
        consul.sessionDestroy(otherId, QueryParams.DEFAULT);
    }

    @Test
    void badSessionRequestsSurfaceAsClientErrors() {
        NewSession ns = new NewSession();
        ns.setTtl("1s");
        OperationException e = assertThrows(OperationException.class,
                () -> consul.sessionCreate(ns, QueryParams.DEFAULT));
        assertEquals(400, e.getStatusCode());
        assertTrue(e.getStatusContent().contains("TTL"), e.getStatusContent());
        OperationException renew = assertThrows(OperationException.class,
                () -> consul.renewSession("not-a-session", QueryParams.DEFAULT));
        assertEquals(400, renew.getStatusCode());
    }

    // ---- catalog and health ----

    @Test
    void catalogRegistrationIsVisibleThroughCatalogAndHealth() {
        CatalogRegistration reg = new CatalogRegistration();
        reg.setNode("it-ext-node");
        reg.setAddress("10.20.30.40");
        reg.setNodeMeta(Map.of("rack", "it"));
        CatalogRegistration.Service svc = new CatalogRegistration.Service();
        svc.setId("billing-1");
        svc.setService("billing");
        svc.setTags(List.of("v2"));
        svc.setPort(9090);
        reg.setService(svc);
        CatalogRegistration.Check check = new CatalogRegistration.Check();
        check.setCheckId("billing-alive");
        check.setName("billing alive");
        check.setServiceId("billing-1");
        check.setStatus(CatalogRegistration.CheckStatus.PASSING);
        reg.setCheck(check);
        consul.catalogRegister(reg);

        assertTrue(consul.getCatalogDatacenters().getValue().contains("dc1"));
        List<Node> nodes = consul.getCatalogNodes(QueryParams.DEFAULT).getValue();
        assertTrue(nodes.stream().anyMatch(n -> n.getNode().equals("it-ext-node") && n.getAddress()
                .equals("10.20.30.40")));
        assertTrue(nodes.stream().anyMatch(n -> n.getNode().equals(agent.nodeName())), "the agent's own node");
        assertEquals(List.of("v2"), consul.getCatalogServices(QueryParams.DEFAULT).getValue().get("billing"));
        CatalogService cs = consul.getCatalogService("billing", QueryParams.DEFAULT).getValue().get(0);
        assertEquals("it-ext-node", cs.getNode());
        assertEquals(9090, cs.getServicePort());
        assertEquals("it", cs.getNodeMeta().get("rack"));
        assertEquals(1, consul.getCatalogService("billing", "v2", QueryParams.DEFAULT).getValue().size());
        assertEquals(0, consul.getCatalogService("billing", "v3", QueryParams.DEFAULT).getValue().size());
        CatalogNode node = consul.getCatalogNode("it-ext-node", QueryParams.DEFAULT).getValue();
        assertEquals(9090, node.getServices().get("billing-1").getPort());

        HealthService hs = consul.getHealthServices("billing", true, QueryParams.DEFAULT).getValue().get(0);
        assertEquals("billing-1", hs.getService().getId());
        assertEquals("it-ext-node", hs.getNode().getNode());
        assertEquals(com.ecwid.consul.v1.health.model.Check.CheckStatus.PASSING, hs.getChecks().get(0).getStatus());
        assertEquals(1, consul.getHealthChecksForService("billing", QueryParams.DEFAULT).getValue().size());
        assertEquals("billing-alive", consul.getHealthChecksForNode("it-ext-node", QueryParams.DEFAULT).getValue()
                .get(0).getCheckId());
        assertTrue(consul.getHealthChecksState(com.ecwid.consul.v1.health.model.Check.CheckStatus.PASSING,
                QueryParams.DEFAULT).getValue().stream().anyMatch(c -> c.getCheckId().equals("billing-alive")));

        CatalogDeregistration dereg = new CatalogDeregistration();
        dereg.setNode("it-ext-node");
        consul.catalogDeregister(dereg);
        assertTrue(consul.getCatalogService("billing", QueryParams.DEFAULT).getValue().isEmpty());
    }

    @Test
    void anotherDatacenterIsRefusedWithConsulsError() {
        OperationException e = assertThrows(OperationException.class,
                () -> consul.getCatalogNodes(new QueryParams("dc-far-away")));
        assertEquals(500, e.getStatusCode());
        assertTrue(e.getStatusContent().contains("No path to datacenter"), e.getStatusContent());
    }

    // ---- agent ----

    @Test
    void agentServicesWithTtlChecksReachTheCatalog() {
        NewService s = new NewService();
        s.setId("orders-1");
        s.setName("orders");
        s.setPort(7070);
        s.setTags(List.of("primary"));
        NewService.Check c = new NewService.Check();
        c.setTtl("30s");
        s.setCheck(c);
        consul.agentServiceRegister(s);

        Map<String, Service> services = consul.getAgentServices().getValue();
        assertEquals(7070, services.get("orders-1").getPort());
        Map<String, Check> checks = consul.getAgentChecks().getValue();
        assertEquals(Check.CheckStatus.CRITICAL, checks.get("service:orders-1").getStatus());
        assertEquals(0, consul.getHealthServices("orders", true, QueryParams.DEFAULT).getValue().size());

        consul.agentCheckPass("service:orders-1", "ready");
        assertEquals(1, consul.getHealthServices("orders", true, QueryParams.DEFAULT).getValue().size());
        consul.agentCheckWarn("service:orders-1");
        assertEquals(Check.CheckStatus.WARNING, consul.getAgentChecks().getValue().get("service:orders-1").getStatus());
        consul.agentCheckFail("service:orders-1");
        assertEquals(0, consul.getHealthServices("orders", true, QueryParams.DEFAULT).getValue().size());

        NewCheck standalone = new NewCheck();
        standalone.setId("it-heartbeat");
        standalone.setName("heartbeat");
        standalone.setTtl("60s");
        consul.agentCheckRegister(standalone);
        consul.agentCheckPass("it-heartbeat");
        assertTrue(consul.getHealthChecksForNode(agent.nodeName(), QueryParams.DEFAULT).getValue().stream()
                .anyMatch(x -> x.getCheckId().equals("it-heartbeat")
                        && x.getStatus() == com.ecwid.consul.v1.health.model.Check.CheckStatus.PASSING));
        consul.agentCheckDeregister("it-heartbeat");

        consul.agentServiceSetMaintenance("orders-1", true, "deploying");
        assertTrue(consul.getAgentChecks().getValue().containsKey("_service_maintenance:orders-1"));
        consul.agentServiceSetMaintenance("orders-1", false);
        consul.agentServiceDeregister("orders-1");
        assertFalse(consul.getAgentServices().getValue().containsKey("orders-1"));
        assertTrue(consul.getCatalogService("orders", QueryParams.DEFAULT).getValue().isEmpty());

        consul.agentSetMaintenance(true, "it");
        assertTrue(consul.getAgentChecks().getValue().containsKey("_node_maintenance"));
        consul.agentSetMaintenance(false);
        assertFalse(consul.getAgentChecks().getValue().containsKey("_node_maintenance"));
    }

    @Test
    void agentSelfMembersAndStatus() {
        Self self = consul.getAgentSelf().getValue();
        assertEquals(agent.nodeName(), self.getConfig().getNodeName());
        assertEquals("dc1", self.getConfig().getDatacenter());
        assertTrue(self.getConfig().isServer());
        List<Member> members = consul.getAgentMembers().getValue();
        assertEquals(agent.nodeName(), members.get(0).getName());
        assertEquals(1, members.get(0).getStatus());
        String leader = consul.getStatusLeader().getValue();
        assertFalse(leader.isEmpty());
        assertEquals(List.of(leader), consul.getStatusPeers().getValue());
        // Consul 1.4.5 answers success for a name no pool knows (Serf's RemoveFailedNode).
        consul.agentForceLeave("nobody-here");
        assertEquals(members.size(), consul.getAgentMembers().getValue().size());
    }

    // ---- events and coordinates ----

    @Test
    void eventsFireAndList() {
        EventParams p = new EventParams();
        p.setService("web");
        Event fired = consul.eventFire("it-deploy", "v42", p, QueryParams.DEFAULT).getValue();
        assertEquals("it-deploy", fired.getName());
        assertEquals("web", fired.getServiceFilter());
        assertNotNull(fired.getId());
        List<Event> listed = consul.eventList("it-deploy", QueryParams.DEFAULT).getValue();
        Event last = listed.get(listed.size() - 1);
        assertEquals(fired.getId(), last.getId());
        assertEquals("v42", new String(Base64.getDecoder().decode(last.getPayload()), StandardCharsets.UTF_8));
    }

    @Test
    void coordinatesListDatacentersAndNodes() throws Exception {
        assertEquals("dc1", consul.getDatacenters().getValue().get(0).getDatacenter());
        HttpResponse<String> r = agent.send("PUT", "/v1/coordinate/update", "{\"Node\": \"" + agent.nodeName()
                + "\", \"Coord\": {\"Vec\": [0.5, 0.25, 0, 0, 0, 0, 0, 0], \"Error\": 1.5, \"Adjustment\": 0, "
                + "\"Height\": 0.001}}");
        assertEquals(200, r.statusCode(), r.body());
        // Servers write coordinates in batches every coordinate_update_period (5 s), as Consul's do.
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        var mine = consul.getNodes(QueryParams.DEFAULT).getValue().stream()
                .filter(n -> n.getNode().equals(agent.nodeName())).findFirst();
        while (mine.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(100);
            mine = consul.getNodes(QueryParams.DEFAULT).getValue().stream()
                    .filter(n -> n.getNode().equals(agent.nodeName())).findFirst();
        }
        assertEquals(1.5, mine.orElseThrow().getCoord().getError());
        assertEquals(List.of(0.5, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), mine.get().getCoord().getVec());
    }

    // ---- txn (not in the library: plain HTTP) ----

    @Test
    void txnOverPlainHttpCommitsOrRollsBack() throws Exception {
        String value = Base64.getEncoder().encodeToString("t".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> ok = agent.send("PUT", "/v1/txn", "[{\"KV\": {\"Verb\": \"set\", \"Key\": \"it/txn/a\", "
                + "\"Value\": \"" + value + "\"}}, {\"KV\": {\"Verb\": \"get\", \"Key\": \"it/txn/a\"}}]");
        assertEquals(200, ok.statusCode(), ok.body());
        JsonObject body = JsonParser.parseString(ok.body()).getAsJsonObject();
        assertEquals(2, body.getAsJsonArray("Results").size());
        HttpResponse<String> conflict = agent.send("PUT", "/v1/txn", "[{\"KV\": {\"Verb\": \"delete\", \"Key\": "
                + "\"it/txn/a\"}}, {\"KV\": {\"Verb\": \"check-index\", \"Key\": \"it/txn/a\", \"Index\": 999999}}]");
        assertEquals(409, conflict.statusCode(), conflict.body());
        assertEquals("t", text(consul.getKVValue("it/txn/a").getValue()), "the delete was rolled back");
    }
}

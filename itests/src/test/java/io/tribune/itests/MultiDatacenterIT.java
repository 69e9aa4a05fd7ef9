package io.tribune.itests;

import static io.tribune.itests.AgentGroup.aliveMembers;
import static io.tribune.itests.AgentGroup.await;
import static io.tribune.itests.AgentGroup.awaitLeaders;
import static io.tribune.itests.AgentGroup.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.tribune.api.grpc.v1.CatalogGrpc;
import io.tribune.api.grpc.v1.EventsGrpc;
import io.tribune.api.grpc.v1.FireEventRequest;
import io.tribune.api.grpc.v1.HealthGrpc;
import io.tribune.api.grpc.v1.KVGrpc;
import io.tribune.api.grpc.v1.KvGetRequest;
import io.tribune.api.grpc.v1.KvPutRequest;
import io.tribune.api.grpc.v1.ReadOptions;
import io.tribune.api.grpc.v1.ServiceHealthRequest;
import io.tribune.api.grpc.v1.ServiceInstancesRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Two datacenters of real processes on loopback, each agent with Consul's default ports on an
 * address of its own under 127.0.14.0/24 (ClusterIT uses 127.0.0.2-6): dc1 has three servers and a
 * client agent, dc2 one server and a client agent. The servers federate through the WAN pool
 * ({@code -retry-join-wan} and {@code tribune join -wan}); then a client agent of dc1 reads and
 * writes dc2's KV store, catalog, health and events over HTTP ({@code ?dc=dc2}) and over gRPC
 * (ReadOptions.datacenter, and the {@code tribune-datacenter} header for writes), and answers
 * {@code web.service.dc2.consul} over DNS; finally dc2 is killed with SIGKILL: dc1 goes on serving
 * its own requests while those for dc2 fail with "No path to datacenter", and
 * {@code force-leave -wan} takes dc2's server out of the WAN pool.
 */
@Timeout(600)
class MultiDatacenterIT {
    static final String NET = "127.0.14.";
    static final List<String> DC1_SERVERS = List.of(NET + "1", NET + "2", NET + "3");
    static final String DC1_CLIENT = NET + "4";
    static final String DC2_SERVER = NET + "11";
    static final String DC2_CLIENT = NET + "12";
    static final Duration LONG = Duration.ofSeconds(120);

    @AutoClose
    final AgentGroup agents = new AgentGroup();

    static List<String> strings(String json) {
        List<String> out = new ArrayList<>();
        if (json.isEmpty()) {
            return out;
        }
        for (JsonElement e : JsonParser.parseString(json).getAsJsonArray()) {
            out.add(e.getAsString());
        }
        return out;
    }

    static AgentProcess.Result cli(String httpAddr, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.add(a.get(0).equals("catalog") ? 2 : 1, "-http-addr");
        a.add(a.get(0).equals("catalog") ? 3 : 2, httpAddr + ":8500");
        return AgentProcess.run(a);
    }

    static Message dig(String server, String name, int type) throws IOException {
        SimpleResolver r = new SimpleResolver(InetAddress.getByName(server));
        r.setPort(8600);
        r.setTimeout(Duration.ofSeconds(5));
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    @Test
    void twoDatacentersFederateServeEachOtherAndSurviveTheLossOfOne() throws Exception {
        // dc1: three servers, the last two also retry-joining the WAN pool through the first.
        for (String ip : DC1_SERVERS) {
            agents.start(ip, "dc1", true, ip.equals(DC1_SERVERS.get(0)) ? List.of("-bootstrap-expect", "3",
                    "-retry-join", DC1_SERVERS.get(0)) : List.of("-bootstrap-expect", "3", "-retry-join",
                    DC1_SERVERS.get(0), "-retry-join-wan", DC1_SERVERS.get(0), "-retry-interval-wan", "1s"));
        }
        agents.start(DC1_CLIENT, "dc1", false, List.of("-retry-join", DC1_SERVERS.get(0)));
        // dc2: one server that joins the WAN pool by hand below, and a client agent.
        agents.start(DC2_SERVER, "dc2", true, List.of("-bootstrap-expect", "1"));
        agents.start(DC2_CLIENT, "dc2", false, List.of("-retry-join", DC2_SERVER));
        AgentProcess s1 = agents.get("dc1-server-1");
        AgentProcess c1 = agents.get("dc1-client-4");
        AgentProcess s2 = agents.get("dc2-server-11");
        AgentProcess c2 = agents.get("dc2-client-12");
        awaitLeaders(LONG, s1, s2, c1, c2);

        AgentProcess.Result join = cli(DC2_SERVER, "join", "-wan", DC1_SERVERS.get(0));
        assertEquals(0, join.exitCode(), join.output());
        for (String name : List.of("dc1-server-1", "dc1-server-2", "dc1-server-3", "dc2-server-11")) {
            AgentProcess s = agents.get(name);
            await(s, LONG, () -> aliveMembers(s, true) == 4, () -> name + " WAN pool:\n"
                    + body(s, "/v1/agent/members?wan=1") + "\n" + s.output());
        }
        AgentProcess.Result members = cli(DC1_SERVERS.get(1), "members", "-wan");
        assertEquals(0, members.exitCode(), members.output());
        assertTrue(members.output().contains("dc2-server-11.dc2") && members.output().contains("dc1-server-3.dc1"),
                members.output());
        assertEquals(1, cli(DC1_CLIENT, "members", "-wan").exitCode(), "a client agent has no WAN pool");

        // Both datacenters, the local one first, from either side.
        assertTrue(c1.waitFor(LONG, () -> strings(body(c1, "/v1/catalog/datacenters")).equals(List.of("dc1", "dc2"))),
                body(c1, "/v1/catalog/datacenters"));
        assertEquals(List.of("dc2", "dc1"), strings(body(c2, "/v1/catalog/datacenters")));
        AgentProcess.Result dcs = cli(DC1_CLIENT, "catalog", "datacenters");
        assertEquals(List.of("dc1", "dc2"), dcs.output().lines().filter(l -> l.startsWith("dc")).toList(),
                dcs.output());

        // HTTP from dc1's client agent into dc2.
        HttpResponse<String> put = c1.send("PUT", "/v1/kv/it/k?dc=dc2", "v-dc2");
        assertEquals("true", put.body().trim(), put.body());
        assertEquals("v-dc2", body(c2, "/v1/kv/it/k?raw"));
        assertEquals(404, c1.get("/v1/kv/it/k").statusCode(), "nothing written in dc1");
        assertEquals("v-dc2", body(c1, "/v1/kv/it/k?raw&dc=dc2"));
        assertEquals(200, c2.send("PUT", "/v1/agent/service/register", "{\"Name\": \"web\", \"Port\": 80, "
                + "\"Check\": {\"TTL\": \"10m\", \"Status\": \"passing\"}}").statusCode());
        assertTrue(c1.waitFor(LONG, () -> body(c1, "/v1/catalog/service/web?dc=dc2").contains("dc2-client-12")),
                body(c1, "/v1/catalog/service/web?dc=dc2"));
        assertTrue(c1.waitFor(LONG, () -> body(c1, "/v1/health/service/web?passing&dc=dc2")
                .contains("dc2-client-12")), body(c1, "/v1/health/service/web?dc=dc2"));
        assertEquals("[]", body(c1, "/v1/catalog/service/web").trim(), "dc1 has no web");
        assertEquals(200, c1.send("PUT", "/v1/event/fire/it-http?dc=dc2", "p").statusCode());
        assertTrue(c2.waitFor(LONG, () -> body(c2, "/v1/event/list?name=it-http").contains("it-http")),
                "the event fired for dc2 was not recorded there");

        // gRPC from dc1's client agent into dc2: reads name it in ReadOptions, writes in their metadata.
        ManagedChannel ch = NettyChannelBuilder.forAddress(DC1_CLIENT, 8502).usePlaintext().build();
        try {
            Metadata toDc2 = new Metadata();
            toDc2.put(Metadata.Key.of("tribune-datacenter", Metadata.ASCII_STRING_MARSHALLER), "dc2");
            ReadOptions dc2 = ReadOptions.newBuilder().setDatacenter("dc2").build();
            var kv = KVGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
            assertTrue(kv.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(toDc2)).put(KvPutRequest
                    .newBuilder().setKey("it/grpc").setValue(ByteString.copyFromUtf8("g-dc2")).build()).getSucceeded());
            assertEquals("g-dc2", body(c2, "/v1/kv/it/grpc?raw"));
            assertEquals("v-dc2", kv.get(KvGetRequest.newBuilder().setKey("it/k").setRead(dc2).build()).getEntry()
                    .getValue().toStringUtf8());
            assertTrue(!kv.get(KvGetRequest.newBuilder().setKey("it/grpc").build()).getFound(), "not in dc1");
            var instances = CatalogGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .serviceInstances(ServiceInstancesRequest.newBuilder().setService("web").setRead(dc2).build());
            assertEquals("dc2-client-12", instances.getInstances(0).getNode().getNode());
            var healthy = HealthGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .serviceHealth(ServiceHealthRequest.newBuilder().setService("web").setPassingOnly(true)
                            .setRead(dc2).build());
            assertEquals(1, healthy.getInstancesCount());
            EventsGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(toDc2))
                    .fire(FireEventRequest.newBuilder().setName("it-grpc").build());
            assertTrue(c2.waitFor(LONG, () -> body(c2, "/v1/event/list?name=it-grpc").contains("it-grpc")),
                    "the event fired over gRPC for dc2 was not recorded there");
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }

        // DNS on dc1's client agent: dc2's service by datacenter, and a reverse lookup in dc1.
        Message web = dig(DC1_CLIENT, "web.service.dc2.consul.", Type.A);
        assertEquals(Rcode.NOERROR, web.getRcode(), web.toString());
        assertEquals(DC2_CLIENT, ((ARecord) web.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());
        assertEquals(Rcode.NXDOMAIN, dig(DC1_CLIENT, "web.service.consul.", Type.A).getRcode(), "dc1 has no web");
        Message ptr = dig(DC1_CLIENT, "2.14.0.127.in-addr.arpa.", Type.PTR);
        assertEquals("dc1-server-2.node.dc1.consul.", ((PTRRecord) ptr.getSection(Section.ANSWER).get(0)).getTarget()
                .toString(), ptr.toString());

        // dc2 dies: its requests fail, dc1 goes on.
        s2.kill();
        c2.kill();
        long t0 = System.nanoTime();
        HttpResponse<String> lost = c1.get("/v1/kv/it/k?dc=dc2");
        long failMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(500, lost.statusCode(), lost.body());
        assertTrue(lost.body().startsWith("No path to datacenter"), lost.body());
        System.out.println("MultiDatacenterIT: a dc2 read failed " + failMillis + " ms after dc2 was killed");
        assertEquals("true", c1.send("PUT", "/v1/kv/it/local", "still").body().trim());
        assertEquals("still", body(c1, "/v1/kv/it/local?raw"));
        assertEquals(Rcode.NXDOMAIN, dig(DC1_CLIENT, "web.service.dc2.consul.", Type.A).getRcode());

        AgentProcess.Result forced = cli(DC1_SERVERS.get(0), "force-leave", "-wan", "dc2-server-11.dc2");
        assertEquals(0, forced.exitCode(), forced.output());
        assertTrue(c1.waitFor(LONG, () -> strings(body(c1, "/v1/catalog/datacenters")).equals(List.of("dc1"))),
                body(c1, "/v1/catalog/datacenters"));
        JsonArray wan = JsonParser.parseString(body(s1, "/v1/agent/members?wan=1")).getAsJsonArray();
        assertEquals(3, wan.asList().stream().filter(e -> e.getAsJsonObject().get("Status").getAsInt() == 1).count());
    }
}
